package accounts

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/loopgo/loopgo/framework/apierr"
)

// knownPassword and knownHash are a password and its bcrypt hash at cost 10, made once offline
// so that tests spend bcrypt time only where they test it.
const (
	knownPassword = "correct horse 1"
	knownHash     = "$2a$10$hDx6UJbAxKLyEHttU3wnt.6ZA5Ct4HWrCM1FdNcoeeKIi1nlIc6N2"
)

// wantAPIError fails t unless err is an *apierr.Error with that status, code and message.
func wantAPIError(t *testing.T, err error, status int, code, msg string) {
	t.Helper()
	e, ok := apierr.As(err)
	if !ok {
		t.Fatalf("error = %v (%T), want *apierr.Error %d %s", err, err, status, code)
	}
	if e.StatusCode != status || e.Code != code || e.Message != msg {
		t.Fatalf("error = %d %q %q, want %d %q %q", e.StatusCode, e.Code, e.Message, status, code, msg)
	}
}

func TestValidatePassword(t *testing.T) {
	tests := []struct {
		name string
		in   any
		code string
		msg  string
	}{
		{"ok", "secret", "", ""},
		{"72 ascii bytes", strings.Repeat("a", 72), "", ""},
		{"72 bytes of 3-byte runes", strings.Repeat("€", 24), "", ""},
		{"73 bytes", strings.Repeat("a", 73), "PASSWORD_TOO_LONG", "The password entered was too long. Max length is 72 (entered 73)"},
		{"75 bytes of runes", strings.Repeat("€", 25), "PASSWORD_TOO_LONG", "The password entered was too long. Max length is 72 (entered 75)"},
		{"empty", "", "INVALID_PASSWORD", "Invalid password."},
		{"nil", nil, "INVALID_PASSWORD", "Invalid password."},
		{"number", 12345678, "INVALID_PASSWORD", "Invalid password."},
		{"object", map[string]any{"a": 1}, "INVALID_PASSWORD", "Invalid password."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidatePassword(tc.in)
			if tc.code == "" {
				if err != nil {
					t.Fatalf("ValidatePassword = %v, want nil", err)
				}
				return
			}
			wantAPIError(t, err, 422, tc.code, tc.msg)
		})
	}
}

func TestIsHash(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{knownHash, true},
		{"$2b$" + knownHash[4:], true},
		{"$2y$" + knownHash[4:], true},
		{"$2x$" + knownHash[4:], false},
		{knownHash[:59], false},
		{knownHash + "x", false},
		{"secret", false},
		{"", false},
	}
	for _, tc := range tests {
		if got := IsHash(tc.in); got != tc.want {
			t.Errorf("IsHash(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestEffectiveCost(t *testing.T) {
	for in, want := range map[int]int{0: 10, 1: 4, 4: 4, 9: 9, 10: 10, 12: 12} {
		if got := EffectiveCost(in); got != want {
			t.Errorf("EffectiveCost(%d) = %d, want %d", in, got, want)
		}
	}
}

func TestHashDefaultCost(t *testing.T) {
	t.Parallel()
	// An unset saltWorkFactor (0) hashes at cost 10, the ASVS floor.
	hash, err := HashPassword("s3cret pass", 0)
	if err != nil {
		t.Fatalf("HashPassword: %v", err)
	}
	if !IsHash(hash) {
		t.Fatalf("HashPassword = %q, not a bcrypt hash", hash)
	}
	if c, _ := bcrypt.Cost([]byte(hash)); c != 10 {
		t.Fatalf("cost = %d, want 10", c)
	}
}

func TestCompareRejectsWithoutMatching(t *testing.T) {
	t.Parallel()
	// Each of these spends a dummy bcrypt computation and answers false.
	tests := []struct{ name, hash, plain string }{
		{"empty password", knownHash, ""},
		{"malformed hash", "not-a-hash", knownPassword},
	}
	for _, tc := range tests {
		ok, err := Compare(context.Background(), tc.hash, tc.plain)
		if err != nil || ok {
			t.Errorf("%s: Compare = %v, %v; want false, nil", tc.name, ok, err)
		}
	}
	var _ func(string) = DummyCheck // the timing helper exists; its timing is not asserted
}

func TestHashRejectsInvalid(t *testing.T) {
	_, err := Hash(context.Background(), strings.Repeat("a", 73), 10)
	wantAPIError(t, err, 422, "PASSWORD_TOO_LONG", "The password entered was too long. Max length is 72 (entered 73)")
	_, err = HashPassword("", 10)
	wantAPIError(t, err, 422, "INVALID_PASSWORD", "Invalid password.")
}

func TestPoolHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Hash(ctx, "secret", 10); !errors.Is(err, context.Canceled) {
		t.Fatalf("Hash(cancelled) = %v, want context.Canceled", err)
	}
	if _, err := Compare(ctx, knownHash, knownPassword); !errors.Is(err, context.Canceled) {
		t.Fatalf("Compare(cancelled) = %v, want context.Canceled", err)
	}

	// A full pool makes a caller wait until its deadline.
	p := newWorkPool(1)
	hold, release := make(chan struct{}), make(chan struct{})
	go func() {
		_ = p.run(context.Background(), func() error { close(hold); <-release; return nil })
	}()
	<-hold
	tctx, tcancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer tcancel()
	ran := false
	err := p.run(tctx, func() error { ran = true; return nil })
	if !errors.Is(err, context.DeadlineExceeded) || ran {
		t.Fatalf("run on a full pool = %v (ran %v), want DeadlineExceeded without running", err, ran)
	}
	close(release)
	if err := p.run(context.Background(), func() error { ran = true; return nil }); err != nil || !ran {
		t.Fatalf("run after release = %v (ran %v)", err, ran)
	}
	if cap(pool.slots) < 1 {
		t.Fatalf("shared pool has %d slots", cap(pool.slots))
	}
}
