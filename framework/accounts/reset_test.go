package accounts

import (
	"bytes"
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// resetEvents collects ResetPasswordRequest events.
type resetEvents struct {
	mu   sync.Mutex
	list []ResetRequest
}

func (r *resetEvents) add(_ context.Context, req ResetRequest) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.list = append(r.list, req)
}

func (r *resetEvents) len() int { r.mu.Lock(); defer r.mu.Unlock(); return len(r.list) }

func (r *resetEvents) last(t *testing.T) ResetRequest {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.list) == 0 {
		t.Fatal("no reset event")
	}
	return r.list[len(r.list)-1]
}

func TestResetPasswordAnswers(t *testing.T) {
	t.Parallel()
	e := newEnv(t, map[string]any{"emailVerificationRequired": true})
	ctx := context.Background()
	events := &resetEvents{}
	e.users.OnResetPasswordRequest(events.add)
	e.users.OnResetPasswordRequest(nil) // ignored
	e.createUser(t, map[string]any{"email": "verified@example.com", "emailVerified": true})
	e.createUser(t, map[string]any{"email": "unverified@example.com"})
	e.createUser(t, map[string]any{"email": "disabled@example.com", "emailVerified": true, "disabled": true})

	tests := []struct {
		name    string
		options map[string]any
		code    string // "" = nil
		event   bool
	}{
		{"no email", map[string]any{}, "EMAIL_REQUIRED", false},
		{"empty email", map[string]any{"email": ""}, "EMAIL_REQUIRED", false},
		{"email not a string", map[string]any{"email": 5.0}, "EMAIL_REQUIRED", false},
		{"email an object", map[string]any{"email": map[string]any{"like": "%"}}, "EMAIL_REQUIRED", false},
		{"unknown email: 204 all the same", map[string]any{"email": "nobody@example.com"}, "", false},
		{"unverified: silently nothing", map[string]any{"email": "unverified@example.com"}, "", false},
		{"disabled: silently nothing", map[string]any{"email": "disabled@example.com"}, "", false},
		{"wrong realm", map[string]any{"email": "verified@example.com", "realm": "other"}, "", false},
		{"verified", map[string]any{"email": "verified@example.com"}, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before, tokens := events.len(), e.tokenCount(t)
			err := e.users.ResetPassword(ctx, tc.options, ResetOptions{})
			if tc.code != "" {
				wantAPIError(t, err, 400, tc.code, "Email is required")
			} else if err != nil {
				t.Fatalf("ResetPassword = %v, want nil", err)
			}
			created := e.tokenCount(t) - tokens
			if got := events.len() - before; (got == 1) != tc.event || (created == 1) != tc.event {
				t.Fatalf("%d events and %d tokens, want event %v", got, created, tc.event)
			}
		})
	}
	t.Run("an invalid password option is 422", func(t *testing.T) {
		err := e.users.ResetPassword(ctx, map[string]any{"email": "verified@example.com", "password": "short"}, ResetOptions{})
		wantValidation(t, err, "password", "length.min")
	})
}

func TestResetPasswordFlow(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	events := &resetEvents{}
	var logged bytes.Buffer
	e.users.SetLogger(slog.New(slog.NewTextHandler(&logged, nil)))
	e.users.OnResetPasswordRequest(events.add)
	e.users.OnResetPasswordRequest(func(context.Context, ResetRequest) { panic("a listener bug") })
	a := e.createUser(t, map[string]any{"email": "a@example.com", "username": "a"})
	id := a["id"]
	session := e.newToken(t, id, 0)

	opts := map[string]any{"email": "a@example.com"}
	if err := e.users.ResetPassword(ctx, opts, ResetOptions{ClientAddress: "10.1.1.1", UserAgent: "ua"}); err != nil {
		t.Fatalf("ResetPassword: %v", err)
	}
	first := events.last(t)
	if !strings.Contains(logged.String(), "a listener bug") {
		t.Fatalf("the listener's panic was not logged: %q", logged.String())
	}
	if err := e.users.ResetPassword(ctx, opts, ResetOptions{}); err != nil {
		t.Fatalf("ResetPassword again: %v", err)
	}
	ev := events.last(t)
	if ev.Email != "a@example.com" || ev.UserID != id || ev.TTL != 900 || len(ev.Token) != 64 || ev.Options["email"] != "a@example.com" {
		t.Fatalf("event = %+v", ev)
	}
	if _, leaked := ev.User["password"]; leaked || ev.User["username"] != "a" {
		t.Fatalf("event user = %v", ev.User)
	}
	if e.tokenRow(t, first.Token) != nil {
		t.Fatal("the earlier reset token survived a new request")
	}
	row := e.tokenRow(t, ev.Token)
	if row == nil || !slices.Equal(stringList(row["scopes"]), []string{"reset-password"}) || row["ttl"] != 900.0 && row["ttl"] != int64(900) {
		t.Fatalf("reset token row = %v, want scopes [reset-password] and ttl 900", row)
	}
	tok, err := e.users.ResolveToken(ctx, ev.Token)
	if err != nil || tok == nil || tok.UserID != id || !slices.Equal(tok.Scopes, []string{ResetPasswordScope}) {
		t.Fatalf("ResolveToken(reset token) = %+v, %v", tok, err)
	}

	// setPassword with the reset token: policy first, then the change.
	wantValidation(t, e.users.SetPassword(ctx, id, tok.Digest, tok.Scopes, "password"), "password", "common")
	wantAPIError(t, e.users.SetPassword(ctx, id, tok.Digest, tok.Scopes, 42.0), 422, "INVALID_PASSWORD", "Invalid password.")
	wantAPIError(t, e.users.SetPassword(ctx, 999, tok.Digest, tok.Scopes, "a new long secret"), 401, "USER_NOT_FOUND", "User 999 not found")
	if err := e.users.SetPassword(ctx, id, tok.Digest, tok.Scopes, "a new long secret"); err != nil {
		t.Fatalf("SetPassword: %v", err)
	}
	if e.tokenRow(t, ev.Token) != nil || e.tokenRow(t, session) != nil {
		t.Fatal("SetPassword with a reset token left tokens: the reset token must be single use")
	}
	if _, err := e.login("a@example.com", "a new long secret", ""); err != nil {
		t.Fatalf("login with the new password: %v", err)
	}
	_, err = e.login("a@example.com", knownPassword, "")
	wantAPIError(t, err, 401, "LOGIN_FAILED", "login failed")
}

func TestResetUnrestrictedScopeAndTTL(t *testing.T) {
	t.Parallel()
	e := newEnv(t, map[string]any{"restrictResetPasswordTokenScope": false, "resetPasswordTokenTTL": 300})
	ctx := context.Background()
	events := &resetEvents{}
	e.users.OnResetPasswordRequest(events.add)
	a := e.createUser(t, map[string]any{"email": "a@example.com"})
	if err := e.users.ResetPassword(ctx, map[string]any{"email": "a@example.com"}, ResetOptions{}); err != nil {
		t.Fatal(err)
	}
	ev := events.last(t)
	tok, err := e.users.ResolveToken(ctx, ev.Token)
	if err != nil || tok == nil || tok.Scopes != nil || tok.TTL != 300 || ev.TTL != 300 {
		t.Fatalf("unrestricted reset token = %+v, %v", tok, err)
	}
	// A normal token calling setPassword keeps its own session.
	other := e.newToken(t, a["id"], 0)
	if err := e.users.SetPassword(ctx, a["id"], tok.Digest, tok.Scopes, "a new long secret"); err != nil {
		t.Fatal(err)
	}
	if e.tokenRow(t, ev.Token) == nil || e.tokenRow(t, other) != nil {
		t.Fatal("setPassword with a normal token must keep exactly that token")
	}
}

func TestResetThrottled(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	c := e.throttled(t)
	ctx := context.Background()
	events := &resetEvents{}
	e.users.OnResetPasswordRequest(events.add)
	e.createUser(t, map[string]any{"email": "a@example.com"})
	reset := func(email, addr string) error {
		return e.users.ResetPassword(ctx, map[string]any{"email": email}, ResetOptions{ClientAddress: addr})
	}
	// Per email: 3 per 15 minutes; beyond, silently nothing (the same answer as unknown emails).
	for i := range 5 {
		if err := reset("a@example.com", "10.0.0."+string(rune('1'+i))); err != nil {
			t.Fatalf("reset %d: %v", i, err)
		}
	}
	if events.len() != 3 {
		t.Fatalf("%d reset events for 5 requests, want 3", events.len())
	}
	// Per address: 20 per 15 minutes, then 429.
	for i := range 20 {
		if err := reset("u"+string(rune('a'+i))+"@example.com", "10.9.9.9"); err != nil {
			t.Fatalf("reset from one address %d: %v", i, err)
		}
	}
	err := reset("a@example.com", "10.9.9.9")
	wantAPIError(t, err, 429, "RATE_LIMITED", "Too many password reset requests; try again in 900 seconds")
	c.Advance(15*time.Minute + time.Second)
	if err := reset("a@example.com", "10.9.9.9"); err != nil || events.len() != 4 {
		t.Fatalf("after the window: %v, %d events (want 4)", err, events.len())
	}
}

func TestChangePassword(t *testing.T) {
	t.Parallel()
	e := newEnv(t, map[string]any{"loginThrottle": map[string]any{"accountMax": 3}})
	c := e.throttled(t)
	ctx := context.Background()
	a := e.createUser(t, map[string]any{"email": "a@example.com"})
	id := a["id"]
	cur, other := e.newToken(t, id, 0), e.newToken(t, id, 0)

	failures := []struct {
		name     string
		id       any
		old, new any
		status   int
		code     string
		msg      string
	}{
		{"unknown user", 999, knownPassword, "a new long secret", 401, "USER_NOT_FOUND", "User 999 not found"},
		{"wrong current password", id, "not it at all", "a new long secret", 400, "INVALID_PASSWORD", "Invalid current password"},
		{"current password not a string", id, 5.0, "a new long secret", 400, "INVALID_PASSWORD", "Invalid current password"},
		{"new password empty", id, knownPassword, "", 422, "INVALID_PASSWORD", "Invalid password."},
	}
	for _, tc := range failures {
		t.Run(tc.name, func(t *testing.T) {
			wantAPIError(t, e.users.ChangePassword(ctx, tc.id, Digest(cur), tc.old, tc.new), tc.status, tc.code, tc.msg)
		})
	}
	wantValidation(t, e.users.ChangePassword(ctx, id, Digest(cur), knownPassword, "iloveyou"), "password", "common")
	if e.tokenRow(t, other) == nil {
		t.Fatal("a failed change revoked tokens")
	}
	if err := e.users.ChangePassword(ctx, id, Digest(cur), knownPassword, "a new long secret"); err != nil {
		t.Fatalf("ChangePassword: %v", err)
	}
	if e.tokenRow(t, cur) == nil || e.tokenRow(t, other) != nil {
		t.Fatal("ChangePassword must keep the caller's token and revoke the others")
	}
	if _, err := e.login("a@example.com", "a new long secret", ""); err != nil {
		t.Fatalf("login with the new password: %v", err)
	}

	// Wrong current passwords are limited like failed logins of the account (3 here: two
	// failures above, one more).
	wantAPIError(t, e.users.ChangePassword(ctx, id, Digest(cur), "guess", "x"), 400, "INVALID_PASSWORD", "Invalid current password")
	err := e.users.ChangePassword(ctx, id, Digest(cur), "a new long secret", "another long secret")
	wantAPIError(t, err, 429, "LOGIN_THROTTLED", "Too many wrong current passwords; try again in 3600 seconds")
	c.Advance(time.Hour + time.Second)
	if err := e.users.ChangePassword(ctx, id, Digest(cur), "a new long secret", "another long secret"); err != nil {
		t.Fatalf("ChangePassword after the window: %v", err)
	}
}
