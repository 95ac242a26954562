package accounts

import (
	"fmt"
	"testing"
	"time"
)

// ASVS 6.1.1: the per-account rule is a soft lockout that does not lock the owner out.
func TestLoginTrustedAddress(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	e.throttled(t)
	e.createUser(t, map[string]any{"email": "a@example.com"})
	const home = "198.51.100.1"
	if _, err := e.login("a@example.com", knownPassword, home); err != nil {
		t.Fatalf("owner's first login: %v", err)
	}
	// 30 failures spread over 30 addresses: 20 are checked, then the account rule answers.
	for i := range 30 {
		_, err := e.login("a@example.com", "guess", fmt.Sprintf("10.0.1.%d", i))
		if i < 20 {
			wantAPIError(t, err, 401, "LOGIN_FAILED", "login failed")
			continue
		}
		wantThrottled(t, err, 3600)
	}
	// A new address is throttled, even with the right password ...
	_, err := e.login("a@example.com", knownPassword, "10.0.2.1")
	wantThrottled(t, err, 3600)
	// ... but the owner's usual address is not.
	if _, err := e.login("a@example.com", knownPassword, home); err != nil {
		t.Fatalf("owner's login from a trusted address during the attack: %v", err)
	}
	// The account+address rule still applies to the trusted address.
	for range 5 {
		_, err := e.login("a@example.com", "guess", home)
		wantAPIError(t, err, 401, "LOGIN_FAILED", "login failed")
	}
	_, err = e.login("a@example.com", knownPassword, home)
	wantThrottled(t, err, 900)
}

func TestLoginTrustScope(t *testing.T) {
	t.Parallel()
	const home = "198.51.100.1"
	tests := []struct {
		name      string
		settings  map[string]any
		trustedBy string        // the account that logged in from home first ("" = none)
		from      string        // the address of that first login
		advance   time.Duration // time between that login and the attack
		throttled bool          // whether a@example.com from home is throttled after the attack
	}{
		{"trusted", nil, "a@example.com", home, 0, false},
		{"trusted 29 days later", nil, "a@example.com", home, 29 * 24 * time.Hour, false},
		{"trust expired after 30 days", nil, "a@example.com", home, 30*24*time.Hour + time.Minute, true},
		{"never logged in from there", nil, "a@example.com", "203.0.113.9", 0, true},
		{"trusted by another account", nil, "b@example.com", home, 0, true},
		{"no previous login", nil, "", home, 0, true},
		{"trust off", map[string]any{"loginThrottle": map[string]any{"trustedWindow": 0}}, "a@example.com", home, 0, true},
		{"a trustedWindow of one day", map[string]any{"loginThrottle": map[string]any{"trustedWindow": 86400}}, "a@example.com", home, 25 * time.Hour, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, tc.settings)
			c := e.throttled(t)
			e.createUser(t, map[string]any{"email": "a@example.com"})
			e.createUser(t, map[string]any{"email": "b@example.com"})
			if tc.trustedBy != "" {
				if _, err := e.login(tc.trustedBy, knownPassword, tc.from); err != nil {
					t.Fatalf("first login: %v", err)
				}
			}
			c.Advance(tc.advance)
			for i := range 20 {
				_, err := e.login("a@example.com", "guess", fmt.Sprintf("10.0.1.%d", i))
				wantAPIError(t, err, 401, "LOGIN_FAILED", "login failed")
			}
			_, err := e.login("a@example.com", knownPassword, home)
			if tc.throttled {
				wantThrottled(t, err, 3600)
			} else if err != nil {
				t.Fatalf("login from home = %v, want success", err)
			}
		})
	}
}
