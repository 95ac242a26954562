package framework

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/loopgo/loopgo/framework/acl"
	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/rest"
	"github.com/loopgo/loopgo/framework/schema"
)

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
	m := mt.Model
	req := &acl.Request{
		Model: m.Name, Property: mt.Name, Aliases: mt.Aliases,
		AccessType:   acl.AccessTypeOf(mt.Name, mt.AccessType, routeVerbs(mt)),
		MethodScopes: mt.AccessScopes, IsUserModel: m.IsA("User"), ModelID: params["id"],
	}
	if userID != nil {
		if userModel == "" {
			userModel = "User"
		}
		req.UserID, req.UserModel = acl.IDString(userID), a.principalModel(userModel)
	}
	out, err := a.explain(ctx, m, req)
	if err != nil {
		return nil, err
	}
	out["method"] = mt.SharedName()
	if id := params["id"]; id != "" {
		out["modelId"] = id
	}
	if mt.Target != nil && out["allowed"] == true {
		op, _, _ := strings.Cut(strings.TrimPrefix(mt.Name, "__"), "__")
		t, ok := relationOps[op]
		if !ok {
			t = [2]string{"find", acl.READ}
		}
		treq := &acl.Request{Model: mt.Target.Name, Property: t[0], AccessType: t[1], IsUserModel: mt.Target.IsA("User"),
			UserID: req.UserID, UserModel: req.UserModel, ModelID: params["fk"]}
		if mt.Relation != nil && mt.Relation.Type == schema.BelongsTo && op == "get" {
			// as a real call: GET /notes/1/owner reads one known instance, checked as its findById
			z := &authorizer{a: a, roles: a.roles}
			id, err := z.belongsToID(ctx, &rest.Call{Method: mt, InstanceID: coerceID(m, params["id"])})
			if err != nil {
				return nil, err
			}
			if id != "" {
				treq.Property, treq.ModelID = "findById", id
			}
		}
		related, err := a.explain(ctx, mt.Target, treq)
		if err != nil {
			return nil, err
		}
		out["related"] = related
		out["allowed"] = related["allowed"]
	}
	return out, nil
}

// coerceID turns an id from a path into the model's id type (as the REST API does), or keeps
// the text when it does not convert.
func coerceID(m *schema.Model, raw string) any {
	if p := m.IDProperty(); p != nil {
		if v, err := p.CoerceQuery(raw); err == nil {
			return v
		}
	}
	return raw
}
