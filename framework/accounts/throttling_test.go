package accounts

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/schema"
	"github.com/loopgo/loopgo/framework/throttle"
)

// wantThrottled fails t unless err is a 429 LOGIN_THROTTLED with Retry-After seconds.
func wantThrottled(t *testing.T, err error, seconds int) {
	t.Helper()
	wantAPIError(t, err, 429, "LOGIN_THROTTLED", fmt.Sprintf("Too many failed login attempts; try again in %d seconds", seconds))
	if e, _ := apierr.As(err); e.Headers["Retry-After"] != fmt.Sprint(seconds) {
		t.Fatalf("Retry-After = %q, want %d", e.Headers["Retry-After"], seconds)
	}
}

func TestLoginThrottleAccountAndAddress(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	c := e.throttled(t)
	e.createUser(t, map[string]any{"email": "a@example.com"})
	const attacker, owner = "203.0.113.7", "198.51.100.1"

	// 30 wrong passwords in a row from one address: 5 are checked, 25 throttled.
	for i := range 30 {
		res, err := e.login("a@example.com", fmt.Sprintf("guess %d", i), attacker)
		if res != nil {
			t.Fatalf("attempt %d logged in", i)
		}
		if i < 5 {
			wantAPIError(t, err, 401, "LOGIN_FAILED", "login failed")
			continue
		}
		wantThrottled(t, err, 900)
	}
	// The right password from that address is throttled too: no oracle.
	_, err := e.login("a@example.com", knownPassword, attacker)
	wantThrottled(t, err, 900)
	// A case variant of the email names another account (emails are case-sensitive by
	// default), with a budget of its own: the answer is the same whether or not the exact
	// address exists (see TestLoginThrottleTellsNothingOfAccounts).
	_, err = e.login("A@Example.COM", knownPassword, attacker)
	wantAPIError(t, err, 401, "LOGIN_FAILED", "login failed")
	// The owner, from another address, is not locked out.
	if _, err := e.login("a@example.com", knownPassword, owner); err != nil {
		t.Fatalf("owner login during the attack: %v", err)
	}
	// After the window the attacker's address may try again.
	c.Advance(15*time.Minute + time.Second)
	if _, err := e.login("a@example.com", knownPassword, attacker); err != nil {
		t.Fatalf("login after the window: %v", err)
	}
}

func TestLoginThrottleSuccessResetsAccountAddress(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	e.throttled(t)
	e.createUser(t, map[string]any{"email": "a@example.com"})
	for round := range 3 {
		for i := range 4 {
			_, err := e.login("a@example.com", "typo", "10.0.0.1")
			wantAPIError(t, err, 401, "LOGIN_FAILED", "login failed")
			_ = i
		}
		if _, err := e.login("a@example.com", knownPassword, "10.0.0.1"); err != nil {
			t.Fatalf("round %d: login after 4 typos: %v", round, err)
		}
	}
}

func TestLoginThrottlePerAccount(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	c := e.throttled(t)
	e.createUser(t, map[string]any{"email": "a@example.com"})
	// 20 failures spread over 20 addresses trip the per-account rule for every address.
	for i := range 20 {
		_, err := e.login("a@example.com", "guess", fmt.Sprintf("10.0.1.%d", i))
		wantAPIError(t, err, 401, "LOGIN_FAILED", "login failed")
	}
	_, err := e.login("a@example.com", knownPassword, "10.0.2.1")
	wantThrottled(t, err, 3600)
	// Never a permanent lock: an hour later the owner gets in.
	c.Advance(time.Hour + time.Second)
	if _, err := e.login("a@example.com", knownPassword, "10.0.2.1"); err != nil {
		t.Fatalf("login after the account window: %v", err)
	}
}

func TestLoginThrottlePerAddress(t *testing.T) {
	t.Parallel()
	e := newEnv(t, map[string]any{"loginThrottle": map[string]any{"addressMax": 6}})
	e.throttled(t)
	e.createUser(t, map[string]any{"email": "victim@example.com"})
	// Credential stuffing: one failure each on many accounts (unknown ones count too).
	for i := range 6 {
		_, err := e.login(fmt.Sprintf("user%d@example.com", i), "guess", "10.6.6.6")
		wantAPIError(t, err, 401, "LOGIN_FAILED", "login failed")
	}
	_, err := e.login("victim@example.com", knownPassword, "10.6.6.6")
	wantThrottled(t, err, 900)
	if _, err := e.login("victim@example.com", knownPassword, "10.7.7.7"); err != nil {
		t.Fatalf("another address: %v", err)
	}
}

func TestLoginThrottleOff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		settings map[string]any
		limited  bool
	}{
		{"setting false", map[string]any{"loginThrottle": false}, false},
		{"no limiter", nil, false},
		{"defaults", nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.settings)
			if tc.name != "no limiter" {
				e.throttled(t)
			}
			e.createUser(t, map[string]any{"email": "a@example.com"})
			for range 6 {
				_, _ = e.login("a@example.com", "guess", "10.0.0.1")
			}
			_, err := e.login("a@example.com", knownPassword, "10.0.0.1")
			if limited := err != nil; limited != tc.limited {
				t.Fatalf("login after 6 failures = %v, want limited %v", err, tc.limited)
			}
		})
	}
}

func TestThrottleSettings(t *testing.T) {
	m := func(settings map[string]any) *schema.Model { return &schema.Model{Settings: settings} }
	login := LoginThrottleOf(m(map[string]any{"loginThrottle": map[string]any{
		"accountAddressMax": 3, "accountAddressWindow": 60, "accountMax": 0, "addressWindow": 1.5, "trustedWindow": 86400,
	}}))
	want := LoginThrottle{
		AccountAddress: throttle.Rule{Name: "login-acct-addr", Max: 3, Window: time.Minute},
		Address:        throttle.Rule{Name: "login-addr", Max: 50, Window: 1500 * time.Millisecond},
		Account:        throttle.Rule{Name: "login-acct", Max: 0, Window: time.Hour},
		Trusted:        24 * time.Hour,
	}
	if login != want {
		t.Fatalf("LoginThrottleOf = %+v\nwant %+v", login, want)
	}
	if got := LoginThrottleOf(m(nil)); got != DefaultLoginThrottle || got.Trusted != 30*24*time.Hour {
		t.Fatalf("default login throttle = %+v", got)
	}
	if got := LoginThrottleOf(m(map[string]any{"loginThrottle": false})); got != (LoginThrottle{}) {
		t.Fatalf("loginThrottle false = %+v", got)
	}
	if got := MailThrottleOf(m(map[string]any{"mailThrottle": false})); got != (MailThrottle{}) {
		t.Fatalf("mailThrottle false = %+v", got)
	}
	mail := MailThrottleOf(m(map[string]any{"mailThrottle": map[string]any{"emailMax": 1, "addressWindow": 10}}))
	if mail.Email.Max != 1 || mail.Email.Window != 15*time.Minute || mail.Address.Max != 20 || mail.Address.Window != 10*time.Second {
		t.Fatalf("MailThrottleOf = %+v", mail)
	}
}

// TestLoginThrottleTellsNothingOfAccounts: whether a throttled identifier's variants are
// throttled too must not depend on whether the account exists.
func TestLoginThrottleTellsNothingOfAccounts(t *testing.T) {
	t.Parallel()
	for _, sensitive := range []bool{true, false} {
		e := newEnv(t, map[string]any{"caseSensitiveEmail": sensitive})
		e.throttled(t)
		e.createUser(t, map[string]any{"email": "known@example.com"})
		answers := map[string]string{}
		for _, email := range []string{"known@example.com", "unknown@example.com"} {
			for range 5 {
				_, _ = e.login(email, "wrong guess", "203.0.113.7")
			}
			_, err := e.login(strings.ToUpper(email[:1])+email[1:], "wrong guess", "203.0.113.7")
			ae, _ := apierr.As(err)
			answers[email] = fmt.Sprint(ae.StatusCode)
		}
		if answers["known@example.com"] != answers["unknown@example.com"] {
			t.Fatalf("caseSensitiveEmail=%v: a variant of a throttled email answers %v", sensitive, answers)
		}
		want := map[bool]string{true: "401", false: "429"}[sensitive]
		if answers["known@example.com"] != want {
			t.Fatalf("caseSensitiveEmail=%v: variants answer %v, want %s", sensitive, answers, want)
		}
	}
}

// TestLoginBudgetIsTheAccounts: an email and a username of one account share its budget.
func TestLoginBudgetIsTheAccounts(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	e.throttled(t)
	e.createUser(t, map[string]any{"email": "a@example.com", "username": "ann"})
	for range 5 {
		_, _ = e.login("a@example.com", "wrong guess", "203.0.113.7")
	}
	_, err := e.users.Login(context.Background(), map[string]any{"username": "ann", "password": knownPassword}, LoginOptions{ClientAddress: "203.0.113.7"})
	wantThrottled(t, err, 900)
}
