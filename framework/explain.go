package framework

import (
	"context"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/loopgo/loopgo/framework/acl"
	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/rest"
	"github.com/loopgo/loopgo/framework/schema"
)

// explainRequest is the body of POST <restApiRoot>/ACLs/explain.
type explainRequest struct {
	Model      string `json:"model"`
	Property   string `json:"property"`
	AccessType string `json:"accessType"`
	UserID     any    `json:"userId"`
	UserModel  string `json:"userModel"`
	ModelID    any    `json:"modelId"`
}

// mountExplain serves POST <restApiRoot>/ACLs/explain for the admin role: the decision for a
// (model, property, accessType, userId?) with the deciding rule and every scored candidate.
func (a *App) mountExplain() {
	a.echo.POST(a.rest.Root()+"/ACLs/explain", func(ec echo.Context) error {
		ctx := ec.Request().Context()
		tok, err := a.rest.TokenFromRequest(ec)
		if err != nil {
			return err
		}
		if tok == nil {
			return apierr.Unauthorized("AUTHORIZATION_REQUIRED", "Authorization Required")
		}
		admin, err := a.HasRole(ctx, tok, "admin")
		if err != nil {
			return apierr.Internal(err)
		}
		if !admin {
			return apierr.New(http.StatusForbidden, "ACCESS_DENIED", "Access Denied")
		}
		var in explainRequest
		body, err := a.rest.Body(ec)
		if err != nil {
			return err
		}
		if m, ok := body.(map[string]any); ok {
			in.Model, _ = m["model"].(string)
			in.Property, _ = m["property"].(string)
			in.AccessType, _ = m["accessType"].(string)
			in.UserModel, _ = m["userModel"].(string)
			in.UserID, in.ModelID = m["userId"], m["modelId"]
		}
		out, err := a.Explain(ctx, in.Model, in.Property, in.AccessType, in.UserID, in.UserModel, in.ModelID)
		if err != nil {
			return err
		}
		ec.Response().Header().Set("Cache-Control", "no-store")
		return ec.JSON(http.StatusOK, out)
	})
}

// Explain answers why a principal may or may not call a model method: the decision, the deciding
// rule and the scored candidates. userID nil means anonymous; accessType "" is derived.
func (a *App) Explain(ctx context.Context, model, property, accessType string, userID any, userModel string, modelID any) (map[string]any, error) {
	m := a.reg.Model(model)
	if m == nil {
		return nil, apierr.BadRequest("", "model %q is not defined", model)
	}
	if property == "" {
		return nil, apierr.BadRequest("", "property is a required argument")
	}
	var verbs []string
	if mt := a.rest.Methods(model)[property]; mt != nil {
		for _, r := range mt.Routes {
			verbs = append(verbs, r.Verb)
		}
		if accessType == "" {
			accessType = mt.AccessType
		}
	}
	if accessType == "" {
		accessType = acl.AccessTypeOf(property, "", verbs)
	}
	req := &acl.Request{Model: m.Name, Property: property, AccessType: accessType, IsUserModel: m.IsA("User")}
	if userID != nil {
		req.UserID = acl.IDString(userID)
		if userModel == "" {
			userModel = "User"
		}
		req.UserModel = a.principalModel(userModel)
	}
	if modelID != nil {
		req.ModelID = acl.IDString(modelID)
	}
	return a.explain(ctx, m, req)
}

// explain decides req on model m and describes the decision.
func (a *App) explain(ctx context.Context, m *schema.Model, req *acl.Request) (map[string]any, error) {
	z := &authorizer{a: a, roles: a.roles}
	d, err := z.check(ctx, nil, m, req)
	if err != nil {
		return nil, apierr.Internal(err)
	}
	cands := make([]map[string]any, 0, len(d.Candidates))
	for _, c := range d.Candidates {
		cands = append(cands, map[string]any{
			"rule": describeEntry(c.Entry), "origin": c.Entry.Origin, "score": c.Score,
			"evaluated": c.Evaluated, "matched": c.Matched, "decisive": c.Decisive,
		})
	}
	out := map[string]any{
		"model": m.Name, "property": req.Property, "accessType": req.AccessType,
		"permission": d.Permission, "allowed": d.Allowed, "defaulted": d.Defaulted,
		"reason": d.Reason, "candidates": cands,
	}
	if d.Matched != nil {
		out["matched"] = map[string]any{"rule": describeEntry(*d.Matched), "origin": d.Matched.Origin}
	}
	return out, nil
}

func describeEntry(e acl.Entry) string {
	prop := e.Property
	if prop == "" {
		prop = "*"
	}
	at := e.AccessType
	if at == "" {
		at = "*"
	}
	return fmt.Sprintf("%s %s %s %s %s.%s", e.PrincipalType, e.PrincipalID, e.Permission, at, e.Model, prop)
}

// RequireAccess returns Echo middleware that applies a model's ACLs to a boot function's own
// route, as if the route were the model's method `property` with the given accessType.
func (a *App) RequireAccess(model, property, accessType string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(ec echo.Context) error {
			m := a.reg.Model(model)
			if m == nil {
				return apierr.Internal(fmt.Errorf("RequireAccess: model %q is not defined", model))
			}
			tok, err := a.rest.TokenFromRequest(ec)
			if err != nil {
				return err
			}
			call := &rest.Call{
				Method: &rest.Method{Model: m, Name: property, Static: true, AccessType: accessType},
				Token:  tok, Echo: ec, Args: map[string]any{}, State: map[string]any{},
			}
			if id := ec.Param("id"); id != "" {
				call.Args["id"], call.PathID = id, id
			}
			z := &authorizer{a: a, roles: a.roles}
			if err := z.Authorize(ec.Request().Context(), call); err != nil {
				return err
			}
			return next(ec)
		}
	}
}
