// Package authz enforces Loopgo's ACLs on REST calls with the acl engine: it implements the
// rest.Authorizer (static rules from the schema, dynamic rows of the ACL model, role mappings
// from Role and RoleMapping, ownership from the store), the static-role lookups of hooks
// (HasRole, read at most once per request), owner stamping and the explanations of decisions.
// It knows the application only through Config.
package authz

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/loopgo/loopgo/framework/acl"
	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/filter"
	"github.com/loopgo/loopgo/framework/rest"
	"github.com/loopgo/loopgo/framework/schema"
	"github.com/loopgo/loopgo/framework/store"
)

// Config is what an Authorizer needs from the application.
type Config struct {
	Models  *schema.Registry                // the model definitions
	StoreOf func(model string) *store.Store // the datasource a model is attached to, nil when none
	Roles   *acl.Roles                      // custom role resolvers; nil = the built-in roles only
	Logger  *slog.Logger                    // ACL decisions at debug level; nil = slog.Default()
	// ACLErrorStatus returns the application's status of a denial with a token (0 or 401, 403,
	// 404); a model's aclErrorStatus setting wins. nil = 401.
	ACLErrorStatus func() int
}

// Authorizer enforces ACLs on every remote call (rest.Authorizer) with the acl engine; it also
// answers the explain endpoint (rest.Explainer). Safe for concurrent use.
type Authorizer struct {
	models      *schema.Registry
	storeOf     func(string) *store.Store
	roles       *acl.Roles
	log         *slog.Logger
	errorStatus func() int
	rows        aclRows
	anon        anonDecisions
	static      sync.Map // *schema.Model -> []acl.Entry
}

// New returns an Authorizer for cfg.
func New(cfg Config) *Authorizer {
	z := &Authorizer{models: cfg.Models, storeOf: cfg.StoreOf, roles: cfg.Roles, log: cfg.Logger, errorStatus: cfg.ACLErrorStatus}
	if z.models == nil {
		z.models = schema.NewRegistry()
	}
	if z.storeOf == nil {
		z.storeOf = func(string) *store.Store { return nil }
	}
	if z.roles == nil {
		z.roles = acl.NewRoles()
	}
	if z.log == nil {
		z.log = slog.Default()
	}
	if z.errorStatus == nil {
		z.errorStatus = func() int { return 0 }
	}
	z.rows.z = z
	return z
}

// RegisterRole registers a custom role resolver, e.g. "teamMember".
func (z *Authorizer) RegisterRole(name string, fn acl.RoleResolver) error {
	z.anon.clear()
	return z.roles.Register(name, fn)
}

// Roles returns the role resolvers.
func (z *Authorizer) Roles() *acl.Roles { return z.roles }

// InvalidateACLs drops the cached rows of the ACL model; it is the model's "after save" and
// "after delete" hook.
func (z *Authorizer) InvalidateACLs(ctx context.Context, hc *store.HookContext) error {
	return z.rows.invalidate(ctx, hc)
}

// Authorize checks the call against the model's static and dynamic ACLs.
func (z *Authorizer) Authorize(ctx context.Context, c *rest.Call) error {
	m := c.Method.Model
	allowed, d, err := z.decide(ctx, c, m, z.request(c))
	if err != nil {
		return apierr.Internal(fmt.Errorf("acl check %s: %w", c.Method.StringName(), err))
	}
	if !allowed {
		return z.denied(m, c)
	}
	if d != nil {
		c.AuthorizedRoles = d.AuthorizedRoles
	}
	return z.afterAllowed(ctx, c)
}

// decide answers a request, reusing an earlier anonymous decision for the same model, method
// and access type when it cannot depend on the request (d is nil then).
func (z *Authorizer) decide(ctx context.Context, c *rest.Call, m *schema.Model, req *acl.Request) (bool, *acl.Decision, error) {
	key := ""
	if c.Token == nil {
		// everything of the request that the decision can depend on for an anonymous caller
		key = strings.Join([]string{m.Name, req.Property, req.AccessType, strings.Join(req.Aliases, ","),
			strings.Join(req.MethodScopes, ",")}, "\x00")
		if allowed, ok := z.anon.get(key, z.rows.generation()); ok {
			return allowed, nil, nil
		}
	}
	d, err := z.check(ctx, c, m, req)
	if err != nil {
		return false, nil, err
	}
	if key != "" && z.anonymousCacheable(d) {
		z.anon.put(key, z.rows.generation(), d.Allowed)
	}
	return d.Allowed, d, nil
}

// afterAllowed applies the related model's ACL to relation methods.
func (z *Authorizer) afterAllowed(ctx context.Context, c *rest.Call) error {
	if c.Method.Target != nil {
		return z.checkTarget(ctx, c)
	}
	return nil
}

// anonymousCacheable reports whether an anonymous decision can be reused for the same model,
// method and access type: no rule it weighed names a role with a custom resolver (which may
// look at anything in the request). $owner and static roles never match an anonymous caller.
func (z *Authorizer) anonymousCacheable(d *acl.Decision) bool {
	for _, c := range d.Candidates {
		if !strings.EqualFold(c.Entry.PrincipalType, acl.ROLE) {
			continue
		}
		switch c.Entry.PrincipalID {
		case acl.RoleEveryone, acl.RoleAuthenticated, acl.RoleUnauthenticated, acl.RoleOwner:
			continue
		}
		if _, custom := z.roles.Resolver(c.Entry.PrincipalID); custom {
			return false
		}
	}
	return true
}

// anonDecisions caches anonymous ACL decisions per model, method and access type, for one
// generation of the dynamic ACL rows.
type anonDecisions struct {
	mu  sync.RWMutex
	gen uint64
	m   map[string]bool
}

func (d *anonDecisions) get(key string, gen uint64) (allowed, ok bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.gen != gen || d.m == nil {
		return false, false
	}
	allowed, ok = d.m[key]
	return allowed, ok
}

func (d *anonDecisions) put(key string, gen uint64, allowed bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.gen != gen || d.m == nil {
		d.gen, d.m = gen, map[string]bool{}
	}
	d.m[key] = allowed
}

func (d *anonDecisions) clear() {
	d.mu.Lock()
	d.m = nil
	d.mu.Unlock()
}

// relationOps maps a relation method's operation to the related model's method and access type
// that must also be allowed (Loopgo's rule: a related model is served only where its own ACL
// allows it).
var relationOps = map[string][2]string{
	"get": {"find", acl.READ}, "count": {"count", acl.READ}, "exists": {"exists", acl.READ},
	"findById": {"findById", acl.READ}, "create": {"create", acl.WRITE},
	"update": {"patchAttributes", acl.WRITE}, "updateById": {"patchAttributes", acl.WRITE},
	"destroy": {"deleteById", acl.WRITE}, "destroyById": {"deleteById", acl.WRITE},
	"delete": {"deleteById", acl.WRITE}, "link": {"findById", acl.READ}, "unlink": {"findById", acl.READ},
}

// relationTarget returns the operation of a relation method ("get" of __get__notes) and the
// related model's method and access type it needs (find, READ for an unknown operation).
func relationTarget(name string) (op string, target [2]string) {
	op, _, _ = strings.Cut(strings.TrimPrefix(name, "__"), "__")
	target, ok := relationOps[op]
	if !ok {
		target = [2]string{"find", acl.READ}
	}
	return op, target
}

// RelatedAccess returns the method and access type a relation method needs on its related
// model, judged without a record (openapi, Endpoints): the related model's method of the
// operation, findById for the get of a belongsTo relation (one known instance).
func RelatedAccess(mt *rest.Method) (property, accessType string) {
	op, t := relationTarget(mt.Name)
	if op == "get" && mt.Relation != nil && mt.Relation.Type == schema.BelongsTo {
		t[0] = "findById"
	}
	return t[0], t[1]
}

// checkTarget applies the related model's ACL to a relation method (__get__notes, ...).
func (z *Authorizer) checkTarget(ctx context.Context, c *rest.Call) error {
	op, target := relationTarget(c.Method.Name)
	req := z.principal(c, &acl.Request{Model: c.Method.Target.Name, Property: target[0], AccessType: target[1],
		IsUserModel: c.Method.Target.IsA("User")})
	if fk, ok := c.Args["fk"]; ok && fk != nil {
		req.ModelID = schema.IDString(fk)
	} else if rel := c.Method.Relation; rel != nil && rel.Type == "belongsTo" && op == "get" {
		// GET /notes/1/owner reads one known instance: check it as findById of that instance
		id, err := z.belongsToID(ctx, c)
		if err != nil {
			return err
		}
		if id != "" {
			req.Property, req.ModelID = "findById", id
		}
	}
	d, err := z.check(ctx, c, c.Method.Target, req)
	if err != nil {
		return apierr.Internal(fmt.Errorf("acl check of %s: %w", c.Method.Target.Name, err))
	}
	if !d.Allowed {
		return z.denied(c.Method.Target, c)
	}
	return nil
}

// belongsToID returns the foreign key value of a belongsTo relation on the call's instance.
func (z *Authorizer) belongsToID(ctx context.Context, c *rest.Call) (string, error) {
	m := c.Method.Model
	st := z.storeOf(m.Name)
	if st == nil || c.InstanceID == nil {
		return "", nil
	}
	inst, err := st.FindByID(ctx, m, c.InstanceID, nil)
	if err != nil {
		return "", apierr.Internal(fmt.Errorf("load %s for its %s: %w", m.Name, c.Method.Relation.Name, err))
	}
	fk := c.Method.Relation.ForeignKeyName(m.Name)
	if inst == nil || inst[fk] == nil {
		return "", nil
	}
	return schema.IDString(inst[fk]), nil
}

// CheckRead implements rest.ReadChecker: may the caller READ model m as a whole (id "": find)
// or one instance of it (findById), for include and where on related models?
func (z *Authorizer) CheckRead(ctx context.Context, c *rest.Call, m *schema.Model, id string) error {
	req := z.principal(c, &acl.Request{Model: m.Name, Property: "find", AccessType: acl.READ, IsUserModel: m.IsA("User")})
	if id != "" {
		req.Property, req.ModelID = "findById", id
	}
	allowed, _, err := z.decide(ctx, c, m, req)
	if err != nil {
		return apierr.Internal(fmt.Errorf("acl check of %s: %w", m.Name, err))
	}
	if !allowed {
		return z.denied(m, c)
	}
	return nil
}

// principal fills the request's principal fields from the call's token.
func (z *Authorizer) principal(c *rest.Call, req *acl.Request) *acl.Request {
	if c.Token != nil {
		req.UserID = schema.IDString(c.Token.UserID)
		req.UserModel = z.PrincipalModel(c.Token.UserModel)
		req.TokenScopes = c.Token.Scopes
	}
	return req
}

// checker returns the call's acl.Checker: one per request, whose role mappings are the call's
// (callState), so that the caller's static roles are looked up at most once however many checks
// (method, related models, included records, HasRole) it makes. c nil: a fresh checker.
func (z *Authorizer) checker(c *rest.Call) *acl.Checker {
	if c == nil {
		return acl.NewChecker(z.roles, z, z, z.dynamic())
	}
	st := z.state(c)
	if st.checker == nil {
		st.checker = acl.NewChecker(z.roles, st, z, z.dynamic())
	}
	return st.checker
}

// check resolves one access request with the call's checker (c may be nil: a fresh checker).
func (z *Authorizer) check(ctx context.Context, c *rest.Call, m *schema.Model, req *acl.Request) (*acl.Decision, error) {
	d, err := z.checker(c).Check(ctx, req, z.StaticACLs(m), m.StringSetting("defaultPermission", ""))
	if err != nil {
		return nil, err
	}
	if z.log.Enabled(ctx, slog.LevelDebug) {
		z.log.Debug("acl decision", "model", req.Model, "property", req.Property, "accessType", req.AccessType,
			"user_id", req.UserID, "decision", d.Permission, "reason", d.Reason)
	}
	return d, nil
}

// request describes a call for the acl engine.
func (z *Authorizer) request(c *rest.Call) *acl.Request {
	m := c.Method.Model
	req := &acl.Request{
		Model: m.Name, Property: c.Method.Name, Aliases: c.Method.Aliases,
		AccessType:   acl.AccessTypeOf(c.Method.Name, c.Method.AccessType, c.Method.Verbs()),
		MethodScopes: c.Method.AccessScopes, IsUserModel: m.IsA("User"),
	}
	z.principal(c, req)
	req.ModelID = modelIDOf(c)
	return req
}

// modelIDOf is the id of the record a call acts on, the one $owner is decided on: the instance
// of a prototype method, or the :id path segment of a static one (findById, exists, deleteById,
// replaceById, a remote method at /:id/...). An id in the query or the body never counts: a
// collection method (updateAll, upsertWithWhere, upserts, create) writes what its where or
// data select, so an id of the caller's own record there must not make it $owner.
func modelIDOf(c *rest.Call) string {
	if !c.Method.Static && c.InstanceID != nil {
		return schema.IDString(c.InstanceID)
	}
	return c.PathID
}

// denied maps a denial to LoopBack's status: anonymous 401; with a token aclErrorStatus decides.
func (z *Authorizer) denied(m *schema.Model, c *rest.Call) error {
	if c.Token == nil {
		return apierr.Unauthorized("AUTHORIZATION_REQUIRED", "Authorization Required")
	}
	status := m.IntSetting("aclErrorStatus", z.errorStatus())
	switch status {
	case 403:
		return apierr.New(403, "ACCESS_DENIED", "Access Denied")
	case 404:
		return apierr.NotFound("could not find %s with id %s", m.Name, modelIDOf(c))
	}
	return apierr.Unauthorized("AUTHORIZATION_REQUIRED", "Authorization Required")
}

// RolesOf implements acl.RoleMappings with the Role and RoleMapping models.
func (z *Authorizer) RolesOf(ctx context.Context, principals []acl.Principal) ([]string, error) {
	rmDef, rmStore := z.models.Model("RoleMapping"), z.storeOf("RoleMapping")
	roleDef, roleStore := z.models.Model("Role"), z.storeOf("Role")
	if rmDef == nil || rmStore == nil || roleDef == nil || roleStore == nil || len(principals) == 0 {
		return nil, nil
	}
	var or filter.Or
	for _, p := range principals {
		or = append(or, filter.And{eq(rmDef, "principalType", p.Type), eq(rmDef, "principalId", p.ID)})
	}
	maps, err := rmStore.Find(ctx, rmDef, &filter.Filter{Where: or})
	if err != nil {
		return nil, fmt.Errorf("find role mappings: %w", err)
	}
	if len(maps) == 0 {
		return nil, nil
	}
	ids := make([]any, 0, len(maps))
	for _, rm := range maps {
		if rm["roleId"] != nil {
			ids = append(ids, rm["roleId"])
		}
	}
	roles, err := roleStore.Find(ctx, roleDef, &filter.Filter{Where: &filter.Cmp{Property: "id", Prop: roleDef.IDProperty(), Op: filter.Inq, Values: ids}})
	if err != nil {
		return nil, fmt.Errorf("find roles: %w", err)
	}
	names := make([]string, 0, len(roles))
	for _, r := range roles {
		if n, ok := r["name"].(string); ok {
			names = append(names, n)
		}
	}
	return names, nil
}

// IsOwner implements acl.Owners: it loads the instance and applies LoopBack's owner rules.
func (z *Authorizer) IsOwner(ctx context.Context, model, modelID, userID string) (bool, error) {
	m := z.models.Model(model)
	st := z.storeOf(model)
	if m == nil || st == nil {
		return false, nil
	}
	id := any(modelID)
	if p := m.IDProperty(); p != nil && p.Type == schema.Number {
		v, err := p.CoerceQuery(modelID)
		if err != nil {
			return false, nil
		}
		id = v
	}
	inst, known := knownInstance(ctx, model, modelID)
	if !known {
		var err error
		if inst, err = st.FindByID(ctx, m, id, nil); err != nil || inst == nil {
			return false, err
		}
	}
	if inst == nil {
		return false, nil
	}
	var rels []acl.OwnerRelation
	for _, r := range m.Relations {
		if r.Type != "belongsTo" {
			continue
		}
		if target := z.models.Model(r.Model); target != nil && target.IsA("User") {
			rels = append(rels, acl.OwnerRelation{Name: r.Name, ForeignKey: r.ForeignKey})
		}
	}
	owner, _ := m.Setting("ownerRelations")
	return acl.OwnerOf(inst, rels, owner, userID), nil
}

// dynamic returns the ACL model as acl.DynamicACLs, or nil when it is not attached.
func (z *Authorizer) dynamic() acl.DynamicACLs {
	if z.storeOf("ACL") == nil || z.models.Model("ACL") == nil {
		return nil
	}
	return &z.rows
}

// aclRowsTTL bounds how long rows of the ACL model are cached: writes through this app clear the
// cache at once; writes by another app instance on the same database show within this time.
const aclRowsTTL = time.Second

// aclRows caches the rows of the dynamic ACL model, so a request costs no ACL query.
type aclRows struct {
	z       *Authorizer
	mu      sync.Mutex
	entries []acl.Entry
	loaded  time.Time
	gen     uint64 // bumped on every (re)load and invalidation
}

// generation returns a number that changes whenever the cached rows may have changed; it also
// advances when the rows are due for a reload, so decisions built on them expire with them.
func (c *aclRows) generation() uint64 {
	if c.z == nil || c.z.storeOf("ACL") == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if time.Since(c.loaded) > aclRowsTTL {
		return c.gen + 1
	}
	return c.gen
}

// invalidate drops the cache (after a write to the ACL model).
func (c *aclRows) invalidate(context.Context, *store.HookContext) error {
	c.mu.Lock()
	c.loaded = time.Time{}
	c.gen++
	c.mu.Unlock()
	return nil
}

// Find returns the ACL rows for a model (or "*"); the checker filters them further.
func (c *aclRows) Find(ctx context.Context, model, property string, aliases []string, accessType string) ([]acl.Entry, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if time.Since(c.loaded) > aclRowsTTL {
		entries, err := c.load(ctx)
		if err != nil {
			return nil, err
		}
		c.entries, c.loaded = entries, time.Now()
		c.gen++
	}
	var out []acl.Entry
	for _, e := range c.entries {
		if e.Model == model || e.Model == acl.All {
			out = append(out, e)
		}
	}
	return out, nil
}

func (c *aclRows) load(ctx context.Context) ([]acl.Entry, error) {
	m, st := c.z.models.Model("ACL"), c.z.storeOf("ACL")
	rows, err := st.Find(ctx, m, nil)
	if err != nil {
		return nil, fmt.Errorf("load the ACL model's rows: %w", err)
	}
	out := make([]acl.Entry, 0, len(rows))
	for _, r := range rows {
		e := acl.Entry{Origin: fmt.Sprintf("ACL#%v", r["id"])}
		e.Model, _ = r["model"].(string)
		e.Property, _ = r["property"].(string)
		e.AccessType, _ = r["accessType"].(string)
		e.Permission, _ = r["permission"].(string)
		e.PrincipalType, _ = r["principalType"].(string)
		e.PrincipalID, _ = r["principalId"].(string)
		e.AccessType = strings.ToUpper(e.AccessType)
		out = append(out, e)
	}
	return out, nil
}

func eq(m *schema.Model, prop string, v any) *filter.Cmp {
	return &filter.Cmp{Property: prop, Prop: m.Property(prop), Op: filter.Eq, Value: v}
}

// StaticACLs returns a model's static ACL entries (its YAML and model-config.yaml), converted
// once.
func (z *Authorizer) StaticACLs(m *schema.Model) []acl.Entry {
	if v, ok := z.static.Load(m); ok {
		return v.([]acl.Entry)
	}
	entries := acl.FromSchema(m.Name, m.ACLs)
	z.static.Store(m, entries)
	return entries
}

// Dynamic returns the rows of the ACL model as acl.DynamicACLs (cached), or nil when the model
// is not attached.
func (z *Authorizer) Dynamic() acl.DynamicACLs { return z.dynamic() }

// PrincipalModel is the principal type a token's user model gives in ACLs and role mappings:
// "" (USER) when the app attaches one user model, the model's name when it attaches several (as
// LoopBack's polymorphic user relation: user 5 of Customer is not user 5 of User).
func (z *Authorizer) PrincipalModel(model string) string {
	n := 0
	for _, m := range z.models.Models() {
		if m.IsA("User") && z.storeOf(m.Name) != nil {
			n++
		}
	}
	if n <= 1 {
		return ""
	}
	return model
}
