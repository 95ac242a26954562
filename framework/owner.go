package framework

import (
	"context"
	"strings"

	"github.com/loopgo/loopgo/framework/rest"
	"github.com/loopgo/loopgo/framework/schema"
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
