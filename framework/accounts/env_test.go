package accounts

import (
	"context"
	"io/fs"
	"log/slog"
	"path"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/schema"
	"github.com/loopgo/loopgo/framework/store"
	"github.com/loopgo/loopgo/framework/throttle"
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

// fastHash is knownPassword hashed at bcrypt's minimum cost, made once: tests that log in
// compare against it cheaply even under the race detector.
var fastHash = sync.OnceValues(func() (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(knownPassword), bcrypt.MinCost)
	return string(h), err
})

// newEnv opens a temp-file SQLite store, loads the embedded models, applies settings to a copy
// of User (saltWorkFactor 4 unless settings name one), migrates, and registers Users' hooks on
// "User".
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
	if err := reg.ParseFile("ThrottleEvent.yaml", throttle.ModelYAML); err != nil {
		t.Fatalf("parse throttle model: %v", err)
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
	user.Settings["saltWorkFactor"] = bcrypt.MinCost
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

// createUser stores a user (password knownPassword, given as a cost-4 hash, unless data sets
// one) and returns it.
func (e *testEnv) createUser(t *testing.T, data map[string]any) map[string]any {
	t.Helper()
	if _, ok := data["password"]; !ok {
		h, err := fastHash()
		if err != nil {
			t.Fatalf("hash: %v", err)
		}
		data["password"] = h
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

// clock is a settable test clock for the limiter.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the clock's time.
func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Advance moves the clock forward.
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// throttled gives e's Users a limiter on e's store driven by a test clock (starting now) and
// returns the clock.
func (e *testEnv) throttled(t *testing.T) *clock {
	t.Helper()
	c := &clock{t: time.Now()}
	m := e.reg.Model(throttle.ModelName)
	if m == nil {
		t.Fatal("no ThrottleEvent model")
	}
	e.users.SetLimiter(throttle.New(e.st, m, throttle.Options{Now: c.Now, PruneEvery: -1}))
	return c
}

// login logs in with an email and password from a client address.
func (e *testEnv) login(email, password, address string) (*LoginResult, error) {
	return e.users.Login(context.Background(), map[string]any{"email": email, "password": password}, LoginOptions{ClientAddress: address})
}

// wantValidation fails t unless err is a 422 ValidationError with exactly these codes on property.
func wantValidation(t *testing.T, err error, property string, codes ...string) {
	t.Helper()
	v, ok := apierr.AsValidation(err)
	if !ok {
		t.Fatalf("error = %v (%T), want a ValidationError on %s %v", err, err, property, codes)
	}
	got := v.Codes[property]
	if len(v.Order) != 1 || strings.Join(got, ",") != strings.Join(codes, ",") {
		t.Fatalf("ValidationError codes = %v, want %s: %v", v.Codes, property, codes)
	}
	if e := v.APIError(); e.StatusCode != 422 || e.Name != "ValidationError" {
		t.Fatalf("ValidationError envelope = %d %s", e.StatusCode, e.Name)
	}
}
