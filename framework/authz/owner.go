package authz

import (
	"context"
	"strings"

	"github.com/loopgo/loopgo/framework/rest"
	"github.com/loopgo/loopgo/framework/schema"
	"github.com/loopgo/loopgo/framework/store"
)

// StampOwner is a before-remote hook: it sets the foreign keys of a model's belongsTo-User
// relations from the caller's token on create, when the model has the `ownerFromToken` setting,
// unless the caller is an admin: the body cannot name another user as owner.
func (z *Authorizer) StampOwner(ctx context.Context, c *rest.Call) error {
	m := c.Method.Model
	if t := c.Method.Target; t != nil && strings.HasPrefix(c.Method.Name, "__create__") {
		m = t // POST /projects/1/notes creates a Note: the Note's rule applies
	} else if c.Method.Name != "create" {
		return nil
	}
	if !m.BoolSetting("ownerFromToken", false) || c.Token == nil {
		return nil
	}
	admin, err := z.HasRole(ctx, c.Token, "admin")
	if err != nil || admin {
		return err
	}
	keys := z.OwnerKeys(m)
	c.EachDataRecord(func(rec map[string]any) {
		for _, k := range keys {
			rec[k] = c.Token.UserID
		}
	})
	return nil
}

// OwnerKeys returns the foreign keys of m's belongsTo relations to user models.
func (z *Authorizer) OwnerKeys(m *schema.Model) []string {
	var keys []string
	for _, r := range m.Relations {
		if r.Type != schema.BelongsTo {
			continue
		}
		if t := z.models.Model(r.Model); t != nil && t.IsA("User") {
			keys = append(keys, r.ForeignKeyName(m.Name))
		}
	}
	return keys
}

// KeepOwner is the persist hook that keeps the owner of records of models with
// `ownerFromToken` where only an admin may move it. During a REST call of a generated method by
// anyone but an admin, the owner keys of a record being created are the caller's, those of a
// record being patched or replaced stay as stored, and an updateAll leaves them alone. Go code,
// and remote methods implemented in Go, may still change them.
func (z *Authorizer) KeepOwner(ctx context.Context, hc *store.HookContext) error {
	c := rest.CallFrom(ctx)
	if c == nil || c.Method.Model.Method(c.Method.Name, c.Method.Static) != nil || !hc.Model.BoolSetting("ownerFromToken", false) {
		return nil
	}
	if admin, err := z.HasRole(ctx, c.Token, "admin"); err != nil || admin {
		return err
	}
	for _, k := range z.OwnerKeys(hc.Model) {
		switch {
		case hc.IsNewInstance:
			if c.Token != nil {
				hc.Data[k] = c.Token.UserID
			}
		case hc.CurrentInstance != nil:
			hc.Data[k] = hc.CurrentInstance[k]
		default:
			delete(hc.Data, k)
		}
	}
	return nil
}
