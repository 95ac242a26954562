package framework

import (
	"context"
	"fmt"

	"github.com/loopgo/loopgo/framework/acl"
	"github.com/loopgo/loopgo/framework/schema"
)

// GrantRole maps a user of the built-in User model to a static role (creating the Role when
// missing); a mapping that exists already is left alone, also when several instances grant the
// same role at once. Role and RoleMapping must be attached in model-config.yaml. (With several
// user models, map a subclass's users with a RoleMapping whose principalType is the model's name.)
func (a *App) GrantRole(ctx context.Context, role string, userID any) error {
	roles, mappings := a.Model("Role"), a.Model("RoleMapping")
	r, _, err := roles.FindOrCreate(ctx, map[string]any{"name": role}, map[string]any{"name": role})
	if err != nil {
		return fmt.Errorf("find or create role %s: %w", role, err)
	}
	ptype := acl.USER
	if pm := a.authorization.PrincipalModel("User"); pm != "" {
		ptype = pm
	}
	roleDef, st, err := roles.def()
	if err != nil {
		return err
	}
	where := map[string]any{"roleId": r["id"], "principalType": ptype, "principalId": schema.IDString(userID)}
	// the role's row is locked meanwhile: two grants of one role never both find no mapping
	return st.Transaction(ctx, func(ctx context.Context) error {
		if _, err := st.LockByID(ctx, roleDef, r["id"]); err != nil {
			return fmt.Errorf("lock role %s: %w", role, err)
		}
		n, err := mappings.Count(ctx, where)
		if err != nil {
			return fmt.Errorf("find role mapping: %w", err)
		}
		if n > 0 {
			return nil
		}
		if _, err := mappings.Create(ctx, where); err != nil {
			return fmt.Errorf("map user %v to role %s: %w", userID, role, err)
		}
		return nil
	})
}
