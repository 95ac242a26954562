package authz

import (
	"context"
	"fmt"

	"github.com/loopgo/loopgo/framework/acl"
	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/rest"
	"github.com/loopgo/loopgo/framework/schema"
)

// Explain answers why a principal may or may not call a model method (rest.Explainer): the
// decision, the deciding rule and the scored candidates. q.UserID nil means anonymous;
// q.AccessType "" is the method's, else derived from its name and verbs.
func (z *Authorizer) Explain(ctx context.Context, q rest.ExplainQuery) (map[string]any, error) {
	m := z.models.Model(q.Model)
	if m == nil {
		return nil, apierr.BadRequest("", "model %q is not defined", q.Model)
	}
	if q.Property == "" {
		return nil, apierr.BadRequest("", "property is a required argument")
	}
	accessType := q.AccessType
	var verbs []string
	if mt := q.Method; mt != nil {
		verbs = mt.Verbs()
		if accessType == "" {
			accessType = mt.AccessType
		}
	}
	if accessType == "" {
		accessType = acl.AccessTypeOf(q.Property, "", verbs)
	}
	req := &acl.Request{Model: m.Name, Property: q.Property, AccessType: accessType, IsUserModel: m.IsA("User")}
	if q.UserID != nil {
		userModel := q.UserModel
		if userModel == "" {
			userModel = "User"
		}
		req.UserID, req.UserModel = schema.IDString(q.UserID), z.PrincipalModel(userModel)
	}
	if q.ModelID != nil {
		req.ModelID = schema.IDString(q.ModelID)
	}
	return z.explain(ctx, m, req)
}

// explain decides req on model m and describes the decision.
func (z *Authorizer) explain(ctx context.Context, m *schema.Model, req *acl.Request) (map[string]any, error) {
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

// describeEntry renders an ACL entry in one line: "ROLE admin ALLOW * Note.find".
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
