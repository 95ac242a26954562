package accounts

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/loopgo/loopgo/framework/schema"
)

func TestLoginMFA(t *testing.T) {
	t.Parallel()
	e, c := newMFAEnv(t, map[string]any{"loginThrottle": false})
	alice := e.createUser(t, map[string]any{"email": "alice@example.com"})
	e.createUser(t, map[string]any{"email": "bob@example.com"})
	secret := e.enableMFA(t, c, alice["id"])
	now := func() time.Time { return c.Now() }
	const failed, required = "LOGIN_FAILED", "MFA_REQUIRED"
	steps := []struct {
		name     string
		email    string
		password string
		code     func() any // nil = no code
		advance  time.Duration
		errCode  string // "" = logged in
	}{
		{"user without MFA: password alone", "bob@example.com", knownPassword, nil, 0, ""},
		{"wrong password, no code: no hint of MFA", "alice@example.com", "wrong", nil, 0, failed},
		{"right password, no code", "alice@example.com", knownPassword, nil, 0, required},
		{"right password, empty code", "alice@example.com", knownPassword, func() any { return "" }, 0, required},
		{"right password, null code", "alice@example.com", knownPassword, func() any { return nil }, 0, required},
		{"wrong password, right code: the code is not spent", "alice@example.com", "wrong", func() any { return codeAt(t, secret, now()) }, 0, failed},
		{"right password, wrong code", "alice@example.com", knownPassword, func() any { return "000000" }, 0, failed},
		{"right password, malformed code", "alice@example.com", knownPassword, func() any { return "12345" }, 0, failed},
		{"the activation code (previous step, used)", "alice@example.com", knownPassword, func() any { return codeAt(t, secret, now().Add(-TOTPPeriod)) }, 0, failed},
		{"right password and code", "alice@example.com", knownPassword, func() any { return codeAt(t, secret, now()) }, 0, ""},
		{"the same code again: replay", "alice@example.com", knownPassword, func() any { return codeAt(t, secret, now()) }, 0, failed},
		{"the next step's code (client clock ahead)", "alice@example.com", knownPassword, func() any { return codeAt(t, secret, now().Add(TOTPPeriod)) }, 0, ""},
		{"the current step after a later one was used", "alice@example.com", knownPassword, func() any { return codeAt(t, secret, now()) }, TOTPPeriod / 2, failed},
		{"a code sent as a JSON number", "alice@example.com", knownPassword, func() any {
			n, _ := strconv.Atoi(codeAt(t, secret, now()))
			return float64(n)
		}, TOTPPeriod * 2, ""},
	}
	for _, s := range steps {
		c.Advance(s.advance)
		creds := map[string]any{"email": s.email, "password": s.password}
		if s.code != nil {
			creds["code"] = s.code()
		}
		res, err := e.users.Login(context.Background(), creds, LoginOptions{})
		switch s.errCode {
		case "":
			if err != nil || res == nil || len(res.Token) != TokenIDLength {
				t.Fatalf("%s: Login = %+v, %v; want a token", s.name, res, err)
			}
		case required:
			wantAPIError(t, err, 401, required, "a one-time code is required")
		default:
			wantAPIError(t, err, 401, failed, "login failed")
		}
		if s.errCode != "" && res != nil {
			t.Fatalf("%s: Login returned a token with an error", s.name)
		}
	}
}

func TestLoginMFAThrottle(t *testing.T) {
	t.Parallel()
	e, c := newMFAEnv(t, nil) // default rules: 5 failures per account and address
	alice := e.createUser(t, map[string]any{"email": "alice@example.com"})
	secret := e.enableMFA(t, c, alice["id"])
	const addr = "10.0.0.1"
	type step struct {
		code    any // nil = none
		errCode string
	}
	steps := []step{
		// Asking for the code does not count as a failure.
		{nil, "MFA_REQUIRED"}, {nil, "MFA_REQUIRED"}, {nil, "MFA_REQUIRED"}, {nil, "MFA_REQUIRED"},
		{nil, "MFA_REQUIRED"}, {nil, "MFA_REQUIRED"},
		// Wrong codes count like wrong passwords ...
		{"000001", "LOGIN_FAILED"}, {"000002", "LOGIN_FAILED"}, {"000003", "LOGIN_FAILED"}, {"000004", "LOGIN_FAILED"},
		// ... and the right password alone does not clear them.
		{nil, "MFA_REQUIRED"},
		{"000005", "LOGIN_FAILED"},
		// Five failures: the right code is throttled too.
		{"right", "LOGIN_THROTTLED"},
	}
	for _, s := range steps {
		code := s.code
		if code == "right" {
			code = codeAt(t, secret, c.Now())
		}
		_, err := e.mfaLogin("alice@example.com", knownPassword, code, addr)
		switch s.errCode {
		case "MFA_REQUIRED":
			wantAPIError(t, err, 401, s.errCode, "a one-time code is required")
		case "LOGIN_FAILED":
			wantAPIError(t, err, 401, s.errCode, "login failed")
		default:
			wantThrottled(t, err, 900)
		}
	}
	// A success clears the account+address count, as it does for passwords.
	c.Advance(15*time.Minute + time.Second)
	if _, err := e.mfaLogin("alice@example.com", knownPassword, codeAt(t, secret, c.Now()), addr); err != nil {
		t.Fatalf("login after the window: %v", err)
	}
	for range 4 {
		_, err := e.mfaLogin("alice@example.com", knownPassword, "000000", addr)
		wantAPIError(t, err, 401, "LOGIN_FAILED", "login failed")
	}
	c.Advance(TOTPPeriod)
	if _, err := e.mfaLogin("alice@example.com", knownPassword, codeAt(t, secret, c.Now()), addr); err != nil {
		t.Fatalf("login after 4 wrong codes: %v", err)
	}
}

// ASVS 6.4.3: a password reset neither logs the user in nor turns MFA off.
func TestPasswordResetKeepsMFA(t *testing.T) {
	t.Parallel()
	e, c := newMFAEnv(t, nil)
	ctx := context.Background()
	events := &resetEvents{}
	e.users.OnResetPasswordRequest(events.add)
	alice := e.createUser(t, map[string]any{"email": "alice@example.com"})
	id := alice["id"]
	secret := e.enableMFA(t, c, id)

	if err := e.users.ResetPassword(ctx, map[string]any{"email": "alice@example.com"}, ResetOptions{}); err != nil {
		t.Fatalf("ResetPassword: %v", err)
	}
	tok, err := e.users.ResolveToken(ctx, events.last(t).Token)
	if err != nil || tok == nil || !slices.Equal(tok.Scopes, []string{ResetPasswordScope}) {
		t.Fatalf("reset token = %+v, %v; want a reset-password token", tok, err)
	}
	const newPassword = "a brand new passphrase"
	if err := e.users.SetPassword(ctx, id, tok.Digest, tok.Scopes, newPassword); err != nil {
		t.Fatalf("SetPassword: %v", err)
	}
	if n := e.tokenCount(t); n != 0 {
		t.Fatalf("%d access tokens after the reset, want 0: setPassword must not log in", n)
	}
	if !schema.Truthy(e.userRow(t, id)[propMFAEnabled]) {
		t.Fatal("the reset turned MFA off")
	}
	_, err = e.mfaLogin("alice@example.com", newPassword, nil, "")
	wantAPIError(t, err, 401, "MFA_REQUIRED", "a one-time code is required")
	if _, err := e.mfaLogin("alice@example.com", newPassword, codeAt(t, secret, c.Now()), ""); err != nil {
		t.Fatalf("login with the new password and a code: %v", err)
	}
}

func TestLoginMFAConcurrentReplay(t *testing.T) {
	t.Parallel()
	e, c := newMFAEnv(t, map[string]any{"loginThrottle": false})
	alice := e.createUser(t, map[string]any{"email": "alice@example.com"})
	secret := e.enableMFA(t, c, alice["id"])
	code := codeAt(t, secret, c.Now())
	const n = 6
	errs := make(chan error, n)
	for range n {
		go func() {
			_, err := e.mfaLogin("alice@example.com", knownPassword, code, "")
			errs <- err
		}()
	}
	ok := 0
	for range n {
		err := <-errs
		if err == nil {
			ok++
			continue
		}
		wantAPIError(t, err, 401, "LOGIN_FAILED", "login failed")
	}
	if ok != 1 {
		t.Fatalf("%d of %d concurrent logins with one code succeeded, want exactly 1", ok, n)
	}
}
