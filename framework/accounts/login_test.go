package accounts

import (
	"context"
	"testing"
	"time"

	"github.com/loopgo/loopgo/framework/apierr"
)

func TestLoginPrechecks(t *testing.T) {
	t.Parallel()
	plain := newEnv(t, nil)
	realm := newEnv(t, map[string]any{"realmRequired": true})
	delim := newEnv(t, map[string]any{"realmDelimiter": ":"})
	tests := []struct {
		name   string
		env    *testEnv
		creds  map[string]any
		code   string
		msg    string
		status int
	}{
		{"empty body", plain, map[string]any{}, "USERNAME_EMAIL_REQUIRED", "username or email is required", 400},
		{"password only", plain, map[string]any{"password": "x"}, "USERNAME_EMAIL_REQUIRED", "username or email is required", 400},
		{"empty strings", plain, map[string]any{"email": "", "username": ""}, "USERNAME_EMAIL_REQUIRED", "username or email is required", 400},
		{"username object", plain, map[string]any{"username": map[string]any{"neq": "x"}}, "INVALID_USERNAME", "Invalid username", 400},
		{"email number", plain, map[string]any{"email": 5.0}, "INVALID_EMAIL", "Invalid email", 400},
		{"email array wins over username", plain, map[string]any{"email": []any{"a"}, "username": "u"}, "INVALID_EMAIL", "Invalid email", 400},
		{"realm missing", realm, map[string]any{"email": "a@b.c", "password": "x"}, "REALM_REQUIRED", "realm is required", 400},
		{"realm not a string", realm, map[string]any{"email": "a@b.c", "realm": 7.0}, "INVALID_REALM", "Invalid realm", 400},
		{"delimiter implies realm", delim, map[string]any{"username": "bob"}, "REALM_REQUIRED", "realm is required", 400},
		{"realm checked before email", realm, map[string]any{}, "REALM_REQUIRED", "realm is required", 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := tc.env.users.Login(context.Background(), tc.creds, LoginOptions{})
			if res != nil {
				t.Fatalf("Login = %+v, want error", res)
			}
			wantAPIError(t, err, tc.status, tc.code, tc.msg)
		})
	}
}

func TestLogin(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	alice := e.createUser(t, map[string]any{"email": "alice@example.com", "username": "alice"})
	e.createUser(t, map[string]any{"email": "bob@example.com", "username": "bob"})

	t.Run("by email, which wins over username", func(t *testing.T) {
		before := time.Now().Add(-time.Second)
		// email wins over username
		res, err := e.users.Login(ctx, map[string]any{"email": "alice@example.com", "username": "bob", "password": knownPassword},
			LoginOptions{ClientAddress: "10.0.0.1", UserAgent: "test-agent"})
		if err != nil {
			t.Fatalf("Login: %v", err)
		}
		if len(res.Token) != 64 || res.TTL != 1209600 || res.UserID != alice["id"] || res.User != nil {
			t.Fatalf("Login = %+v, want a 64-char token, ttl 1209600, userId %v, no user", res, alice["id"])
		}
		if res.Created.Before(before) || res.Created.After(time.Now().Add(time.Second)) {
			t.Fatalf("created = %v, want about now", res.Created)
		}
		body := res.JSON()
		if body["id"] != res.Token || body["ttl"] != int64(1209600) || body["userId"] != alice["id"] || len(body) != 4 {
			t.Fatalf("JSON = %v", body)
		}
		if _, ok := body["created"].(time.Time); !ok {
			t.Fatalf("JSON created = %T, want time.Time", body["created"])
		}
		// The database holds the digest, never the raw id.
		row := e.tokenRow(t, res.Token)
		if row == nil || row["id"] != Digest(res.Token) {
			t.Fatalf("stored token = %v, want id %s", row, Digest(res.Token))
		}
		if raw, err := e.st.FindByID(ctx, e.token, res.Token, nil); err != nil || raw != nil {
			t.Fatalf("token stored under its raw id: %v %v", raw, err)
		}
		if row["principalType"] != "User" || row["clientAddress"] != "10.0.0.1" || row["userAgent"] != "test-agent" {
			t.Fatalf("stored token = %v", row)
		}
	})

	t.Run("by username with include user and a capped ttl", func(t *testing.T) {
		res, err := e.users.Login(ctx, map[string]any{"username": "alice", "password": knownPassword, "ttl": 1e12},
			LoginOptions{Include: []string{"Post", "USER"}})
		if err != nil {
			t.Fatalf("Login: %v", err)
		}
		if res.TTL != 31556926 {
			t.Fatalf("ttl = %d, want maxTTL 31556926", res.TTL)
		}
		if res.User == nil || res.User["email"] != "alice@example.com" {
			t.Fatalf("user = %v, want alice", res.User)
		}
		if _, ok := res.User["password"]; ok {
			t.Fatalf("user carries its password hash: %v", res.User)
		}
		if u, ok := res.JSON()["user"].(map[string]any); !ok || u["username"] != "alice" {
			t.Fatalf("JSON user = %v", res.JSON()["user"])
		}
	})

	failures := []struct {
		name  string
		creds map[string]any
	}{
		{"wrong password", map[string]any{"email": "alice@example.com", "password": "nope"}},
		{"unknown email", map[string]any{"email": "carol@example.com", "password": knownPassword}},
		{"missing password", map[string]any{"username": "alice"}},
		{"email is case-sensitive by default", map[string]any{"email": "Alice@example.com", "password": knownPassword}},
	}
	for _, tc := range failures {
		t.Run(tc.name, func(t *testing.T) {
			res, err := e.users.Login(ctx, tc.creds, LoginOptions{})
			if res != nil {
				t.Fatalf("Login = %+v, want LOGIN_FAILED", res)
			}
			wantAPIError(t, err, 401, "LOGIN_FAILED", "login failed")
		})
	}
}

func TestLoginEmailVerification(t *testing.T) {
	t.Parallel()
	e := newEnv(t, map[string]any{"emailVerificationRequired": true, "caseSensitiveEmail": false})
	ctx := context.Background()
	dan := e.createUser(t, map[string]any{"email": "Dan@Example.com"})
	if dan["email"] != "dan@example.com" {
		t.Fatalf("stored email = %v, want it lower-cased", dan["email"])
	}

	res, err := e.users.Login(ctx, map[string]any{"email": "DAN@example.com", "password": "wrong"}, LoginOptions{})
	if res != nil {
		t.Fatalf("Login = %+v", res)
	}
	wantAPIError(t, err, 401, "LOGIN_FAILED", "login failed")

	_, err = e.users.Login(ctx, map[string]any{"email": "DAN@example.com", "password": knownPassword}, LoginOptions{})
	wantAPIError(t, err, 401, "LOGIN_FAILED_EMAIL_NOT_VERIFIED", "login failed as the email has not been verified")
	if ae, _ := apierr.As(err); ae.Details.(map[string]any)["userId"] != dan["id"] {
		t.Fatalf("details = %v, want userId %v", ae.Details, dan["id"])
	}

	if _, err := e.st.PatchByID(ctx, e.user, dan["id"], map[string]any{"emailVerified": true}); err != nil {
		t.Fatalf("verify: %v", err)
	}
	res, err = e.users.Login(ctx, map[string]any{"email": "DAN@example.com", "password": knownPassword}, LoginOptions{})
	if err != nil || res.UserID != dan["id"] {
		t.Fatalf("Login after verification = %+v, %v", res, err)
	}
}

func TestLoginRealm(t *testing.T) {
	t.Parallel()
	e := newEnv(t, map[string]any{"realmDelimiter": ":"})
	ctx := context.Background()
	e.createUser(t, map[string]any{"email": "eve@example.com", "username": "eve", "realm": "red"})
	evie := e.createUser(t, map[string]any{"email": "evie@example.com", "username": "evie", "realm": "blue"})

	res, err := e.users.Login(ctx, map[string]any{"username": "blue:evie", "password": knownPassword}, LoginOptions{})
	if err != nil || res.UserID != evie["id"] {
		t.Fatalf("Login blue:evie = %+v, %v; want user %v", res, err, evie["id"])
	}
	_, err = e.users.Login(ctx, map[string]any{"username": "red:evie", "password": knownPassword}, LoginOptions{})
	wantAPIError(t, err, 401, "LOGIN_FAILED", "login failed")
}
