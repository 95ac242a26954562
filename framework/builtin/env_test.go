package builtin

import (
	"context"
	"io/fs"
	"log/slog"
	"path"
	"testing"

	"github.com/loopgo/loopgo/framework/schema"
	"github.com/loopgo/loopgo/framework/store"
)

// testEnv is a fresh SQLite store with the built-in models migrated and the user hooks on.
type testEnv struct {
	st     *store.Store
	reg    *schema.Registry
	user   *schema.Model // User, with the test's setting overrides
	token  *schema.Model
	users  *Users
	models []*schema.Model
}

// newEnv opens a temp-file SQLite store, loads the embedded models, applies settings to a copy
// of User, migrates, and registers Users' hooks on "User".
func newEnv(t *testing.T, settings map[string]any) *testEnv {
	t.Helper()
	ctx := context.Background()
	reg := schema.NewRegistry()
	files, err := fs.Glob(FS, "models/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("embedded models: %v (%d files)", err, len(files))
	}
	for _, f := range files {
		src, err := fs.ReadFile(FS, f)
		if err != nil {
			t.Fatalf("read %s: %v", f, err)
		}
		if err := reg.ParseFile(path.Base(f), src); err != nil {
			t.Fatalf("parse %s: %v", f, err)
		}
	}
	if err := reg.Resolve(); err != nil {
		t.Fatalf("resolve: %v", err)
	}
	st, err := store.Open(ctx, "t", "sqlite:"+t.TempDir()+"/t.db", store.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if err := st.Migrate(ctx, reg.Models()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	user := reg.Model("User").Clone()
	for k, v := range settings {
		user.Settings[k] = v
	}
	e := &testEnv{st: st, reg: reg, user: user, token: reg.Model("AccessToken"), models: reg.Models()}
	e.users = NewUsers(user, st, e.token, st)
	for name, fn := range e.users.Hooks() {
		st.Observe("User", name, fn)
	}
	return e
}

// createUser stores a user (password given as knownHash unless data sets one) and returns it.
func (e *testEnv) createUser(t *testing.T, data map[string]any) map[string]any {
	t.Helper()
	if _, ok := data["password"]; !ok {
		data["password"] = knownHash
	}
	rec, err := e.st.Create(context.Background(), e.user, data)
	if err != nil {
		t.Fatalf("create user %v: %v", data, err)
	}
	return rec
}

// newToken creates an access token for a user and returns its raw id.
func (e *testEnv) newToken(t *testing.T, userID any, ttl int64) string {
	t.Helper()
	raw, _, err := e.users.CreateAccessToken(context.Background(), userID, ttl, nil, TokenMeta{})
	if err != nil {
		t.Fatalf("create token: %v", err)
	}
	return raw
}

// tokenRow returns the stored token with that raw id, or nil.
func (e *testEnv) tokenRow(t *testing.T, raw string) map[string]any {
	t.Helper()
	rec, err := e.st.FindByID(context.Background(), e.token, Digest(raw), nil)
	if err != nil {
		t.Fatalf("find token: %v", err)
	}
	return rec
}

// tokenCount counts every stored access token.
func (e *testEnv) tokenCount(t *testing.T) int64 {
	t.Helper()
	n, err := e.st.Count(context.Background(), e.token, nil)
	if err != nil {
		t.Fatalf("count tokens: %v", err)
	}
	return n
}
