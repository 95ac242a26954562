package boot

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/loopgo/loopgo/framework"
)

// LoginRoutes adds the seed tutorial's short POST /login and POST /logout routes, calling the
// User model's Login and Logout, with an audit record of every attempt on the audit datasource.
func LoginRoutes(ctx context.Context, app *framework.App) error {
	users, err := app.Users("User")
	if err != nil {
		return err
	}
	audit := app.Model("AuditEvent")
	record := func(c echo.Context, action, outcome, who string, userID any) {
		ev := map[string]any{"action": action, "outcome": outcome, "clientAddress": c.RealIP()}
		if who != "" {
			ev["who"] = who
		}
		if userID != nil {
			ev["userId"] = userID
		}
		if _, err := audit.Create(c.Request().Context(), ev); err != nil {
			app.Logger().Error("audit record not written", "action", action, "err", err)
		}
	}
	e := app.Echo()
	e.POST("/login", func(c echo.Context) error {
		// username or email, password, and the one-time code of users with two-step verification
		var body struct {
			Username any `json:"username"`
			Email    any `json:"email"`
			Password any `json:"password"`
			Code     any `json:"code"`
		}
		if err := app.ReadJSON(c, &body); err != nil {
			record(c, "login", "failure", "", nil)
			return err // 400 for a body that is not JSON, 413 for one over the limit
		}
		creds := map[string]any{"password": body.Password}
		if body.Code != nil {
			creds["code"] = body.Code
		}
		id := body.Email
		if body.Email != nil {
			creds["email"] = body.Email
		} else {
			creds["username"] = body.Username
			id = body.Username
		}
		who, _ := id.(string)
		res, err := users.Login(c.Request().Context(), creds, framework.LoginOptions{ClientAddress: c.RealIP(), UserAgent: c.Request().UserAgent()})
		if err != nil {
			record(c, "login", "failure", who, nil)
			if e, ok := framework.AsError(err); ok {
				switch {
				case e.StatusCode == http.StatusTooManyRequests:
					c.Response().Header().Set("Retry-After", e.Headers["Retry-After"])
					return framework.WriteJSON(c, http.StatusTooManyRequests, map[string]string{"error": "too many failed logins"})
				case e.Code == "MFA_REQUIRED":
					return framework.WriteJSON(c, http.StatusUnauthorized, map[string]string{"error": "login failed", "code": "MFA_REQUIRED"})
				}
			}
			return framework.WriteJSON(c, http.StatusUnauthorized, map[string]string{"error": "login failed"})
		}
		record(c, "login", "success", who, res.UserID)
		c.Response().Header().Set("Cache-Control", "no-store")
		return framework.WriteJSON(c, http.StatusOK, map[string]any{"token": res.Token, "ttl": res.TTL})
	})
	e.POST("/logout", func(c echo.Context) error {
		raw := c.QueryParam("access_token")
		if raw == "" {
			record(c, "logout", "failure", "", nil)
			return framework.WriteJSON(c, http.StatusBadRequest, map[string]string{"error": "access token required"})
		}
		var userID any
		if tok, err := users.ResolveToken(c.Request().Context(), raw); err == nil && tok != nil {
			userID = tok.UserID
		}
		if err := users.Logout(c.Request().Context(), framework.Digest(raw)); err != nil {
			record(c, "logout", "failure", "", userID)
			return framework.WriteJSON(c, http.StatusNotFound, map[string]string{"error": "logout failed"})
		}
		record(c, "logout", "success", "", userID)
		return c.NoContent(http.StatusNoContent)
	})
	return nil
}
