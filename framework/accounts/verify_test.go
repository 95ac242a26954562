package accounts

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// mailbox records the links Verify sends.
type mailbox struct {
	to, links []string
}

func (m *mailbox) send(_ context.Context, to, link string) error {
	m.to = append(m.to, to)
	m.links = append(m.links, link)
	return nil
}

// last returns the uid and token of the last link sent.
func (m *mailbox) last(t *testing.T) (uid, token string) {
	t.Helper()
	if len(m.links) == 0 {
		t.Fatal("no link sent")
	}
	u, err := url.Parse(m.links[len(m.links)-1])
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("uid"), u.Query().Get("token")
}

func TestVerifyAndConfirm(t *testing.T) {
	t.Parallel()
	e := newEnv(t, map[string]any{"emailVerificationRequired": true})
	ctx := context.Background()
	a := e.createUser(t, map[string]any{"email": "a@example.com"})
	id := a["id"]
	box := &mailbox{}
	opts := VerifyOptions{LinkBase: "http://localhost:3000/api/users/confirm", Redirect: "/done?x=1", Send: box.send}

	if err := e.users.Verify(ctx, id, opts); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	link := box.links[0]
	re := regexp.MustCompile(`^http://localhost:3000/api/users/confirm\?uid=` + fmt.Sprint(id) + `&token=([0-9a-f]{64})&redirect=%2Fdone%3Fx%3D1$`)
	m := re.FindStringSubmatch(link)
	if m == nil || box.to[0] != "a@example.com" {
		t.Fatalf("sent %q to %q", link, box.to[0])
	}
	raw := m[1]
	stored, _ := e.st.FindByID(ctx, e.user, id, nil)
	if stored["verificationToken"] != Digest(raw) || stored["verificationToken"] == raw {
		t.Fatalf("stored verificationToken = %v, want the digest of the sent token", stored["verificationToken"])
	}
	if created, ok := stored["verificationTokenCreated"].(time.Time); !ok || time.Since(created) > time.Minute {
		t.Fatalf("verificationTokenCreated = %v", stored["verificationTokenCreated"])
	}

	// A second Verify replaces the first token.
	if err := e.users.Verify(ctx, id, VerifyOptions{LinkBase: "http://h/confirm?lang=fr", Send: box.send}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(box.links[1], "http://h/confirm?lang=fr&uid=") || strings.Contains(box.links[1], "redirect") {
		t.Fatalf("second link = %q", box.links[1])
	}
	_, token := box.last(t)

	failures := []struct {
		name   string
		uid    any
		token  string
		status int
		code   string
		msg    string
	}{
		{"unknown uid", 999, token, 400, "INVALID_TOKEN", "Invalid token"},
		{"uid not a number", "abc", token, 400, "INVALID_TOKEN", "Invalid token"},
		{"the replaced token", id, raw, 400, "INVALID_TOKEN", "Invalid token"},
		{"wrong token", id, strings.Repeat("0", 64), 400, "INVALID_TOKEN", "Invalid token"},
		{"the digest itself", id, Digest(token), 400, "INVALID_TOKEN", "Invalid token"},
		{"empty token", id, "", 400, "INVALID_TOKEN", "Invalid token"},
	}
	for _, tc := range failures {
		t.Run(tc.name, func(t *testing.T) {
			wantAPIError(t, e.users.Confirm(ctx, tc.uid, tc.token), tc.status, tc.code, tc.msg)
		})
	}
	_, err := e.login("a@example.com", knownPassword, "")
	wantAPIError(t, err, 401, "LOGIN_FAILED_EMAIL_NOT_VERIFIED", "login failed as the email has not been verified")

	// The uid arrives as a query string.
	if err := e.users.Confirm(ctx, fmt.Sprint(id), token); err != nil {
		t.Fatalf("Confirm: %v", err)
	}
	stored, _ = e.st.FindByID(ctx, e.user, id, nil)
	if stored["emailVerified"] != true || stored["verificationToken"] != nil || stored["verificationTokenCreated"] != nil {
		t.Fatalf("after confirm: %v", stored)
	}
	if _, err := e.login("a@example.com", knownPassword, ""); err != nil {
		t.Fatalf("login after confirm: %v", err)
	}
	wantAPIError(t, e.users.Confirm(ctx, id, token), 400, "INVALID_TOKEN", "Invalid token") // single use
}

func TestConfirmExpiredToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t, map[string]any{"verificationTokenTTL": 60})
	ctx := context.Background()
	a := e.createUser(t, map[string]any{"email": "a@example.com"})
	box := &mailbox{}
	if err := e.users.Verify(ctx, a["id"], VerifyOptions{LinkBase: "http://h/c", Send: box.send}); err != nil {
		t.Fatal(err)
	}
	_, token := box.last(t)
	age := func(d time.Duration) {
		if _, err := e.st.PatchByID(ctx, e.user, a["id"], map[string]any{"verificationTokenCreated": time.Now().Add(-d)}); err != nil {
			t.Fatal(err)
		}
	}
	age(61 * time.Second)
	wantAPIError(t, e.users.Confirm(ctx, a["id"], token), 400, "INVALID_TOKEN", "Invalid token")
	age(50 * time.Second)
	if err := e.users.Confirm(ctx, a["id"], token); err != nil {
		t.Fatalf("Confirm within the ttl: %v", err)
	}
}

func TestVerifyErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	e.user.RemoveValidations("email")
	noEmail, err := e.st.Create(ctx, e.user, map[string]any{"username": "n", "password": knownHash})
	if err != nil {
		t.Fatal(err)
	}
	a := e.createUser(t, map[string]any{"email": "a@example.com"})
	box := &mailbox{}
	send := VerifyOptions{LinkBase: "http://h/c", Send: box.send}

	wantAPIError(t, e.users.Verify(ctx, 999, send), 404, "MODEL_NOT_FOUND", `Unknown "User" id "999".`)
	wantAPIError(t, e.users.Verify(ctx, noEmail["id"], send), 400, "EMAIL_REQUIRED", "Email is required")
	if err := e.users.Verify(ctx, a["id"], VerifyOptions{LinkBase: "http://h/c"}); err == nil {
		t.Fatal("Verify without Send = nil")
	}
	boom := errors.New("smtp down")
	err = e.users.Verify(ctx, a["id"], VerifyOptions{LinkBase: "http://h/c", Send: func(context.Context, string, string) error { return boom }})
	if !errors.Is(err, boom) {
		t.Fatalf("Verify with a failing Send = %v, want it wrapped", err)
	}
	if len(box.links) != 0 {
		t.Fatalf("links sent on errors: %v", box.links)
	}
}

func TestVerifyThrottled(t *testing.T) {
	t.Parallel()
	e := newEnv(t, map[string]any{"mailThrottle": map[string]any{"emailMax": 2}})
	c := e.throttled(t)
	ctx := context.Background()
	a := e.createUser(t, map[string]any{"email": "a@example.com"})
	box := &mailbox{}
	opts := VerifyOptions{LinkBase: "http://h/c", ClientAddress: "10.0.0.1", Send: box.send}
	for i := range 2 {
		if err := e.users.Verify(ctx, a["id"], opts); err != nil {
			t.Fatalf("Verify %d: %v", i, err)
		}
	}
	err := e.users.Verify(ctx, a["id"], opts)
	wantAPIError(t, err, 429, "RATE_LIMITED", "Too many verification requests; try again in 900 seconds")
	if len(box.links) != 2 {
		t.Fatalf("%d links sent, want 2", len(box.links))
	}
	c.Advance(15*time.Minute + time.Second)
	if err := e.users.Verify(ctx, a["id"], opts); err != nil {
		t.Fatalf("Verify after the window: %v", err)
	}
}
