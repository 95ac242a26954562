package accounts

import (
	"context"
	"testing"
	"time"
)

// newMFAEnv is newEnv with a limiter and Users driven by one test clock, which it returns.
func newMFAEnv(t *testing.T, settings map[string]any) (*testEnv, *clock) {
	t.Helper()
	e := newEnv(t, settings)
	c := e.throttled(t)
	e.users.clock = c.Now
	return e, c
}

// codeAt returns the one-time code of a base32 secret at a time.
func codeAt(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	code, err := TOTPCode(secret, at)
	if err != nil {
		t.Fatalf("TOTPCode: %v", err)
	}
	return code
}

// enableMFA enrolls and activates MFA for a user at the clock's time, then moves the clock to
// the next TOTP step (so that the next code is not the activation's), and returns the secret.
func (e *testEnv) enableMFA(t *testing.T, c *clock, userID any) string {
	t.Helper()
	ctx := context.Background()
	secret, _, err := e.users.MFAEnroll(ctx, userID)
	if err != nil {
		t.Fatalf("MFAEnroll: %v", err)
	}
	if err := e.users.MFAActivate(ctx, userID, codeAt(t, secret, c.Now())); err != nil {
		t.Fatalf("MFAActivate: %v", err)
	}
	c.Advance(TOTPPeriod)
	return secret
}

// userRow returns the stored user with that id, hidden properties included.
func (e *testEnv) userRow(t *testing.T, id any) map[string]any {
	t.Helper()
	rec, err := e.st.FindByID(context.Background(), e.user, id, nil)
	if err != nil || rec == nil {
		t.Fatalf("find user %v: %v, %v", id, rec, err)
	}
	return rec
}

// mfaLogin logs in with an email, a password and a one-time code (nil = none) from an address.
func (e *testEnv) mfaLogin(email, password string, code any, address string) (*LoginResult, error) {
	creds := map[string]any{"email": email, "password": password}
	if code != nil {
		creds["code"] = code
	}
	return e.users.Login(context.Background(), creds, LoginOptions{ClientAddress: address})
}
