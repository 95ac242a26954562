package framework

import (
	"context"
	"fmt"

	"github.com/loopgo/loopgo/framework/acl"
)

// GrantRole maps a user of the built-in User model to a static role (creating the Role when
// missing); a mapping that exists already is left alone. Role and RoleMapping must be attached in
// model-config.yaml. (With several user models, map a subclass's users with a RoleMapping whose
// principalType is the model's name.)
func (a *App) GrantRole(ctx context.Context, role string, userID any) error {
	roles, mappings := a.Model("Role"), a.Model("RoleMapping")
	r, err := roles.FindOne(ctx, map[string]any{"where": map[string]any{"name": role}})
	if err != nil {
		return fmt.Errorf("find role %s: %w", role, err)
	}
	if r == nil {
		if r, err = roles.Create(ctx, map[string]any{"name": role}); err != nil {
			return fmt.Errorf("create role %s: %w", role, err)
		}
	}
	ptype := acl.USER
	if pm := a.principalModel("User"); pm != "" {
		ptype = pm
	}
	where := map[string]any{"roleId": r["id"], "principalType": ptype, "principalId": acl.IDString(userID)}
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
}
