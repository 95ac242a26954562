package authz

import (
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/loopgo/loopgo/framework/acl"
	"github.com/loopgo/loopgo/framework/rest"
	"github.com/loopgo/loopgo/framework/schema"
)

// stateKey is the key of a call's callState (rest.Call.Value).
type stateKey struct{}

// callState is what the Authorizer keeps for one REST call: its acl.Checker and the static
// roles of its principals, shared by every check and HasRole of the call.
type callState struct {
	z       *Authorizer
	checker *acl.Checker

	mu    sync.Mutex
	roles map[string][]string // principals key -> role names
}

// state returns the call's callState, made on first use.
func (z *Authorizer) state(c *rest.Call) *callState {
	if st, ok := c.Value(stateKey{}).(*callState); ok {
		return st
	}
	st := &callState{z: z}
	c.SetValue(stateKey{}, st)
	return st
}

// RolesOf implements acl.RoleMappings for the call's checker: the Authorizer's answer, asked once
// per set of principals during the call.
func (st *callState) RolesOf(ctx context.Context, principals []acl.Principal) ([]string, error) {
	key := principalsKey(principals)
	st.mu.Lock()
	defer st.mu.Unlock()
	if names, ok := st.roles[key]; ok {
		return names, nil
	}
	names, err := st.z.RolesOf(ctx, principals)
	if err != nil {
		return nil, err
	}
	if names == nil {
		names = []string{}
	}
	if st.roles == nil {
		st.roles = map[string][]string{}
	}
	st.roles[key] = names
	return names, nil
}

// principalsKey identifies a set of principals, whatever their order.
func principalsKey(ps []acl.Principal) string {
	keys := make([]string, len(ps))
	for i, p := range ps {
		keys[i] = p.Type + "\x01" + p.ID
	}
	slices.Sort(keys)
	return strings.Join(keys, "\x00")
}

// HasRole reports whether the token's user is mapped to a static role (Role + RoleMapping). In a
// REST call whose token is tok (the call ctx carries), the mappings are read once for the whole
// call, shared with its ACL checks.
func (z *Authorizer) HasRole(ctx context.Context, tok *rest.Token, role string) (bool, error) {
	if tok == nil || tok.UserID == nil {
		return false, nil
	}
	names, err := z.staticRolesOf(ctx, tok)
	if err != nil {
		return false, err
	}
	return slices.Contains(names, role), nil
}

// staticRolesOf returns the names of the roles mapped to a token's user, through the call's
// callState when ctx carries a call made with tok.
func (z *Authorizer) staticRolesOf(ctx context.Context, tok *rest.Token) ([]string, error) {
	req := acl.Request{UserID: schema.IDString(tok.UserID), UserModel: z.PrincipalModel(tok.UserModel)}
	if c := rest.CallFrom(ctx); c != nil && c.Token == tok {
		return z.state(c).RolesOf(ctx, req.Principals())
	}
	return z.RolesOf(ctx, req.Principals())
}
