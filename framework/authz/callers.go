package authz

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/loopgo/loopgo/framework/acl"
	"github.com/loopgo/loopgo/framework/rest"
	"github.com/loopgo/loopgo/framework/schema"
)

// Callers says who may call a REST method by the static ACLs (the models' YAML and
// model-config.yaml; rows of the ACL model are not counted). Each principal is judged alone: a
// user who is both $owner and admin is not a case of its own.
type Callers struct {
	// Base is the broadest class allowed: "$everyone", "$authenticated" (any logged-in user),
	// "$unauthenticated" (anonymous callers only) or "" (none of them).
	Base string
	// Also lists principals allowed beyond Base: "$owner" (the owner of the record in the
	// path), role names, "USER:<id>".
	Also []string
	// Except lists principals refused although Base allows them.
	Except []string
	// Scopes are the token scopes the method requires when it does not accept ordinary tokens
	// (e.g. reset-password); the classes above then hold for tokens with such a scope.
	Scopes []string
}

// String renders the callers in one line, e.g. "$authenticated", "$owner, admin", "nobody".
func (c Callers) String() string {
	parts := []string{}
	if c.Base != "" {
		parts = append(parts, c.Base)
	}
	parts = append(parts, c.Also...)
	s := strings.Join(parts, ", ")
	if s == "" {
		s = "nobody"
	}
	if len(c.Except) > 0 {
		s += " except " + strings.Join(c.Except, ", ")
	}
	if len(c.Scopes) > 0 {
		s += " (with a token of scope " + strings.Join(c.Scopes, " or ") + ")"
	}
	return s
}

// principalClass is one kind of caller whose access WhoMayCall judges.
type principalClass struct {
	label     string // how Callers names it
	anonymous bool
	owner     bool   // owner of the record in the path
	role      string // a role the caller has (static or custom)
	userType  string // USER entries: the principal type and id named by the rule
	userID    string
}

// WhoMayCall judges, by the static ACLs alone, which kinds of callers may call mt through a
// route with this path: anonymous, any logged-in user, the owner of the record in the path, a
// member of each role the rules name, each user they name. Relation methods also need the
// related model's ACL, as for a real call.
func (z *Authorizer) WhoMayCall(ctx context.Context, mt *rest.Method, path string) (Callers, error) {
	m := mt.Model
	req := acl.Request{
		Model: m.Name, Property: mt.Name, Aliases: mt.Aliases,
		AccessType: acl.AccessTypeOf(mt.Name, mt.AccessType, mt.Verbs()), MethodScopes: mt.AccessScopes,
		IsUserModel: m.IsA("User"),
	}
	hasID := strings.Contains(path, "/:id")
	if hasID {
		req.ModelID = "1"
	}
	entries := z.StaticACLs(m)
	var target *acl.Request
	var targetEntries []acl.Entry
	if mt.Target != nil {
		op, t := relationTarget(mt.Name)
		target = &acl.Request{Model: mt.Target.Name, Property: t[0], AccessType: t[1], IsUserModel: mt.Target.IsA("User")}
		switch {
		case mt.Relation != nil && mt.Relation.Type == schema.BelongsTo && op == "get":
			target.Property, target.ModelID = "findById", "1" // as the authorizer checks it
		case strings.Contains(path, "/:fk"):
			target.ModelID = "1"
		}
		targetEntries = z.StaticACLs(mt.Target)
	}
	var scopes []string
	if mt.AccessScopes != nil && !slices.Contains(mt.AccessScopes, acl.DefaultScope) {
		scopes = mt.AccessScopes
	}
	classes := []principalClass{{label: acl.RoleUnauthenticated, anonymous: true}, {label: acl.RoleAuthenticated}}
	if hasID {
		classes = append(classes, principalClass{label: acl.RoleOwner, owner: true})
	}
	seen := map[string]bool{}
	collect := func(r *acl.Request, es []acl.Entry) {
		for _, e := range es {
			if r == nil || !acl.StaticApplies(e, r) {
				continue
			}
			switch t := strings.ToUpper(e.PrincipalType); {
			case t == acl.ROLE:
				switch e.PrincipalID {
				case acl.RoleEveryone, acl.RoleAuthenticated, acl.RoleUnauthenticated, acl.RoleOwner, "":
					continue
				}
				if !seen["r\x00"+e.PrincipalID] {
					seen["r\x00"+e.PrincipalID] = true
					classes = append(classes, principalClass{label: e.PrincipalID, role: e.PrincipalID})
				}
			case t == acl.APP || t == acl.APPLICATION || t == acl.SCOPE:
			default: // USER or a user model's name
				if key := "u\x00" + e.PrincipalType + "\x00" + e.PrincipalID; !seen[key] {
					seen[key] = true
					classes = append(classes, principalClass{label: e.PrincipalType + ":" + e.PrincipalID, userType: e.PrincipalType, userID: e.PrincipalID})
				}
			}
		}
	}
	collect(&req, entries)
	collect(target, targetEntries)
	allowed := make([]bool, len(classes))
	for i, pc := range classes {
		ok, err := staticallyAllowed(ctx, pc, req, m, entries, scopes)
		if err != nil {
			return Callers{}, err
		}
		if ok && target != nil {
			if ok, err = staticallyAllowed(ctx, pc, *target, mt.Target, targetEntries, nil); err != nil {
				return Callers{}, err
			}
		}
		allowed[i] = ok
	}
	var c Callers
	anon, auth := allowed[0], allowed[1]
	switch {
	case anon && auth:
		c.Base = acl.RoleEveryone
	case auth:
		c.Base = acl.RoleAuthenticated
	case anon:
		c.Base = acl.RoleUnauthenticated
	}
	for i := 2; i < len(classes); i++ {
		switch {
		case allowed[i] && !auth:
			c.Also = append(c.Also, classes[i].label)
		case !allowed[i] && auth:
			c.Except = append(c.Except, classes[i].label)
		}
	}
	if c.Base != "" || len(c.Also) > 0 {
		c.Scopes = scopes
	}
	return c, nil
}

// staticallyAllowed decides req for one class of caller with the static entries alone, every
// role answered by the class (no database, no custom resolver runs).
func staticallyAllowed(ctx context.Context, pc principalClass, req acl.Request, m *schema.Model, entries []acl.Entry, scopes []string) (bool, error) {
	roles := acl.NewRoles()
	member := func(in bool) acl.RoleResolver {
		return func(context.Context, *acl.Request) (bool, error) { return in, nil }
	}
	_ = roles.Register(acl.RoleOwner, member(pc.owner && req.ModelID != ""))
	for _, e := range entries {
		if strings.EqualFold(e.PrincipalType, acl.ROLE) && e.PrincipalID != "" && !strings.HasPrefix(e.PrincipalID, "$") {
			_ = roles.Register(e.PrincipalID, member(e.PrincipalID == pc.role))
		}
	}
	if !pc.anonymous {
		req.UserID = "\x00any" // a user no USER rule names
		if pc.userID != "" {
			req.UserID = pc.userID
			if !strings.EqualFold(pc.userType, acl.USER) {
				req.UserModel = pc.userType
			}
		}
		req.TokenScopes = scopes
	}
	d, err := acl.NewChecker(roles, nil, nil, nil).Check(ctx, &req, entries, m.StringSetting("defaultPermission", ""))
	if err != nil {
		return false, fmt.Errorf("acl of %s.%s: %w", req.Model, req.Property, err)
	}
	return d.Allowed, nil
}
