package authz

import (
	"context"

	"github.com/loopgo/loopgo/framework/acl"
	"github.com/loopgo/loopgo/framework/rest"
	"github.com/loopgo/loopgo/framework/schema"
)

// ExplainMethod explains the ACL decision for a call of REST method mt with the route
// parameters params (the record in the path), as the REST API would make it: userID nil means
// anonymous, userModel "" the User model. For a relation method the related model's decision is
// under "related". Rows of the ACL model count, as in a real call.
func (z *Authorizer) ExplainMethod(ctx context.Context, mt *rest.Method, params map[string]string, userID any, userModel string) (map[string]any, error) {
	m := mt.Model
	req := &acl.Request{
		Model: m.Name, Property: mt.Name, Aliases: mt.Aliases,
		AccessType:   acl.AccessTypeOf(mt.Name, mt.AccessType, mt.Verbs()),
		MethodScopes: mt.AccessScopes, IsUserModel: m.IsA("User"), ModelID: params["id"],
	}
	if userID != nil {
		if userModel == "" {
			userModel = "User"
		}
		req.UserID, req.UserModel = schema.IDString(userID), z.PrincipalModel(userModel)
	}
	out, err := z.explain(ctx, m, req)
	if err != nil {
		return nil, err
	}
	out["method"] = mt.SharedName()
	if id := params["id"]; id != "" {
		out["modelId"] = id
	}
	if mt.Target != nil && out["allowed"] == true {
		op, t := relationTarget(mt.Name)
		treq := &acl.Request{Model: mt.Target.Name, Property: t[0], AccessType: t[1], IsUserModel: mt.Target.IsA("User"),
			UserID: req.UserID, UserModel: req.UserModel, ModelID: params["fk"]}
		if mt.Relation != nil && mt.Relation.Type == schema.BelongsTo && op == "get" {
			// as a real call: GET /notes/1/owner reads one known instance, checked as its findById
			id, err := z.belongsToID(ctx, &rest.Call{Method: mt, InstanceID: coerceID(m, params["id"])})
			if err != nil {
				return nil, err
			}
			if id != "" {
				treq.Property, treq.ModelID = "findById", id
			}
		}
		related, err := z.explain(ctx, mt.Target, treq)
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
