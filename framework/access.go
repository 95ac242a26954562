package framework

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/loopgo/loopgo/framework/acl"
	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/authz"
	"github.com/loopgo/loopgo/framework/rest"
	"github.com/loopgo/loopgo/framework/store"
)

// The App's access control is framework/authz: these are the App's thin doors to it.

// newAuthorizer returns the App's authorizer (framework/authz) on its registry and datasources.
func (a *App) newAuthorizer() *authz.Authorizer {
	return authz.New(authz.Config{
		Models: a.reg, StoreOf: a.StoreOf, Roles: a.roles, Logger: a.log,
		ACLErrorStatus: func() int { return a.cfg.AclErrorStatus },
	})
}

// RegisterRole registers a custom role resolver, e.g. "teamMember".
func (a *App) RegisterRole(name string, fn acl.RoleResolver) error {
	return a.authorization.RegisterRole(name, fn)
}

// HasRole reports whether the token's user is mapped to a static role (Role + RoleMapping); in a
// REST call the mappings are read once for the whole call.
func (a *App) HasRole(ctx context.Context, tok *rest.Token, role string) (bool, error) {
	return a.authorization.HasRole(ctx, tok, role)
}

// Explain answers why a principal may or may not call a model method: the decision, the deciding
// rule and the scored candidates. userID nil means anonymous; accessType "" is derived.
func (a *App) Explain(ctx context.Context, model, property, accessType string, userID any, userModel string, modelID any) (map[string]any, error) {
	q := rest.ExplainQuery{Model: model, Property: property, AccessType: accessType, UserID: userID, UserModel: userModel, ModelID: modelID}
	if a.rest != nil {
		q = a.rest.ResolveQuery(q)
	}
	return a.authorization.Explain(ctx, q)
}

// ExplainRoute explains the ACL decision for a request as the REST API would make it (after
// Setup): verb and path (under the REST root, e.g. "GET /api/notes/1") give the model, the
// method and the record in the path; userID nil means anonymous, userModel "" the User model.
// For a relation route the related model's decision is under "related". A path no method
// handles is an error. Rows of the ACL model count, as in a real call.
func (a *App) ExplainRoute(ctx context.Context, verb, path string, userID any, userModel string) (map[string]any, error) {
	if a.rest == nil {
		return nil, fmt.Errorf("explain: the app is not set up; call Setup first")
	}
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i] // the query does not choose the method
	}
	if p, err := url.PathUnescape(path); err == nil {
		path = p // as the server routes the decoded path
	}
	mt, params, ok := a.rest.Resolve(verb, path)
	if !ok {
		return nil, apierr.NotFound("no REST method handles %s %s (the REST API is under %s)", strings.ToUpper(verb), path, a.rest.Root())
	}
	return a.authorization.ExplainMethod(ctx, mt, params, userID, userModel)
}

// RequireAccess returns Echo middleware that applies a model's ACLs to a boot function's own
// route, as if the route were the model's method `property` with the given accessType.
func (a *App) RequireAccess(model, property, accessType string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(ec echo.Context) error {
			if a.rest == nil {
				return apierr.Internal(fmt.Errorf("RequireAccess: the app is not set up"))
			}
			return a.rest.RequireAccess(model, property, accessType)(next)(ec)
		}
	}
}

// stampOwner is the before-remote hook of ownerFromToken (authz.Authorizer.StampOwner).
func (a *App) stampOwner(ctx context.Context, c *rest.Call) error {
	return a.authorization.StampOwner(ctx, c)
}

// installOwnerGuards keeps the owner of records of models with `ownerFromToken` where only an
// admin may move it: a "persist" hook on every write path (patch, replace, upserts, updateAll,
// relation routes).
func (a *App) installOwnerGuards() {
	for _, m := range a.reg.Models() {
		if m.BoolSetting("ownerFromToken", false) && a.attached[m.Name] != nil && len(a.authorization.OwnerKeys(m)) > 0 {
			a.Model(m.Name).Observe(store.HookPersist, a.authorization.KeepOwner)
		}
	}
}
