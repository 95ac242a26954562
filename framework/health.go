package framework

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/rest"
)

// healthPath is the configured path of the health check, "" when it is off.
func (c Config) healthPath() string {
	switch c.HealthPath {
	case "":
		return "/health"
	case "off":
		return ""
	}
	return c.HealthPath
}

// mountHealth adds the health check route: 200 {"status":"ok"} when every datasource answers
// within 2 s, 503 while one does not or once shutdown has begun.
func (a *App) mountHealth() {
	path := a.cfg.healthPath()
	if path == "" {
		return
	}
	handler := func(c echo.Context) error {
		c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
		if a.draining.Load() {
			return unavailable(c, "SHUTTING_DOWN", "The server is shutting down")
		}
		ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
		defer cancel()
		for name, st := range a.stores {
			if err := st.Ping(ctx); err != nil {
				a.log.Warn("health check: datasource does not answer", "datasource", name, "err", err)
				return unavailable(c, "DATASOURCE_UNAVAILABLE", "Datasource "+name+" does not answer")
			}
		}
		return rest.WriteJSON(c, http.StatusOK, map[string]string{"status": "ok"})
	}
	a.echo.GET(path, handler)
	a.echo.HEAD(path, handler)
}

// unavailable answers 503 in LoopBack's error envelope, written here rather than by the error
// handler, which would log it as an internal error and keep only the status text.
func unavailable(c echo.Context, code, msg string) error {
	e := apierr.New(http.StatusServiceUnavailable, code, "%s", msg)
	return rest.WriteJSON(c, http.StatusServiceUnavailable, map[string]any{"error": e})
}
