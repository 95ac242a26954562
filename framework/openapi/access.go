package openapi

import (
	"context"
	"sort"
	"strings"

	"github.com/loopgo/loopgo/framework/acl"
	"github.com/loopgo/loopgo/framework/schema"
)

// access is who the static ACLs let call a method.
type access struct {
	accessType string
	roles      []string // as documented: $everyone, $authenticated, or the list
	anonymous  bool     // a caller without a token is let through
}

// sentence says who may call, for the operation's description.
func (a access) sentence() string {
	if len(a.roles) == 0 {
		return "Static ACLs: no role may call this (rows of the ACL model may grant it)."
	}
	return "Static ACLs: " + strings.Join(a.roles, ", ") + " may call this."
}

// principal is one kind of caller the document speaks of.
type principal struct {
	name  string // the role documented
	user  bool   // carries a token of a user
	owner bool   // owns the instance the call acts on
	role  string // holds this named role ("" = none)
}

// heldRoles answers the role mappings of a principal: the one named role it holds.
type heldRoles struct{ role string }

// RolesOf implements acl.RoleMappings.
func (h heldRoles) RolesOf(context.Context, []acl.Principal) ([]string, error) {
	if h.role == "" {
		return nil, nil
	}
	return []string{h.role}, nil
}

// owning answers ownership: the principal owns every instance or none.
type owning bool

// IsOwner implements acl.Owners.
func (o owning) IsOwner(context.Context, string, string, string) (bool, error) { return bool(o), nil }

// namedRoles lists the roles other than the built-in ones that the ACLs name, sorted.
func namedRoles(models ...*schema.Model) []string {
	seen := map[string]bool{}
	for _, m := range models {
		if m == nil {
			continue
		}
		for _, e := range m.ACLs {
			if !strings.EqualFold(e.PrincipalType, acl.ROLE) {
				continue
			}
			switch e.PrincipalID {
			case acl.RoleEveryone, acl.RoleAuthenticated, acl.RoleUnauthenticated, acl.RoleOwner, acl.RoleRelated:
				continue
			}
			seen[e.PrincipalID] = true
		}
	}
	out := make([]string, 0, len(seen))
	for r := range seen {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

// whoMay resolves the method's static ACLs (and the related model's, for relation methods) for
// an anonymous caller, a user, the instance's owner and a holder of each named role, as the
// framework's authorizer does at run time without ACL model rows.
func (b *builder) whoMay(m Method) access {
	verbs := make([]string, 0, len(m.Routes))
	hasID := !m.Static
	for _, r := range m.Routes {
		verbs = append(verbs, r.Verb)
		if strings.Contains(r.Path, ":id") {
			hasID = true
		}
	}
	at := acl.AccessTypeOf(m.Name, m.AccessType, verbs)
	roles := namedRoles(m.Model, m.Target)
	ps := []principal{{name: acl.RoleUnauthenticated}, {name: acl.RoleAuthenticated, user: true},
		{name: acl.RoleOwner, user: true, owner: true}}
	for _, r := range roles {
		ps = append(ps, principal{name: r, user: true, role: r})
	}
	allowed := map[string]bool{}
	for _, p := range ps {
		req := &acl.Request{Model: m.Model.Name, Property: m.Name, Aliases: m.Aliases, AccessType: at,
			MethodScopes: m.AccessScopes, IsUserModel: m.Model.IsA("User")}
		if hasID {
			req.ModelID = "1"
		}
		ok := b.allows(m.Model, req, p)
		if ok && m.Target != nil && m.TargetProperty != "" {
			treq := &acl.Request{Model: m.Target.Name, Property: m.TargetProperty, AccessType: m.TargetAccessType,
				IsUserModel: m.Target.IsA("User"), ModelID: "1"}
			ok = b.allows(m.Target, treq, p)
		}
		allowed[p.name] = ok
	}
	a := access{accessType: at, anonymous: allowed[acl.RoleUnauthenticated]}
	users := allowed[acl.RoleAuthenticated] && allowed[acl.RoleOwner]
	for _, r := range roles {
		users = users && allowed[r]
	}
	switch {
	case users && a.anonymous:
		a.roles = []string{acl.RoleEveryone}
	case users:
		a.roles = []string{acl.RoleAuthenticated}
	default:
		a.roles = []string{}
		for _, p := range ps {
			if allowed[p.name] {
				a.roles = append(a.roles, p.name)
			}
		}
	}
	return a
}

// allows checks one request for one kind of caller against a model's static ACLs.
func (b *builder) allows(m *schema.Model, req *acl.Request, p principal) bool {
	if p.user {
		// the instance is "1": an owner is user 1, any other user is user 2 (user models
		// decide ownership by comparing the two)
		req.UserID = "2"
		if p.owner {
			req.UserID = "1"
		}
		req.TokenScopes = req.MethodScopes // a token with the scope the method needs
	}
	roles := acl.NewRoles()
	for _, r := range namedRoles(m) {
		held := r == p.role
		_ = roles.Register(r, func(context.Context, *acl.Request) (bool, error) { return held, nil })
	}
	ch := acl.NewChecker(roles, heldRoles{role: p.role}, owning(p.owner), nil)
	d, err := ch.Check(context.Background(), req, acl.FromSchema(m.Name, m.ACLs), m.StringSetting("defaultPermission", ""))
	return err == nil && d.Allowed
}
