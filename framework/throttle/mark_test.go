package throttle

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"
)

// remembered fails t on a lookup error and returns whether m is set.
func (e *env) remembered(t *testing.T, m Mark) bool {
	t.Helper()
	ok, err := e.l.Remembered(context.Background(), m)
	if err != nil {
		t.Fatalf("Remembered: %v", err)
	}
	return ok
}

func TestMarkLifetime(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	trusted := Mark{Name: "trusted", Keep: 30 * 24 * time.Hour, Key: "alice|10.0.0.1"}
	steps := []struct {
		name     string
		advance  time.Duration
		remember bool
		want     bool
	}{
		{"never set", 0, false, false},
		{"just set", 0, true, true},
		{"a day before expiry", 29 * 24 * time.Hour, false, true},
		{"renewed", 0, true, true},
		{"29 days after the renewal", 29 * 24 * time.Hour, false, true},
		{"expired 30 days after the renewal", 24 * time.Hour, false, false},
	}
	for _, s := range steps {
		e.clock.Advance(s.advance)
		if s.remember {
			if err := e.l.Remember(ctx, trusted); err != nil {
				t.Fatalf("%s: Remember: %v", s.name, err)
			}
		}
		if got := e.remembered(t, trusted); got != s.want {
			t.Fatalf("%s: Remembered = %v, want %v", s.name, got, s.want)
		}
	}
	if got := e.count(t); got != 1 {
		t.Fatalf("%d rows after a renewal, want 1", got)
	}
}

func TestMarkIsolation(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	keep := time.Hour
	set := Mark{Name: "trusted", Keep: keep, Key: "alice|10.0.0.1"}
	if err := e.l.Remember(ctx, set); err != nil {
		t.Fatalf("Remember: %v", err)
	}
	tests := []struct {
		name string
		m    Mark
		want bool
	}{
		{"the same mark", set, true},
		{"another subject", Mark{Name: "trusted", Keep: keep, Key: "alice|10.0.0.2"}, false},
		{"another name", Mark{Name: "other", Keep: keep, Key: "alice|10.0.0.1"}, false},
		{"inactive: no keep", Mark{Name: "trusted", Key: "alice|10.0.0.1"}, false},
		{"inactive: no subject", Mark{Name: "trusted", Keep: keep}, false},
	}
	for _, tc := range tests {
		if got := e.remembered(t, tc.m); got != tc.want {
			t.Errorf("%s: Remembered = %v, want %v", tc.name, got, tc.want)
		}
	}
	// A mark is not an event of a rule with the same name and subject.
	rule := Keyed{Rule: Rule{Name: "trusted", Max: 1, Window: time.Hour}, Key: "alice|10.0.0.1"}
	if wait, err := e.l.Check(ctx, []Keyed{rule}); wait != 0 || err != nil {
		t.Fatalf("Check counted the mark: %v, %v", wait, err)
	}
	// Inactive marks store nothing.
	if err := e.l.Remember(ctx, Mark{Name: "trusted", Key: "x"}); err != nil {
		t.Fatalf("Remember inactive: %v", err)
	}
	rows, err := e.st.Find(ctx, e.m, nil)
	if err != nil || len(rows) != 1 {
		t.Fatalf("rows = %v, %v; want the one mark", rows, err)
	}
	key, _ := rows[0]["key"].(string)
	if !regexp.MustCompile(`^mark:trusted:[0-9a-f]{64}$`).MatchString(key) || strings.Contains(key, "alice") {
		t.Fatalf("stored key = %q, want mark:trusted:<sha-256 hex>", key)
	}
	if err := e.l.Forget(ctx, set); err != nil {
		t.Fatalf("Forget: %v", err)
	}
	if e.remembered(t, set) {
		t.Fatal("mark remembered after Forget")
	}
}

func TestMarkSurvivesPruneUntilExpired(t *testing.T) {
	e := newEnv(t, Options{Retention: time.Hour})
	ctx := context.Background()
	m := Mark{Name: "trusted", Keep: 10 * 24 * time.Hour, Key: "a"}
	if err := e.l.Remember(ctx, m); err != nil {
		t.Fatalf("Remember: %v", err)
	}
	steps := []struct {
		advance time.Duration
		rows    int64
		want    bool
	}{
		{5 * 24 * time.Hour, 1, true},               // older than the retention, not expired
		{5*24*time.Hour + 30*time.Minute, 1, false}, // expired for less than the retention
		{time.Hour, 0, false},                       // expired for longer: pruned
	}
	for i, s := range steps {
		e.clock.Advance(s.advance)
		if _, err := e.l.Prune(ctx, time.Hour); err != nil {
			t.Fatalf("step %d: Prune: %v", i, err)
		}
		if got := e.count(t); got != s.rows {
			t.Fatalf("step %d: %d rows, want %d", i, got, s.rows)
		}
		if got := e.remembered(t, m); got != s.want {
			t.Fatalf("step %d: Remembered = %v, want %v", i, got, s.want)
		}
	}
}

func TestNilLimiterMarks(t *testing.T) {
	var l *Limiter
	ctx := context.Background()
	m := Mark{Name: "trusted", Keep: time.Hour, Key: "a"}
	if err := l.Remember(ctx, m); err != nil {
		t.Fatalf("nil Remember = %v", err)
	}
	if ok, err := l.Remembered(ctx, m); ok || err != nil {
		t.Fatalf("nil Remembered = %v, %v", ok, err)
	}
	if err := l.Forget(ctx, m); err != nil {
		t.Fatalf("nil Forget = %v", err)
	}
}
