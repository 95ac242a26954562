package framework

import (
	"context"
	"strings"

	"github.com/loopgo/loopgo/framework/rest"
	"github.com/loopgo/loopgo/framework/schema"
	"github.com/loopgo/loopgo/framework/store"
)

// stampOwner sets the foreign keys of a model's belongsTo-User relations from the caller's token
// on create, when the model has the `ownerFromToken` setting, unless the caller is an admin: the
// body cannot name another user as owner.
func (a *App) stampOwner(ctx context.Context, c *rest.Call) error {
	m := c.Method.Model
	if t := c.Method.Target; t != nil && strings.HasPrefix(c.Method.Name, "__create__") {
		m = t // POST /projects/1/notes creates a Note: the Note's rule applies
	} else if c.Method.Name != "create" {
		return nil
	}
	if !m.BoolSetting("ownerFromToken", false) || c.Token == nil {
		return nil
	}
	admin, err := a.HasRole(ctx, c.Token, "admin")
	if err != nil || admin {
		return err
	}
	keys := a.ownerKeys(m)
	eachDataRecord(c, func(rec map[string]any) {
		for _, k := range keys {
			rec[k] = c.Token.UserID
		}
	})
	return nil
}

// eachDataRecord calls fn for the call's body data: the object, or each object of an array.
func eachDataRecord(c *rest.Call, fn func(rec map[string]any)) {
	switch d := c.Args["data"].(type) {
	case map[string]any:
		fn(d)
	case []any:
		for _, x := range d {
			if rec, ok := x.(map[string]any); ok {
				fn(rec)
			}
		}
	}
}

// ownerKeys returns the foreign keys of m's belongsTo relations to user models.
func (a *App) ownerKeys(m *schema.Model) []string {
	var keys []string
	for _, r := range m.Relations {
		if r.Type != "belongsTo" {
			continue
		}
		if t := a.reg.Model(r.Model); t != nil && t.IsA("User") {
			fk := r.ForeignKey
			if fk == "" {
				fk = r.Name + "Id"
			}
			keys = append(keys, fk)
		}
	}
	return keys
}

// installOwnerGuards keeps the owner of records of models with `ownerFromToken` where only an
// admin may move it: a "persist" hook on every write path (patch, replace, upserts, updateAll,
// relation routes).
func (a *App) installOwnerGuards() {
	for _, m := range a.reg.Models() {
		if m.BoolSetting("ownerFromToken", false) && a.attached[m.Name] != nil && len(a.ownerKeys(m)) > 0 {
			a.Model(m.Name).Observe(store.HookPersist, a.keepOwner)
		}
	}
}

// keepOwner is the persist hook of installOwnerGuards. During a REST call of a generated method
// by anyone but an admin, the owner keys of a record being created are the caller's, those of a
// record being patched or replaced stay as stored, and an updateAll leaves them alone. Go code,
// and remote methods implemented in Go, may still change them.
func (a *App) keepOwner(ctx context.Context, hc *store.HookContext) error {
	c := rest.CallFrom(ctx)
	if c == nil || c.Method.Model.Method(c.Method.Name, c.Method.Static) != nil || !hc.Model.BoolSetting("ownerFromToken", false) {
		return nil
	}
	if admin, err := a.HasRole(ctx, c.Token, "admin"); err != nil || admin {
		return err
	}
	for _, k := range a.ownerKeys(hc.Model) {
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
