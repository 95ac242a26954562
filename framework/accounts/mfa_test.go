package accounts

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/schema"
)

func TestMFAEnrollAndActivate(t *testing.T) {
	t.Parallel()
	e, c := newMFAEnv(t, map[string]any{"mfaIssuer": "Acme Corp"})
	ctx := context.Background()
	alice := e.createUser(t, map[string]any{"email": "alice@example.com"})
	id := alice["id"]
	if alice[propMFAEnabled] != false {
		t.Fatalf("new user mfaEnabled = %v, want false", alice[propMFAEnabled])
	}
	session := e.newToken(t, id, 0)

	secret, link, err := e.users.MFAEnroll(ctx, id)
	if err != nil {
		t.Fatalf("MFAEnroll: %v", err)
	}
	wantLink := "otpauth://totp/Acme%20Corp:alice%40example.com?secret=" + secret + "&issuer=Acme%20Corp&algorithm=SHA1&digits=6&period=30"
	if len(secret) != 32 || link != wantLink {
		t.Fatalf("MFAEnroll = %q, %q; want a 32-character secret and %q", secret, link, wantLink)
	}
	row := e.userRow(t, id)
	if row[propMFAPending] != secret || row[propMFASecret] != nil || schema.Truthy(row[propMFAEnabled]) {
		t.Fatalf("after enroll: row = %v, want the secret pending and MFA off", row)
	}
	shown := withoutHidden(e.user, row)
	for _, p := range []string{propMFASecret, propMFAPending, propMFALastStep} {
		if _, ok := shown[p]; ok {
			t.Fatalf("%s is not hidden: %v", p, shown)
		}
	}
	if _, ok := shown[propMFAEnabled]; !ok {
		t.Fatalf("mfaEnabled is hidden: %v", shown)
	}

	now := c.Now()
	wrong := []struct {
		name string
		code string
	}{
		{"wrong code", "000000"},
		{"code two steps ago", codeAt(t, secret, now.Add(-2*TOTPPeriod))},
		{"too short", codeAt(t, secret, now)[:5]},
		{"not digits", "abcdef"},
		{"empty", ""},
	}
	for _, tc := range wrong {
		err := e.users.MFAActivate(ctx, id, tc.code)
		wantAPIError(t, err, 400, "INVALID_MFA_CODE", "Invalid one-time code")
		if schema.Truthy(e.userRow(t, id)[propMFAEnabled]) {
			t.Fatalf("%s: MFA enabled", tc.name)
		}
	}

	code := codeAt(t, secret, now)
	if err := e.users.MFAActivate(ctx, id, code); err != nil {
		t.Fatalf("MFAActivate: %v", err)
	}
	row = e.userRow(t, id)
	if !schema.Truthy(row[propMFAEnabled]) || row[propMFASecret] != secret || row[propMFAPending] != nil {
		t.Fatalf("after activate: row = %v", row)
	}
	if step, _ := schema.ParseNumber(row[propMFALastStep]); int64(step) != totpStep(now) {
		t.Fatalf("mfaLastStep = %v, want %d: the activation code must not work again", row[propMFALastStep], totpStep(now))
	}
	if e.tokenRow(t, session) == nil {
		t.Fatal("activation revoked a token")
	}

	// Once enabled: no second enrolment, no second activation.
	_, _, err = e.users.MFAEnroll(ctx, id)
	wantAPIError(t, err, 400, "MFA_ALREADY_ENABLED", "Multi-factor authentication is already enabled; disable it first")
	err = e.users.MFAActivate(ctx, id, code)
	wantAPIError(t, err, 400, "MFA_ALREADY_ENABLED", "Multi-factor authentication is already enabled")
}

func TestMFAActivateErrors(t *testing.T) {
	t.Parallel()
	e, c := newMFAEnv(t, nil)
	ctx := context.Background()
	bob := e.createUser(t, map[string]any{"email": "bob@example.com"})
	carol := e.createUser(t, map[string]any{"username": "carol", "email": "carol@example.com"})

	// A second enrolment replaces the pending secret.
	first, _, err := e.users.MFAEnroll(ctx, carol["id"])
	if err != nil {
		t.Fatalf("MFAEnroll: %v", err)
	}
	second, _, err := e.users.MFAEnroll(ctx, carol["id"])
	if err != nil || second == first {
		t.Fatalf("second MFAEnroll = %q, %v; want a new secret", second, err)
	}

	tests := []struct {
		name         string
		id           any
		code         string
		status       int
		errCode, msg string
	}{
		{"unknown user", int64(999), "123456", 401, "USER_NOT_FOUND", "User 999 not found"},
		{"nothing enrolled", bob["id"], "123456", 400, "MFA_NOT_ENROLLED", "No multi-factor enrolment is pending; enroll first"},
		{"code of the replaced secret", carol["id"], codeAt(t, first, c.Now()), 400, "INVALID_MFA_CODE", "Invalid one-time code"},
		{"code of the pending secret", carol["id"], codeAt(t, second, c.Now()), 0, "", ""},
	}
	for _, tc := range tests {
		err := e.users.MFAActivate(ctx, tc.id, tc.code)
		if tc.status == 0 {
			if err != nil {
				t.Fatalf("%s: MFAActivate = %v", tc.name, err)
			}
			continue
		}
		wantAPIError(t, err, tc.status, tc.errCode, tc.msg)
	}
	for name, call := range map[string]func() error{
		"disable": func() error { return e.users.MFADisable(ctx, bob["id"], "123456") },
		"enroll":  func() error { _, _, err := e.users.MFAEnroll(ctx, int64(999)); return err },
		"reset":   func() error { return e.users.MFAReset(ctx, int64(999)) },
	} {
		err := call()
		if name == "disable" {
			wantAPIError(t, err, 400, "MFA_NOT_ENABLED", "Multi-factor authentication is not enabled")
		} else {
			wantAPIError(t, err, 401, "USER_NOT_FOUND", "User 999 not found")
		}
	}
}

func TestMFADisable(t *testing.T) {
	t.Parallel()
	e, c := newMFAEnv(t, nil)
	ctx := context.Background()
	alice := e.createUser(t, map[string]any{"email": "alice@example.com"})
	id := alice["id"]
	current, other := e.newToken(t, id, 0), e.newToken(t, id, 0)
	secret := e.enableMFA(t, c, id)
	ctx = WithCurrentToken(ctx, Digest(current))

	activation := codeAt(t, secret, c.Now().Add(-TOTPPeriod))
	fresh := codeAt(t, secret, c.Now())
	steps := []struct {
		name    string
		code    string
		errCode string // "" = success
	}{
		{"wrong code", "000000", "INVALID_MFA_CODE"},
		{"the activation code again", activation, "INVALID_MFA_CODE"},
		{"a fresh code", fresh, ""},
		{"again: not enabled", fresh, "MFA_NOT_ENABLED"},
	}
	for _, s := range steps {
		err := e.users.MFADisable(ctx, id, s.code)
		switch s.errCode {
		case "":
			if err != nil {
				t.Fatalf("%s: MFADisable = %v", s.name, err)
			}
		case "MFA_NOT_ENABLED":
			wantAPIError(t, err, 400, s.errCode, "Multi-factor authentication is not enabled")
		default:
			wantAPIError(t, err, 400, s.errCode, "Invalid one-time code")
			if e.tokenRow(t, other) == nil {
				t.Fatalf("%s: a failed disable revoked a token", s.name)
			}
		}
	}
	row := e.userRow(t, id)
	for _, p := range []string{propMFASecret, propMFAPending, propMFALastStep} {
		if row[p] != nil {
			t.Errorf("after disable: %s = %v, want nil", p, row[p])
		}
	}
	if row[propMFAEnabled] != false {
		t.Errorf("after disable: mfaEnabled = %v", row[propMFAEnabled])
	}
	if e.tokenRow(t, current) == nil || e.tokenRow(t, other) != nil {
		t.Fatal("disable must keep the current token and revoke the others")
	}
	// Right after a disable, a new enrolment can be activated in the same step.
	again, _, err := e.users.MFAEnroll(ctx, id)
	if err != nil {
		t.Fatalf("MFAEnroll after disable: %v", err)
	}
	if err := e.users.MFAActivate(ctx, id, codeAt(t, again, c.Now())); err != nil {
		t.Fatalf("MFAActivate after disable: %v", err)
	}
}

func TestMFAReset(t *testing.T) {
	t.Parallel()
	e, c := newMFAEnv(t, nil)
	admin := e.createUser(t, map[string]any{"email": "admin@example.com"})
	adminToken := e.newToken(t, admin["id"], 0)
	ctx := WithCurrentToken(context.Background(), Digest(adminToken))
	tests := []struct {
		name    string
		enabled bool
		pending bool
	}{
		{"enabled", true, false},
		{"enabled, lost phone mid-enrolment", false, true},
		{"never enrolled", false, false},
	}
	for i, tc := range tests {
		u := e.createUser(t, map[string]any{"email": strings.Repeat("u", i+1) + "@example.com"})
		tokens := []string{e.newToken(t, u["id"], 0), e.newToken(t, u["id"], 0)}
		if tc.enabled {
			e.enableMFA(t, c, u["id"])
		}
		if tc.pending {
			if _, _, err := e.users.MFAEnroll(ctx, u["id"]); err != nil {
				t.Fatalf("%s: MFAEnroll: %v", tc.name, err)
			}
		}
		if err := e.users.MFAReset(ctx, u["id"]); err != nil {
			t.Fatalf("%s: MFAReset: %v", tc.name, err)
		}
		row := e.userRow(t, u["id"])
		if row[propMFAEnabled] != false || row[propMFASecret] != nil || row[propMFAPending] != nil || row[propMFALastStep] != nil {
			t.Fatalf("%s: after reset: row = %v", tc.name, row)
		}
		for _, raw := range tokens {
			if e.tokenRow(t, raw) != nil {
				t.Fatalf("%s: the user's token survived the reset", tc.name)
			}
		}
		if e.tokenRow(t, adminToken) == nil {
			t.Fatalf("%s: the caller's token was revoked", tc.name)
		}
		// The user logs in with the password alone again.
		if _, err := e.login(row["email"].(string), knownPassword, ""); err != nil {
			t.Fatalf("%s: login after reset: %v", tc.name, err)
		}
	}
}

func TestMFAPropertiesWrittenOnlyByMFAMethods(t *testing.T) {
	t.Parallel()
	e, c := newMFAEnv(t, nil)
	ctx := context.Background()

	created := e.createUser(t, map[string]any{
		"email": "new@example.com", propMFAEnabled: true, propMFASecret: rfcSeedBase32, propMFALastStep: 5,
	})
	if row := e.userRow(t, created["id"]); row[propMFAEnabled] != false || row[propMFASecret] != nil || row[propMFALastStep] != nil {
		t.Fatalf("create wrote MFA properties: %v", row)
	}

	alice := e.createUser(t, map[string]any{"email": "alice@example.com", "username": "alice"})
	id := alice["id"]
	secret := e.enableMFA(t, c, id)
	before := e.userRow(t, id)
	attack := map[string]any{propMFAEnabled: false, propMFASecret: rfcSeedBase32, propMFAPending: rfcSeedBase32, propMFALastStep: 0}
	writes := []struct {
		name  string
		write func(data map[string]any) error
	}{
		{"patch", func(data map[string]any) error {
			_, err := e.st.PatchByID(ctx, e.user, id, data)
			return err
		}},
		{"replace", func(data map[string]any) error {
			data["email"] = "alice@example.com" // the stored password is kept
			_, err := e.st.ReplaceByID(ctx, e.user, id, data)
			return err
		}},
		{"replace without them", func(map[string]any) error {
			_, err := e.st.ReplaceByID(ctx, e.user, id, map[string]any{"email": "alice@example.com", "username": "alice"})
			return err
		}},
		{"updateAll", func(data map[string]any) error {
			_, err := e.st.UpdateAll(ctx, e.user, eq(e.user, "email", "alice@example.com"), data)
			return err
		}},
	}
	for _, w := range writes {
		data := map[string]any{"username": "alice-" + w.name}
		for k, v := range attack {
			data[k] = v
		}
		if err := w.write(data); err != nil {
			t.Fatalf("%s: %v", w.name, err)
		}
		row := e.userRow(t, id)
		for _, p := range mfaProperties {
			if row[p] != before[p] {
				t.Fatalf("%s changed %s: %v -> %v", w.name, p, before[p], row[p])
			}
		}
	}
	if _, err := e.mfaLogin("alice@example.com", knownPassword, nil, ""); err == nil {
		t.Fatal("login without a code after the writes: MFA was turned off")
	}
	if _, err := e.mfaLogin("alice@example.com", knownPassword, codeAt(t, secret, c.Now()), ""); err != nil {
		t.Fatalf("login with a code: %v", err)
	}
}

func TestMFACodeThrottle(t *testing.T) {
	t.Parallel()
	e, c := newMFAEnv(t, map[string]any{"loginThrottle": map[string]any{"accountMax": 3}})
	ctx := context.Background()
	alice := e.createUser(t, map[string]any{"email": "alice@example.com"})
	secret, _, err := e.users.MFAEnroll(ctx, alice["id"])
	if err != nil {
		t.Fatalf("MFAEnroll: %v", err)
	}
	for i := range 5 {
		err := e.users.MFAActivate(ctx, alice["id"], "000000")
		if i < 3 {
			wantAPIError(t, err, 400, "INVALID_MFA_CODE", "Invalid one-time code")
			continue
		}
		wantAPIError(t, err, 429, "LOGIN_THROTTLED", "Too many wrong one-time codes; try again in 3600 seconds")
	}
	// The right code is throttled too: no oracle.
	err = e.users.MFAActivate(ctx, alice["id"], codeAt(t, secret, c.Now()))
	wantAPIError(t, err, 429, "LOGIN_THROTTLED", "Too many wrong one-time codes; try again in 3600 seconds")
	c.Advance(time.Hour + time.Second)
	if err := e.users.MFAActivate(ctx, alice["id"], codeAt(t, secret, c.Now())); err != nil {
		t.Fatalf("MFAActivate after the window: %v", err)
	}
}

func TestMFASealedSecret(t *testing.T) {
	t.Parallel()
	e, c := newMFAEnv(t, map[string]any{"mfaSecretKey": "test key: 0123456789abcdef"})
	alice := e.createUser(t, map[string]any{"email": "alice@example.com"})
	secret := e.enableMFA(t, c, alice["id"])
	stored, _ := e.userRow(t, alice["id"])[propMFASecret].(string)
	if !strings.HasPrefix(stored, "v1:") || strings.Contains(stored, secret) {
		t.Fatalf("stored secret = %q, want it sealed", stored)
	}
	if _, err := e.mfaLogin("alice@example.com", knownPassword, codeAt(t, secret, c.Now()), ""); err != nil {
		t.Fatalf("login with a sealed secret: %v", err)
	}
	// Without the key the secret cannot be used: an internal error, not a login.
	delete(e.user.Settings, "mfaSecretKey")
	c.Advance(TOTPPeriod)
	res, err := e.mfaLogin("alice@example.com", knownPassword, codeAt(t, secret, c.Now()), "")
	if res != nil || err == nil {
		t.Fatalf("login without the key = %+v, %v; want an error", res, err)
	}
	if _, isAPI := apierr.As(err); isAPI {
		t.Fatalf("login without the key = %v, want an internal (500) error", err)
	}
}
