package acl

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
)

// Checker decides access for one request; it caches role answers and the request's static role
// mappings, so RoleMappings is asked at most once however many rules name roles. It is safe for
// concurrent use, but meant to live only as long as the request.
type Checker struct {
	roles    *Roles
	mappings RoleMappings
	owners   Owners
	dynamic  DynamicACLs

	mu        sync.Mutex
	roleCache map[string]bool

	mappingMu sync.Mutex
	mapped    map[string]map[string]bool // principals key -> role names
}

// NewChecker returns a per-request Checker. roles nil means the built-ins only; mappings, owners
// and dynamic may be nil (no static roles, nobody owns anything but their own user record, no
// ACL model rows).
func NewChecker(roles *Roles, mappings RoleMappings, owners Owners, dynamic DynamicACLs) *Checker {
	if roles == nil {
		roles = NewRoles()
	}
	return &Checker{
		roles:     roles,
		mappings:  mappings,
		owners:    owners,
		dynamic:   dynamic,
		roleCache: map[string]bool{},
		mapped:    map[string]map[string]bool{},
	}
}

// Check resolves the request against the dynamic ACLs (fetched through DynamicACLs) and the
// model's static entries (selected by StaticApplies), as LoopBack 3 does (spec 3.4-3.6, scopes
// 2.6). defaultPermission is the target model's setting ("" means ALLOW). An error means a role
// resolver, the role mappings, the owner check or the dynamic ACLs failed (LoopBack answers 500).
func (c *Checker) Check(ctx context.Context, req *Request, static []Entry, defaultPermission string) (*Decision, error) {
	if req == nil {
		return nil, errors.New("acl: check: nil request")
	}
	if !req.ScopeAllowed() {
		return &Decision{
			Permission:      DENY,
			ScopeDenied:     true,
			AuthorizedRoles: map[string]bool{},
			Reason: fmt.Sprintf("DENY by scopes: token scopes %v share none with method scopes %v",
				scopesOrDefault(req.TokenScopes), scopesOrDefault(req.MethodScopes)),
		}, nil
	}
	entries, err := c.selectEntries(ctx, req, static)
	if err != nil {
		return nil, err
	}
	cands := make([]Candidate, len(entries))
	for i, e := range entries {
		cands[i] = Candidate{Entry: e, Score: Score(e, req)}
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].Score > cands[j].Score })

	decisive, err := c.resolve(ctx, req, cands)
	if err != nil {
		return nil, err
	}
	return c.decide(req, cands, decisive, defaultPermission), nil
}

// selectEntries returns the dynamic entries that pass LoopBack's ACL-model query, then the static
// entries selected for the method (dynamic first, as LoopBack concatenates them).
func (c *Checker) selectEntries(ctx context.Context, req *Request, static []Entry) ([]Entry, error) {
	var out []Entry
	if c.dynamic != nil {
		rows, err := c.dynamic.Find(ctx, req.Model, orAll(req.Property), req.Aliases, orAll(req.AccessType))
		if err != nil {
			return nil, fmt.Errorf("acl: find dynamic ACLs for %s.%s: %w", req.Model, req.Property, err)
		}
		for _, e := range rows {
			if DynamicApplies(e, req) {
				e.Static = false
				out = append(out, e)
			}
		}
	}
	for _, e := range static {
		if !StaticApplies(e, req) {
			continue
		}
		e.Static = true
		if e.Model == "" {
			e.Model = req.Model
		}
		out = append(out, e)
	}
	return out, nil
}

// resolve walks the candidates by descending score (spec 3.6), checking principals lazily, and
// returns the index of the deciding candidate or -1.
func (c *Checker) resolve(ctx context.Context, req *Request, cands []Candidate) (int, error) {
	wildcard := req.IsWildcard()
	for i := range cands {
		cand := &cands[i]
		if cand.Score < 0 {
			break
		}
		ok, err := c.principalMatches(ctx, req, &cand.Entry)
		if err != nil {
			return -1, err
		}
		cand.Evaluated, cand.Matched = true, ok
		if !ok {
			continue
		}
		if !wildcard || exactlyMatches(cand.Entry, req) ||
			PermissionOrder(resolvedPermission(cand.Entry.Permission)) > PermissionOrder(DEFAULT) {
			cand.Decisive = true
			return i, nil
		}
	}
	return -1, nil
}

// decide turns the deciding candidate into a Decision, applying defaultPermission.
func (c *Checker) decide(req *Request, cands []Candidate, decisive int, defaultPermission string) *Decision {
	def := defaultOf(defaultPermission)
	d := &Decision{Candidates: cands, AuthorizedRoles: map[string]bool{}, defaultPermission: def}
	perm := DEFAULT
	if decisive >= 0 {
		m := cands[decisive].Entry
		d.Matched = &m
		perm = resolvedPermission(m.Permission)
	}
	if perm == DEFAULT {
		d.Defaulted = true
		perm = def
	}
	d.Permission = perm
	d.Allowed = perm != DENY
	switch {
	case d.Matched != nil && !d.Defaulted:
		d.Reason = fmt.Sprintf("%s by %s (%s), score %d", perm, d.Matched.where(), d.Matched.describe(), cands[decisive].Score)
	case d.Matched != nil:
		d.Reason = fmt.Sprintf("%s by defaultPermission: %s (%s) resolved DEFAULT, score %d", perm, d.Matched.where(), d.Matched.describe(), cands[decisive].Score)
	default:
		d.Reason = fmt.Sprintf("%s by defaultPermission: no rule matches %s.%s %s", perm, req.Model, orAll(req.Property), orAll(req.AccessType))
	}
	if d.Allowed {
		for _, cand := range cands {
			if cand.Matched && isRoleEntry(cand.Entry) && allowish(cand.Entry.Permission, def) {
				d.AuthorizedRoles[cand.Entry.PrincipalID] = true
			}
		}
	}
	return d
}

// AuthorizedRoles completes d.AuthorizedRoles as LoopBack computes options.authorizedRoles: the
// roles of every applicable ROLE rule the request is in whose permission is not DENY, evaluating
// the rules Check did not need to reach. It is empty when the decision denies.
func (c *Checker) AuthorizedRoles(ctx context.Context, req *Request, d *Decision) (map[string]bool, error) {
	out := map[string]bool{}
	if d == nil || !d.Allowed {
		return out, nil
	}
	def := d.defaultPermission
	if def == "" {
		def = ALLOW
	}
	for i := range d.Candidates {
		cand := &d.Candidates[i]
		if cand.Score < 0 || !isRoleEntry(cand.Entry) {
			continue
		}
		if !cand.Evaluated {
			ok, err := c.principalMatches(ctx, req, &cand.Entry)
			if err != nil {
				return nil, err
			}
			cand.Evaluated, cand.Matched = true, ok
		}
		if cand.Matched && allowish(cand.Entry.Permission, def) {
			out[cand.Entry.PrincipalID] = true
		}
	}
	d.AuthorizedRoles = out
	return out, nil
}

// principalMatches reports whether the entry names one of the request's principals or a role the
// request is in.
func (c *Checker) principalMatches(ctx context.Context, req *Request, e *Entry) (bool, error) {
	if isRoleEntry(*e) {
		return c.InRole(ctx, req, e.PrincipalID)
	}
	return req.matchesPrincipal(e), nil
}

// InRole reports whether the request is in a role: a registered resolver decides if there is one,
// else $owner is checked, else the static role mappings. Answers are cached per request.
func (c *Checker) InRole(ctx context.Context, req *Request, role string) (bool, error) {
	key := role + "\x00" + req.cacheKey()
	c.mu.Lock()
	v, ok := c.roleCache[key]
	c.mu.Unlock()
	if ok {
		return v, nil
	}
	var in bool
	var err error
	if fn, found := c.roles.Resolver(role); found {
		in, err = callResolver(ctx, fn, req)
	} else if role == RoleOwner {
		in, err = c.isOwner(ctx, req)
	} else {
		in, err = c.isMapped(ctx, req, role)
	}
	if err != nil {
		return false, fmt.Errorf("acl: resolve role %q: %w", role, err)
	}
	c.mu.Lock()
	c.roleCache[key] = in
	c.mu.Unlock()
	return in, nil
}

// isOwner is the built-in $owner resolver (spec 3.7): user model targets compare ids, other
// models ask Owners.
func (c *Checker) isOwner(ctx context.Context, req *Request) (bool, error) {
	if req.UserID == "" || req.ModelID == "" || req.Model == "" {
		return false, nil
	}
	if req.IsUserModel {
		sameKind := req.UserModel == "" || req.UserModel == USER || req.UserModel == req.Model
		return sameKind && req.ModelID == req.UserID, nil
	}
	if c.owners == nil {
		return false, nil
	}
	return c.owners.IsOwner(ctx, req.Model, req.ModelID, req.UserID)
}

// isMapped reports whether any request principal is mapped to the static role; RoleMappings is
// asked once per set of principals and the answer kept.
func (c *Checker) isMapped(ctx context.Context, req *Request, role string) (bool, error) {
	ps := req.Principals()
	if len(ps) == 0 || c.mappings == nil {
		return false, nil
	}
	keys := make([]string, len(ps))
	for i, p := range ps {
		keys[i] = p.Type + "\x01" + p.ID
	}
	slices.Sort(keys)
	key := strings.Join(keys, "\x00")

	c.mappingMu.Lock()
	defer c.mappingMu.Unlock()
	names, ok := c.mapped[key]
	if !ok {
		list, err := c.mappings.RolesOf(ctx, ps)
		if err != nil {
			return false, fmt.Errorf("role mappings: %w", err)
		}
		names = make(map[string]bool, len(list))
		for _, n := range list {
			names[n] = true
		}
		c.mapped[key] = names
	}
	return names[role], nil
}

// callResolver runs a user-supplied resolver, turning a panic into an error.
func callResolver(ctx context.Context, fn RoleResolver, req *Request) (in bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			in, err = false, fmt.Errorf("resolver panicked: %v", r)
		}
	}()
	return fn(ctx, req)
}

// isRoleEntry reports whether the entry's principal is a role.
func isRoleEntry(e Entry) bool { return canonicalPrincipalType(e.PrincipalType) == ROLE }

// allowish is LoopBack's ACL.isAllowed: DEFAULT takes the default permission, then not DENY.
func allowish(p, def string) bool {
	p = resolvedPermission(p)
	if p == DEFAULT {
		p = def
	}
	return p != DENY
}

// defaultOf normalises a model's defaultPermission: "" or DEFAULT is ALLOW, an unknown value DENY.
func defaultOf(p string) string {
	p = strings.ToUpper(p)
	if p == "" || p == DEFAULT {
		return ALLOW
	}
	return resolvedPermission(p)
}
