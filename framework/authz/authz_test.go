package authz

import (
	"context"
	"io/fs"
	"log/slog"
	"path"
	"strings"
	"sync"
	"testing"

	"github.com/loopgo/loopgo/framework/accounts"
	"github.com/loopgo/loopgo/framework/acl"
	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/rest"
	"github.com/loopgo/loopgo/framework/schema"
	"github.com/loopgo/loopgo/framework/store"
)

const noteYAML = `
name: Note
plural: notes
ownerFromToken: true
properties:
  title: string
  ownerId: number
relations:
  owner: {type: belongsTo, model: User, foreignKey: ownerId}
acls:
  - {principalType: ROLE, principalId: $everyone, permission: DENY}
  - {principalType: ROLE, principalId: $everyone, permission: ALLOW, property: find}
  - {principalType: ROLE, principalId: $owner, permission: ALLOW}
  - {principalType: ROLE, principalId: admin, permission: ALLOW}
  - {principalType: ROLE, principalId: teamMember, permission: ALLOW, property: count}
`

// sqlCounter counts the SQL statements the store logs, by the table they name.
type sqlCounter struct {
	mu    sync.Mutex
	stmts []string
}

func (c *sqlCounter) Enabled(context.Context, slog.Level) bool { return true }
func (c *sqlCounter) WithAttrs([]slog.Attr) slog.Handler       { return c }
func (c *sqlCounter) WithGroup(string) slog.Handler            { return c }
func (c *sqlCounter) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "sql" {
		return nil
	}
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "statement" {
			c.mu.Lock()
			c.stmts = append(c.stmts, a.Value.String())
			c.mu.Unlock()
		}
		return true
	})
	return nil
}

// count returns how many statements since the last reset read from a table whose name
// contains table (case-insensitive), and resets.
func (c *sqlCounter) count(table string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, s := range c.stmts {
		if strings.Contains(strings.ToLower(s), strings.ToLower(table)) && strings.HasPrefix(strings.ToUpper(strings.TrimSpace(s)), "SELECT") {
			n++
		}
	}
	c.stmts = nil
	return n
}

// env is an Authorizer on a temporary SQLite store with the built-in models and Note.
type env struct {
	z    *Authorizer
	reg  *schema.Registry
	st   *store.Store
	sql  *sqlCounter
	errs int // the app's aclErrorStatus
}

func newEnv(t *testing.T) *env {
	t.Helper()
	reg := schema.NewRegistry()
	files, err := fs.Glob(accounts.FS, "models/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		src, err := fs.ReadFile(accounts.FS, f)
		if err != nil {
			t.Fatal(err)
		}
		if err := reg.ParseFile(path.Base(f), src); err != nil {
			t.Fatal(err)
		}
	}
	if err := reg.ParseFile("note.yaml", []byte(noteYAML)); err != nil {
		t.Fatal(err)
	}
	if err := reg.Resolve(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	counter := &sqlCounter{}
	st, err := store.Open(ctx, "db", "sqlite:"+t.TempDir()+"/authz.db", store.Options{Logger: slog.New(counter)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	var models []*schema.Model
	for _, n := range []string{"User", "Role", "RoleMapping", "ACL", "Note"} {
		models = append(models, reg.Model(n))
	}
	if err := st.Migrate(ctx, models); err != nil {
		t.Fatal(err)
	}
	e := &env{reg: reg, st: st, sql: counter}
	attached := map[string]bool{"User": true, "Role": true, "RoleMapping": true, "ACL": true, "Note": true}
	e.z = New(Config{Models: reg, StoreOf: func(m string) *store.Store {
		if attached[m] {
			return st
		}
		return nil
	}, ACLErrorStatus: func() int { return e.errs }})
	st.Observe("ACL", "after save", e.z.InvalidateACLs)
	return e
}

// create stores a record of model and returns it.
func (e *env) create(t *testing.T, model string, data map[string]any) schema.Record {
	t.Helper()
	rec, err := e.st.Create(context.Background(), e.reg.Model(model), data)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// grant maps user id to a static role.
func (e *env) grant(t *testing.T, role string, userID int64) {
	t.Helper()
	r := e.create(t, "Role", map[string]any{"name": role})
	e.create(t, "RoleMapping", map[string]any{"roleId": r["id"], "principalType": acl.USER, "principalId": schema.IDString(userID)})
}

// call is a REST call of Note's method name by user (0 = anonymous), on instance id (nil =
// none).
func (e *env) call(name string, static bool, user int64, id any) *rest.Call {
	m := e.reg.Model("Note")
	c := &rest.Call{Method: &rest.Method{Model: m, Name: name, Static: static}, Args: map[string]any{}, State: map[string]any{}}
	if user != 0 {
		c.Token = &rest.Token{UserID: user, UserModel: "User"}
	}
	if id != nil {
		c.InstanceID, c.PathID = id, schema.IDString(id)
	}
	return c
}

func status(err error) int {
	if err == nil {
		return 200
	}
	if e, ok := apierr.As(err); ok {
		return e.StatusCode
	}
	return -1
}

// TestOneRoleMappingQueryPerCall: however many checks and HasRole questions one call makes, the
// caller's role mappings are read once; outside a call every HasRole reads them.
func TestOneRoleMappingQueryPerCall(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.grant(t, "admin", 1)
	e.create(t, "Note", map[string]any{"title": "n", "ownerId": 2})
	e.sql.count("")
	c := e.call("patchAttributes", false, 1, int64(1))
	cctx := rest.WithCall(ctx, c)
	if err := e.z.Authorize(cctx, c); err != nil {
		t.Fatalf("admin patch: %v", err)
	}
	if !c.AuthorizedRoles["admin"] {
		t.Fatalf("authorized roles %v", c.AuthorizedRoles)
	}
	for i := 0; i < 3; i++ {
		if ok, err := e.z.HasRole(cctx, c.Token, "admin"); err != nil || !ok {
			t.Fatalf("HasRole: %v %v", ok, err)
		}
	}
	if err := e.z.CheckRead(cctx, c, e.reg.Model("Note"), "1"); err != nil {
		t.Fatal(err)
	}
	if err := e.z.StampOwner(cctx, c); err != nil {
		t.Fatal(err)
	}
	if n := e.sql.count("rolemapping"); n != 1 {
		t.Fatalf("%d role-mapping queries in one call, want 1", n)
	}
	// another token (not the call's) and no call at all: read each time
	other := &rest.Token{UserID: int64(1), UserModel: "User"}
	for i := 0; i < 2; i++ {
		if ok, err := e.z.HasRole(cctx, other, "admin"); err != nil || !ok {
			t.Fatalf("HasRole of another token: %v %v", ok, err)
		}
		if ok, err := e.z.HasRole(ctx, c.Token, "nope"); err != nil || ok {
			t.Fatalf("HasRole outside a call: %v %v", ok, err)
		}
	}
	if n := e.sql.count("rolemapping"); n != 4 {
		t.Fatalf("%d role-mapping queries outside the call, want 4", n)
	}
	if ok, err := e.z.HasRole(ctx, nil, "admin"); ok || err != nil {
		t.Fatalf("anonymous HasRole: %v %v", ok, err)
	}
}

// TestAuthorize decides calls by the static rules, roles, $owner, custom resolvers and the
// aclErrorStatus, and relation methods on the related model.
func TestAuthorize(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.grant(t, "admin", 9)
	e.create(t, "User", map[string]any{"email": "u2@example.com", "password": "not-checked-here"})
	e.create(t, "Note", map[string]any{"title": "n1", "ownerId": 2})
	if err := e.z.RegisterRole("teamMember", func(_ context.Context, r *acl.Request) (bool, error) { return r.UserID == "3", nil }); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name         string
		method       string
		static       bool
		user         int64
		id           any
		errorStatus  int
		want         int
		wantExplains string
	}{
		{"anonymous find", "find", true, 0, nil, 0, 200, ""},
		{"anonymous create", "create", true, 0, nil, 403, 401, ""},
		{"user create", "create", true, 5, nil, 0, 401, ""},
		{"user create 403", "create", true, 5, nil, 403, 403, ""},
		{"user create 404", "create", true, 5, nil, 404, 404, ""},
		{"owner patch", "patchAttributes", false, 2, int64(1), 0, 200, ""},
		{"other patch", "patchAttributes", false, 5, int64(1), 0, 401, ""},
		{"admin delete", "deleteById", true, 9, int64(1), 0, 200, ""},
		{"custom role count", "count", true, 3, nil, 0, 200, ""},
		{"custom role other", "count", true, 4, nil, 0, 401, ""},
	}
	for _, c := range cases {
		e.errs = c.errorStatus
		call := e.call(c.method, c.static, c.user, c.id)
		if got := status(e.z.Authorize(rest.WithCall(ctx, call), call)); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
	e.errs = 0
	// the anonymous decision is cached, and the cache is emptied by a new role and ACL rows
	if err := e.z.Authorize(ctx, e.call("create", true, 0, nil)); status(err) != 401 {
		t.Fatalf("anonymous create: %v", err)
	}
	e.create(t, "ACL", map[string]any{"model": "Note", "property": "create", "accessType": "WRITE", "permission": "ALLOW", "principalType": "ROLE", "principalId": "$everyone"})
	if err := e.z.Authorize(ctx, e.call("create", true, 0, nil)); err != nil {
		t.Fatalf("anonymous create after an ACL row allowed it: %v", err)
	}
	if e.z.Dynamic() == nil || len(e.z.StaticACLs(e.reg.Model("Note"))) != 5 {
		t.Fatalf("dynamic %v, static %d", e.z.Dynamic(), len(e.z.StaticACLs(e.reg.Model("Note"))))
	}
}

// TestOwnerGuards: StampOwner and KeepOwner set the owner from the token, except for admins.
func TestOwnerGuards(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.grant(t, "admin", 9)
	note := e.reg.Model("Note")
	if keys := e.z.OwnerKeys(note); len(keys) != 1 || keys[0] != "ownerId" {
		t.Fatalf("owner keys %v", keys)
	}
	for _, tc := range []struct {
		user int64
		want any
	}{{5, int64(5)}, {9, 77}} {
		c := e.call("create", true, tc.user, nil)
		c.Args["data"] = []any{map[string]any{"title": "x", "ownerId": 77}}
		if err := e.z.StampOwner(rest.WithCall(ctx, c), c); err != nil {
			t.Fatal(err)
		}
		if got := c.Args["data"].([]any)[0].(map[string]any)["ownerId"]; got != tc.want {
			t.Errorf("user %d: ownerId %v, want %v", tc.user, got, tc.want)
		}
	}
	c := e.call("patchAttributes", false, 5, int64(1))
	hc := &store.HookContext{Model: note, Data: map[string]any{"ownerId": 5}, CurrentInstance: schema.Record{"ownerId": int64(2)}}
	if err := e.z.KeepOwner(rest.WithCall(ctx, c), hc); err != nil || hc.Data["ownerId"] != int64(2) {
		t.Fatalf("patch keeps the owner: %v %v", hc.Data, err)
	}
	hc = &store.HookContext{Model: note, Data: map[string]any{"ownerId": 5}}
	if err := e.z.KeepOwner(ctx, hc); err != nil || hc.Data["ownerId"] != 5 {
		t.Fatalf("Go code may set the owner: %v %v", hc.Data, err)
	}
}

// TestExplainAndCallers covers the explanations and WhoMayCall.
func TestExplainAndCallers(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.z.Explain(ctx, rest.ExplainQuery{Model: "Nope", Property: "find"}); status(err) != 400 {
		t.Fatalf("unknown model: %v", err)
	}
	if _, err := e.z.Explain(ctx, rest.ExplainQuery{Model: "Note"}); status(err) != 400 {
		t.Fatalf("no property: %v", err)
	}
	out, err := e.z.Explain(ctx, rest.ExplainQuery{Model: "Note", Property: "deleteById", UserID: 4, ModelID: 1})
	if err != nil || out["allowed"] != false || out["accessType"] != "WRITE" || !strings.Contains(out["matched"].(map[string]any)["rule"].(string), "ROLE $everyone DENY") {
		t.Fatalf("explain: %v %v", out, err)
	}
	find := &rest.Method{Model: e.reg.Model("Note"), Name: "find", Static: true, Routes: []schema.Route{{Verb: "get", Path: "/"}}}
	out, err = e.z.ExplainMethod(ctx, find, nil, nil, "")
	if err != nil || out["allowed"] != true || out["method"] != "find" {
		t.Fatalf("explain method: %v %v", out, err)
	}
	callers, err := e.z.WhoMayCall(ctx, find, "/api/notes")
	if err != nil || callers.String() != "$everyone" {
		t.Fatalf("find callers %q %v", callers.String(), err)
	}
	patch := &rest.Method{Model: e.reg.Model("Note"), Name: "patchAttributes", Routes: []schema.Route{{Verb: "patch", Path: "/"}}}
	callers, err = e.z.WhoMayCall(ctx, patch, "/api/notes/:id")
	if err != nil || callers.String() != "$owner, admin" {
		t.Fatalf("patch callers %q %v", callers.String(), err)
	}
	if p, at := RelatedAccess(&rest.Method{Name: "__get__owner", Relation: e.reg.Model("Note").Relations[0]}); p != "findById" || at != acl.READ {
		t.Fatalf("related access %s %s", p, at)
	}
	if got := e.z.PrincipalModel("User"); got != "" {
		t.Fatalf("one user model: principal model %q", got)
	}
}
