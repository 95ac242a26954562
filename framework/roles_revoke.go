package framework

import (
	"context"
	"fmt"

	"github.com/loopgo/loopgo/framework/acl"
	"github.com/loopgo/loopgo/framework/schema"
)

// RevokeRole removes the mapping of a user of the built-in User model (or of the app's only user
// model) to a static role, and returns how many mappings were removed (0 when the user did not
// have the role, or the role does not exist). The Role itself is kept.
func (a *App) RevokeRole(ctx context.Context, role string, userID any) (int64, error) {
	r, err := a.Model("Role").FindOne(ctx, map[string]any{"where": map[string]any{"name": role}})
	if err != nil {
		return 0, fmt.Errorf("find role %s: %w", role, err)
	}
	if r == nil {
		return 0, nil
	}
	ptype := acl.USER
	if pm := a.authorization.PrincipalModel("User"); pm != "" {
		ptype = pm
	}
	mappings := a.Model("RoleMapping")
	found, err := mappings.Find(ctx, map[string]any{"where": map[string]any{
		"roleId": r["id"], "principalType": ptype, "principalId": schema.IDString(userID)}})
	if err != nil {
		return 0, fmt.Errorf("find role mappings: %w", err)
	}
	var n int64
	for _, rm := range found {
		d, err := mappings.DeleteByID(ctx, rm["id"])
		if err != nil {
			return n, fmt.Errorf("unmap user %v from role %s: %w", userID, role, err)
		}
		n += d
	}
	return n, nil
}
