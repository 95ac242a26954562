package acl

import (
	"context"
	"errors"
	"sort"
	"sync"
)

// RoleResolver decides whether a request is in a role (a custom role such as "teamMember").
type RoleResolver func(ctx context.Context, req *Request) (bool, error)

// RoleMappings gives the names of the static roles (Role + RoleMapping rows) any of the given
// principals is mapped to. Nested roles are not followed (as LoopBack's check).
type RoleMappings interface {
	RolesOf(ctx context.Context, principals []Principal) ([]string, error)
}

// Owners decides whether userID owns the instance modelID of model (spec 3.7 steps 2-4). The
// framework loads the instance (and nothing else) and applies OwnerOf; a missing instance is false.
type Owners interface {
	IsOwner(ctx context.Context, model, modelID, userID string) (bool, error)
}

// Roles is the registry of role resolvers, shared by every request; safe for concurrent use.
type Roles struct {
	mu        sync.RWMutex
	resolvers map[string]RoleResolver
}

// NewRoles returns a registry holding the built-in $everyone, $authenticated and $unauthenticated
// resolvers. $owner is resolved by the Checker (it needs Owners) unless a resolver is registered
// for it; $related and every other name without a resolver are static roles.
func NewRoles() *Roles {
	r := &Roles{resolvers: map[string]RoleResolver{}}
	r.resolvers[RoleEveryone] = func(context.Context, *Request) (bool, error) { return true, nil }
	r.resolvers[RoleAuthenticated] = func(_ context.Context, req *Request) (bool, error) {
		return req.Authenticated(), nil
	}
	r.resolvers[RoleUnauthenticated] = func(_ context.Context, req *Request) (bool, error) {
		return !req.Authenticated(), nil
	}
	return r
}

// Register sets the resolver of a role name, replacing any earlier one (built-ins included).
func (r *Roles) Register(name string, fn RoleResolver) error {
	if name == "" {
		return errors.New("acl: register role resolver: empty role name")
	}
	if fn == nil {
		return errors.New("acl: register role resolver " + name + ": nil resolver")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.resolvers[name] = fn
	return nil
}

// Resolver returns the resolver registered for a role name.
func (r *Roles) Resolver(name string) (RoleResolver, bool) {
	if r == nil {
		return nil, false
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	fn, ok := r.resolvers[name]
	return fn, ok
}

// Names returns the role names that have a resolver, sorted.
func (r *Roles) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	names := make([]string, 0, len(r.resolvers))
	for n := range r.resolvers {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
