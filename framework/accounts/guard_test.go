package accounts

import (
	"context"
	"testing"
)

const msgPasswordChange = "Changing user password via patch/replace API is not allowed. Use changePassword() or setPassword() instead."

func TestRejectPasswordChangesViaPatchOrReplace(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil) // the Loopgo default: rejected
	ctx := context.Background()
	a := e.createUser(t, map[string]any{"email": "a@example.com", "username": "a"})
	id := a["id"]
	stored := func() map[string]any {
		rec, err := e.st.FindByID(ctx, e.user, id, nil)
		if err != nil || rec == nil {
			t.Fatalf("find: %v", err)
		}
		return rec
	}
	hash := stored()["password"]

	rejected := []struct {
		name string
		run  func() error
	}{
		{"patch", func() error {
			_, err := e.st.PatchByID(ctx, e.user, id, map[string]any{"password": "a brand new secret"})
			return err
		}},
		{"patch with null", func() error {
			_, err := e.st.PatchByID(ctx, e.user, id, map[string]any{"password": nil})
			return err
		}},
		{"patch with a hash", func() error {
			_, err := e.st.PatchByID(ctx, e.user, id, map[string]any{"password": knownHash})
			return err
		}},
		{"replace", func() error {
			_, err := e.st.ReplaceByID(ctx, e.user, id, map[string]any{"email": "a@example.com", "password": "a brand new secret"})
			return err
		}},
		{"updateAll", func() error {
			_, err := e.st.UpdateAll(ctx, e.user, eq(e.user, "username", "a"), map[string]any{"password": "a brand new secret"})
			return err
		}},
		{"patchOrCreate of an existing user", func() error {
			_, err := e.st.PatchOrCreate(ctx, e.user, map[string]any{"id": id, "password": "a brand new secret"})
			return err
		}},
	}
	for _, tc := range rejected {
		t.Run(tc.name, func(t *testing.T) {
			wantAPIError(t, tc.run(), 401, "PASSWORD_CHANGE_NOT_ALLOWED", msgPasswordChange)
			if stored()["password"] != hash {
				t.Fatal("the password changed")
			}
		})
	}

	t.Run("patch without password", func(t *testing.T) {
		if _, err := e.st.PatchByID(ctx, e.user, id, map[string]any{"username": "a2"}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("the setPassword flag allows it", func(t *testing.T) {
		if _, err := e.st.PatchByID(withPasswordChange(ctx), e.user, id, map[string]any{"password": "a brand new secret"}); err != nil {
			t.Fatal(err)
		}
		if rec := stored(); rec["password"] == hash || !e.users.HasPassword(ctx, rec, "a brand new secret") {
			t.Fatal("the permitted change was not stored")
		}
		hash = stored()["password"]
	})
	t.Run("replace without password keeps the hash and server-owned fields", func(t *testing.T) {
		if _, err := e.st.PatchByID(ctx, e.user, id, map[string]any{"emailVerified": true, "verificationToken": "d", "verificationTokenCreated": "2030-01-01T00:00:00Z"}); err != nil {
			t.Fatal(err)
		}
		cur := e.newToken(t, id, 0)
		rec, err := e.st.ReplaceByID(ctx, e.user, id, map[string]any{"email": "a@example.com", "username": "a3"})
		if err != nil {
			t.Fatalf("ReplaceByID: %v", err)
		}
		s := stored()
		if rec["username"] != "a3" || s["password"] != hash || s["emailVerified"] != true || s["verificationToken"] != "d" || s["verificationTokenCreated"] == nil {
			t.Fatalf("after replace: %v", s)
		}
		if e.tokenRow(t, cur) == nil {
			t.Fatal("a replace that changed no credential revoked a token")
		}
	})
	t.Run("create is not an update", func(t *testing.T) {
		if _, err := e.st.Create(ctx, e.user, map[string]any{"email": "b@example.com", "password": "another fine secret"}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestEmailChangeClearsVerificationToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	a := e.createUser(t, map[string]any{"email": "a@example.com", "emailVerified": true})
	if _, err := e.st.PatchByID(ctx, e.user, a["id"], map[string]any{"verificationToken": "d", "verificationTokenCreated": "2030-01-01T00:00:00Z"}); err != nil {
		t.Fatal(err)
	}
	rec, err := e.st.PatchByID(ctx, e.user, a["id"], map[string]any{"email": "new@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if rec["verificationToken"] != nil || rec["verificationTokenCreated"] != nil {
		t.Fatalf("pending token survived an email change: %v", rec)
	}
	if rec["emailVerified"] != false {
		t.Fatalf("emailVerified = %v after an email change: the new address is not verified (even when logins do not require it)", rec["emailVerified"])
	}
	// an explicit emailVerified (an admin's, or Go code's) in the same write is kept
	rec, err = e.st.PatchByID(ctx, e.user, a["id"], map[string]any{"email": "third@example.com", "emailVerified": true})
	if err != nil || rec["emailVerified"] != true {
		t.Fatalf("explicit emailVerified with an email change: %v, %v", rec["emailVerified"], err)
	}
}

func TestDisableRevokesAndBlocksLogin(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	a := e.createUser(t, map[string]any{"email": "a@example.com"})
	b := e.createUser(t, map[string]any{"email": "b@example.com"})
	if _, err := e.login("a@example.com", knownPassword, ""); err != nil {
		t.Fatalf("login before disabling: %v", err)
	}
	cur, other, bTok := e.newToken(t, a["id"], 0), e.newToken(t, a["id"], 0), e.newToken(t, b["id"], 0)

	// Even the current request's token and WithPreserveAccessTokens do not survive disabling.
	save := WithPreserveAccessTokens(WithCurrentToken(ctx, Digest(cur)))
	rec, err := e.st.PatchByID(save, e.user, a["id"], map[string]any{"disabled": true})
	if err != nil {
		t.Fatal(err)
	}
	if rec["disabled"] != true {
		t.Fatalf("disabled = %v", rec["disabled"])
	}
	if e.tokenRow(t, cur) != nil || e.tokenRow(t, other) != nil || e.tokenRow(t, bTok) == nil {
		t.Fatal("disabling did not revoke exactly the user's tokens")
	}
	res, err := e.login("a@example.com", knownPassword, "")
	if res != nil {
		t.Fatalf("a disabled user logged in: %+v", res)
	}
	wantAPIError(t, err, 401, "LOGIN_FAILED", "login failed")

	if _, err := e.st.PatchByID(ctx, e.user, a["id"], map[string]any{"disabled": false}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.login("a@example.com", knownPassword, ""); err != nil {
		t.Fatalf("login after re-enabling: %v", err)
	}
}
