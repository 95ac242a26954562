package throttle

import (
	"context"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/schema"
	"github.com/loopgo/loopgo/framework/store"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// env is a limiter on a fresh SQLite store.
type env struct {
	st    *store.Store
	m     *schema.Model
	clock *clock
	l     *Limiter
}

func newEnv(t *testing.T, opts Options) *env {
	t.Helper()
	ctx := context.Background()
	reg := schema.NewRegistry()
	if err := reg.ParseFile("ThrottleEvent.yaml", ModelYAML); err != nil {
		t.Fatalf("parse: %v", err)
	}
	if err := reg.ParseFile("ThrottleLock.yaml", LockModelYAML); err != nil {
		t.Fatalf("parse: %v", err)
	}
	if err := reg.Resolve(); err != nil {
		t.Fatalf("resolve: %v", err)
	}
	st, err := store.Open(ctx, "t", "sqlite:"+t.TempDir()+"/t.db", store.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if err := st.Migrate(ctx, reg.Models()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	c := &clock{t: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
	if opts.Now == nil {
		opts.Now = c.Now
	}
	if opts.PruneEvery == 0 {
		opts.PruneEvery = -1
	}
	m := reg.Model(ModelName)
	opts.Locks = reg.Model(LockModelName)
	return &env{st: st, m: m, clock: c, l: New(st, m, opts)}
}

func (e *env) count(t *testing.T) int64 {
	t.Helper()
	n, err := e.st.Count(context.Background(), e.m, nil)
	if err != nil {
		t.Fatalf("count: %v", err)
	}
	return n
}

func (e *env) hit(t *testing.T, keys ...Keyed) {
	t.Helper()
	if err := e.l.Hit(context.Background(), keys...); err != nil {
		t.Fatalf("Hit: %v", err)
	}
}

func TestModelDefinition(t *testing.T) {
	e := newEnv(t, Options{})
	if e.m == nil || e.m.Name != "ThrottleEvent" {
		t.Fatalf("model = %v", e.m)
	}
	for _, name := range []string{"key", "at"} {
		if p := e.m.Property(name); p == nil || !p.Index || !p.Required {
			t.Errorf("property %s = %+v, want required and indexed", name, p)
		}
	}
	if len(e.m.ACLs) != 1 || e.m.ACLs[0].Permission != "DENY" {
		t.Errorf("ACLs = %+v, want one DENY for everyone", e.m.ACLs)
	}
}

func TestCheckSlidingWindow(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	rule := Rule{Name: "r", Max: 3, Window: time.Minute}
	alice := Keyed{Rule: rule, Key: "alice"}

	steps := []struct {
		name    string
		advance time.Duration
		hit     bool
		wait    time.Duration // 0 = allowed
	}{
		{"empty", 0, true, 0},
		{"one event", 10 * time.Second, true, 0},
		{"two events", 10 * time.Second, true, 0},
		{"three events: full until the first leaves", 0, false, 40 * time.Second},
		{"39.5 s later", 39500 * time.Millisecond, false, 500 * time.Millisecond},
		{"the first left", time.Second, true, 0},
		{"full again until the second leaves", 0, false, 9500 * time.Millisecond},
	}
	for _, s := range steps {
		e.clock.Advance(s.advance)
		wait, err := e.l.Check(ctx, []Keyed{alice})
		if wait != s.wait {
			t.Fatalf("%s: wait = %v, want %v", s.name, wait, s.wait)
		}
		if s.wait == 0 {
			if err != nil {
				t.Fatalf("%s: Check = %v", s.name, err)
			}
		} else {
			ae, ok := apierr.As(err)
			want := RetrySeconds(s.wait)
			if !ok || ae.StatusCode != http.StatusTooManyRequests || ae.Code != "RATE_LIMITED" ||
				ae.Headers["Retry-After"] != strconv.Itoa(want) || ae.Message != "Too many requests; try again in "+strconv.Itoa(want)+" seconds" {
				t.Fatalf("%s: Check error = %#v", s.name, err)
			}
		}
		if s.hit {
			e.hit(t, alice)
		}
	}
}

func TestCheckIsolationAndRules(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	short := Rule{Name: "short", Max: 2, Window: time.Minute}
	long := Rule{Name: "long", Max: 3, Window: time.Hour}
	for range 3 {
		e.hit(t, Keyed{Rule: short, Key: "a"}, Keyed{Rule: long, Key: "a"})
		e.clock.Advance(time.Second)
	}
	tests := []struct {
		name  string
		rules []Keyed
		wait  time.Duration
	}{
		{"other key", []Keyed{{Rule: short, Key: "b"}}, 0},
		{"same key under another rule name", []Keyed{{Rule: Rule{Name: "other", Max: 1, Window: time.Hour}, Key: "a"}}, 0},
		{"short rule", []Keyed{{Rule: short, Key: "a"}}, 58 * time.Second},
		{"the longest wait wins", []Keyed{{Rule: short, Key: "a"}, {Rule: long, Key: "a"}}, time.Hour - 3*time.Second},
		{"disabled: Max 0", []Keyed{{Rule: Rule{Name: "short", Max: 0, Window: time.Minute}, Key: "a"}}, 0},
		{"disabled: no window", []Keyed{{Rule: Rule{Name: "short", Max: 1}, Key: "a"}}, 0},
		{"disabled: no key", []Keyed{{Rule: short}}, 0},
		{"a larger Max has room", []Keyed{{Rule: Rule{Name: "long", Max: 4, Window: time.Hour}, Key: "a"}}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wait, err := e.l.Check(ctx, tc.rules)
			if wait != tc.wait || (tc.wait == 0) != (err == nil) {
				t.Fatalf("Check = %v, %v; want wait %v", wait, err, tc.wait)
			}
		})
	}
	// Inactive keys record nothing.
	before := e.count(t)
	e.hit(t, Keyed{Rule: short}, Keyed{Rule: Rule{Name: "x", Max: 0, Window: time.Minute}, Key: "a"})
	if got := e.count(t); got != before {
		t.Fatalf("inactive hits stored %d events", got-before)
	}
}

func TestStoredKeysAreDigests(t *testing.T) {
	e := newEnv(t, Options{})
	e.hit(t, Keyed{Rule: Rule{Name: "mail-email", Max: 3, Window: time.Minute}, Key: "alice@example.com"})
	rows, err := e.st.Find(context.Background(), e.m, nil)
	if err != nil || len(rows) != 1 {
		t.Fatalf("rows = %v, %v", rows, err)
	}
	key, _ := rows[0]["key"].(string)
	if !regexp.MustCompile(`^mail-email:[0-9a-f]{64}$`).MatchString(key) || strings.Contains(key, "alice") {
		t.Fatalf("stored key = %q, want the rule name and a SHA-256 hex digest", key)
	}
	if at, ok := rows[0]["at"].(time.Time); !ok || !at.Equal(e.clock.Now()) {
		t.Fatalf("stored at = %v, want %v", rows[0]["at"], e.clock.Now())
	}
}

func TestResetAndPrune(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	rule := Rule{Name: "r", Max: 1, Window: time.Hour}
	a, b := Keyed{Rule: rule, Key: "a"}, Keyed{Rule: rule, Key: "b"}
	e.hit(t, a, b)
	if wait, _ := e.l.Check(ctx, []Keyed{a}); wait == 0 {
		t.Fatal("a is not throttled after one hit with Max 1")
	}
	if err := e.l.Reset(ctx, a, Keyed{Rule: rule}); err != nil {
		t.Fatalf("Reset: %v", err)
	}
	if wait, err := e.l.Check(ctx, []Keyed{a}); wait != 0 || err != nil {
		t.Fatalf("after Reset: Check = %v, %v", wait, err)
	}
	if wait, _ := e.l.Check(ctx, []Keyed{b}); wait == 0 {
		t.Fatal("Reset of a cleared b too")
	}

	e.clock.Advance(2 * time.Hour)
	e.hit(t, a)
	n, err := e.l.Prune(ctx, time.Hour)
	if err != nil || n != 1 {
		t.Fatalf("Prune = %d, %v; want 1 (b's old event)", n, err)
	}
	if got := e.count(t); got != 1 {
		t.Fatalf("%d events left, want 1", got)
	}
}

func TestOpportunisticPrune(t *testing.T) {
	e := newEnv(t, Options{PruneEvery: 1, Retention: time.Hour})
	rule := Rule{Name: "r", Max: 5, Window: 3 * time.Hour}
	e.hit(t, Keyed{Rule: rule, Key: "old"})
	e.clock.Advance(2 * time.Hour)
	e.hit(t, Keyed{Rule: rule, Key: "new"})
	// Retention is 1 h but the rule's window is 3 h: the 2-hour-old event must survive.
	if got := e.count(t); got != 2 {
		t.Fatalf("%d events, want 2: a prune deleted an event inside a rule's window", got)
	}
	e.clock.Advance(2 * time.Hour)
	e.hit(t, Keyed{Rule: rule, Key: "newer"})
	if got := e.count(t); got != 2 {
		t.Fatalf("%d events, want 2 after the 4-hour-old event was pruned", got)
	}
}

func TestNilLimiter(t *testing.T) {
	var l *Limiter
	ctx := context.Background()
	k := Keyed{Rule: Rule{Name: "r", Max: 1, Window: time.Minute}, Key: "a"}
	if wait, err := l.Check(ctx, []Keyed{k}); wait != 0 || err != nil {
		t.Fatalf("nil Check = %v, %v", wait, err)
	}
	if err := l.Hit(ctx, k); err != nil {
		t.Fatalf("nil Hit = %v", err)
	}
	if err := l.Reset(ctx, k); err != nil {
		t.Fatalf("nil Reset = %v", err)
	}
	if n, err := l.Prune(ctx, time.Hour); n != 0 || err != nil {
		t.Fatalf("nil Prune = %d, %v", n, err)
	}
}

func TestTooMany(t *testing.T) {
	tests := []struct {
		wait    time.Duration
		seconds int
	}{
		{time.Millisecond, 1},
		{time.Second, 1},
		{1001 * time.Millisecond, 2},
		{15 * time.Minute, 900},
	}
	for _, tc := range tests {
		if got := RetrySeconds(tc.wait); got != tc.seconds {
			t.Errorf("RetrySeconds(%v) = %d, want %d", tc.wait, got, tc.seconds)
		}
	}
	e := TooMany(CodeLoginThrottled, "Too many failed login attempts", 61*time.Second)
	if e.StatusCode != 429 || e.Code != "LOGIN_THROTTLED" || e.Headers["Retry-After"] != "61" ||
		e.Message != "Too many failed login attempts; try again in 61 seconds" {
		t.Fatalf("TooMany = %#v", e)
	}
}
