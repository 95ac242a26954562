package framework

import (
	"context"

	"github.com/loopgo/loopgo/framework/acl"
	"github.com/loopgo/loopgo/framework/rest"
)

// HasRole reports whether the token's user is mapped to a static role (Role + RoleMapping).
func (a *App) HasRole(ctx context.Context, tok *rest.Token, role string) (bool, error) {
	if tok == nil || tok.UserID == nil {
		return false, nil
	}
	names, err := a.staticRolesOf(ctx, tok)
	if err != nil {
		return false, err
	}
	for _, n := range names {
		if n == role {
			return true, nil
		}
	}
	return false, nil
}

// staticRolesOf returns the names of the roles mapped to a token's user, read once per REST call
// (the call that ctx carries, when its token is tok).
func (a *App) staticRolesOf(ctx context.Context, tok *rest.Token) ([]string, error) {
	c := rest.CallFrom(ctx)
	if c != nil && c.Token == tok {
		if names, ok := c.State[staticRolesKey].([]string); ok {
			return names, nil
		}
	}
	z := &authorizer{a: a, roles: a.roles}
	req := acl.Request{UserID: acl.IDString(tok.UserID), UserModel: a.principalModel(tok.UserModel)}
	names, err := z.RolesOf(ctx, req.Principals())
	if err != nil {
		return nil, err
	}
	if c != nil && c.Token == tok {
		if names == nil {
			names = []string{}
		}
		c.State[staticRolesKey] = names
	}
	return names, nil
}

const staticRolesKey = "loopgo.staticRoles"

// principalModel is the principal type a token's user model gives in ACLs and role mappings:
// "" (USER) when the app attaches one user model, the model's name when it attaches several (as
// LoopBack's polymorphic user relation: user 5 of Customer is not user 5 of User).
func (a *App) principalModel(model string) string {
	n := 0
	for name := range a.attached {
		if m := a.reg.Model(name); m != nil && m.IsA("User") {
			n++
		}
	}
	if n <= 1 {
		return ""
	}
	return model
}
