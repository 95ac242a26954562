package rest

import (
	"context"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/schema"
)

// Explainer answers the explain endpoint: whether a token's user has a static role (only the
// admin role may ask) and why a principal may or may not call a model method.
type Explainer interface {
	HasRole(ctx context.Context, tok *Token, role string) (bool, error)
	Explain(ctx context.Context, q ExplainQuery) (map[string]any, error)
}

// ExplainQuery is one question to an Explainer: may this principal call this method?
type ExplainQuery struct {
	Model      string  // the model's name
	Property   string  // the method's name ("find", "patchAttributes", a remote method)
	AccessType string  // READ, WRITE, EXECUTE; "" = derived from the method
	UserID     any     // nil = anonymous
	UserModel  string  // the user's model; "" = User
	ModelID    any     // the record the method acts on, or nil
	Method     *Method // the REST method of Model named Property, nil when there is none
}

// ResolveQuery completes q with the REST method it names (exposed or not), when there is one.
func (s *Server) ResolveQuery(q ExplainQuery) ExplainQuery {
	if q.Method == nil {
		q.Method = s.Methods(q.Model)[q.Property]
	}
	return q
}

// mountExplain serves POST <Root>/ACLs/explain for the admin role: the decision for a (model,
// property, accessType, userId?) with the deciding rule and every scored candidate.
func (s *Server) mountExplain(ex Explainer) {
	s.e.POST(s.opts.Root+"/ACLs/explain", func(ec echo.Context) error {
		ctx := ec.Request().Context()
		tok, err := s.TokenFromRequest(ec)
		if err != nil {
			return err
		}
		if tok == nil {
			return apierr.Unauthorized("AUTHORIZATION_REQUIRED", "Authorization Required")
		}
		admin, err := ex.HasRole(ctx, tok, "admin")
		if err != nil {
			return apierr.Internal(err)
		}
		if !admin {
			return apierr.New(http.StatusForbidden, "ACCESS_DENIED", "Access Denied")
		}
		body, err := s.Body(ec)
		if err != nil {
			return err
		}
		var q ExplainQuery
		if m, ok := body.(map[string]any); ok {
			q.Model, _ = m["model"].(string)
			q.Property, _ = m["property"].(string)
			q.AccessType, _ = m["accessType"].(string)
			q.UserModel, _ = m["userModel"].(string)
			q.UserID, q.ModelID = m["userId"], m["modelId"]
		}
		out, err := ex.Explain(ctx, s.ResolveQuery(q))
		if err != nil {
			return err
		}
		ec.Response().Header().Set("Cache-Control", "no-store")
		return ec.JSON(http.StatusOK, out)
	})
}

// RequireAccess returns Echo middleware that applies a model's ACLs to a boot function's own
// route, as if the route were the model's static method `property` with the given accessType
// (an :id route parameter is the record it acts on).
func (s *Server) RequireAccess(model, property, accessType string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(ec echo.Context) error {
			var m *schema.Model
			if s.opts.Models != nil {
				m = s.opts.Models.Model(model)
			}
			if m == nil {
				return apierr.Internal(fmt.Errorf("RequireAccess: model %q is not defined", model))
			}
			tok, err := s.TokenFromRequest(ec)
			if err != nil {
				return err
			}
			call := &Call{
				Method: &Method{Model: m, Name: property, Static: true, AccessType: accessType},
				Token:  tok, Echo: ec, Args: map[string]any{}, State: map[string]any{}, srv: s,
			}
			if id := ec.Param("id"); id != "" {
				call.Args["id"], call.PathID = id, id
			}
			if s.opts.Authorizer != nil {
				if err := s.opts.Authorizer.Authorize(ec.Request().Context(), call); err != nil {
					return err
				}
			}
			return next(ec)
		}
	}
}
