package accounts

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/filter"
)

func TestCreateHashesPassword(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	long := strings.Repeat("é", 36) // 72 bytes: the longest accepted

	u := e.createUser(t, map[string]any{"email": "a@example.com", "password": long})
	stored, err := e.st.FindByID(ctx, e.user, u["id"], nil)
	if err != nil || stored == nil {
		t.Fatalf("find: %v", err)
	}
	hash, _ := stored["password"].(string)
	if !IsHash(hash) || hash == long {
		t.Fatalf("stored password = %q, want a bcrypt hash", hash)
	}
	if !e.users.HasPassword(ctx, stored, long) {
		t.Fatal("HasPassword(72-byte password) = false")
	}
	// No truncation: the 72-byte password followed by more bytes does not match.
	if CheckPassword(hash, long+"x") {
		t.Fatal("CheckPassword(72-byte password + x) = true: input was truncated")
	}

	verbatim := e.createUser(t, map[string]any{"email": "b@example.com", "password": knownHash})
	if stored, _ := e.st.FindByID(ctx, e.user, verbatim["id"], nil); stored["password"] != knownHash {
		t.Fatalf("a bcrypt hash was not stored verbatim: %v", stored["password"])
	}

	rejects := []struct {
		name     string
		password any
		code     string
		msg      string
	}{
		{"73 bytes", strings.Repeat("é", 36) + "x", "PASSWORD_TOO_LONG", "The password entered was too long. Max length is 72 (entered 73)"},
		{"empty", "", "INVALID_PASSWORD", "Invalid password."},
	}
	for _, tc := range rejects {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.st.Create(ctx, e.user, map[string]any{"email": "c@example.com", "password": tc.password})
			wantAPIError(t, err, http.StatusUnprocessableEntity, tc.code, tc.msg)
		})
	}
	t.Run("missing", func(t *testing.T) {
		_, err := e.st.Create(ctx, e.user, map[string]any{"email": "c@example.com"})
		if ae := apierr.From(err); ae == nil || ae.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("Create without password = %v, want 422", err)
		}
	})
	if n, err := e.st.Count(ctx, e.user, eq(e.user, "email", "c@example.com")); err != nil || n != 0 {
		t.Fatalf("rejected users stored: %d, %v", n, err)
	}
}

// TestUpdateRevokesTokens checks LoopBack's revocation rules, with password changes by patch and
// replace allowed as in LoopBack (rejectPasswordChangesViaPatchOrReplace false).
func TestUpdateRevokesTokens(t *testing.T) {
	t.Parallel()
	e := newEnv(t, map[string]any{"emailVerificationRequired": true, "rejectPasswordChangesViaPatchOrReplace": false})
	ctx := context.Background()
	a := e.createUser(t, map[string]any{"email": "a@example.com", "username": "a", "emailVerified": true})
	b := e.createUser(t, map[string]any{"email": "b@example.com", "username": "b", "emailVerified": true})
	id := a["id"]
	fresh := func() (current, other, bToken string) {
		if _, err := e.users.DeleteTokens(ctx, id, ""); err != nil {
			t.Fatal(err)
		}
		return e.newToken(t, id, 0), e.newToken(t, id, 0), e.newToken(t, b["id"], 0)
	}

	t.Run("patch without email or password keeps tokens", func(t *testing.T) {
		cur, other, _ := fresh()
		if _, err := e.st.PatchByID(WithCurrentToken(ctx, Digest(cur)), e.user, id, map[string]any{"username": "a2"}); err != nil {
			t.Fatal(err)
		}
		if e.tokenRow(t, cur) == nil || e.tokenRow(t, other) == nil {
			t.Fatal("tokens revoked by an unrelated patch")
		}
	})

	t.Run("patch with the same email keeps tokens", func(t *testing.T) {
		_, other, _ := fresh()
		if _, err := e.st.PatchByID(ctx, e.user, id, map[string]any{"email": "a@example.com"}); err != nil {
			t.Fatal(err)
		}
		if e.tokenRow(t, other) == nil {
			t.Fatal("tokens revoked though the email did not change")
		}
	})

	t.Run("patch password keeps only the current token", func(t *testing.T) {
		cur, other, bTok := fresh()
		rec, err := e.st.PatchByID(WithCurrentToken(ctx, Digest(cur)), e.user, id, map[string]any{"password": "a new password"})
		if err != nil {
			t.Fatal(err)
		}
		if h, _ := rec["password"].(string); !IsHash(h) {
			t.Fatalf("patched password stored as %q", rec["password"])
		}
		if e.tokenRow(t, cur) == nil || e.tokenRow(t, other) != nil || e.tokenRow(t, bTok) == nil {
			t.Fatalf("after password change: current %v, other %v, b's %v",
				e.tokenRow(t, cur) != nil, e.tokenRow(t, other) != nil, e.tokenRow(t, bTok) != nil)
		}
		if rec["emailVerified"] != true {
			t.Fatalf("password change reset emailVerified: %v", rec["emailVerified"])
		}
	})

	t.Run("patch email revokes and unverifies", func(t *testing.T) {
		cur, other, _ := fresh()
		rec, err := e.st.PatchByID(WithCurrentToken(ctx, Digest(cur)), e.user, id, map[string]any{"email": "a3@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		if rec["emailVerified"] != false {
			t.Fatalf("emailVerified = %v after an email change, want false", rec["emailVerified"])
		}
		if e.tokenRow(t, cur) == nil || e.tokenRow(t, other) != nil {
			t.Fatal("email change did not revoke the other token only")
		}
	})

	t.Run("replace with a new email revokes", func(t *testing.T) {
		cur, other, _ := fresh()
		data := map[string]any{"email": "a5@example.com", "username": "a", "password": knownHash}
		if _, err := e.st.ReplaceByID(WithCurrentToken(ctx, Digest(cur)), e.user, id, data); err != nil {
			t.Fatal(err)
		}
		if e.tokenRow(t, cur) == nil || e.tokenRow(t, other) != nil {
			t.Fatal("replace with a new email did not revoke the other token only")
		}
	})

	t.Run("replace with the same email and hash keeps tokens", func(t *testing.T) {
		_, other, _ := fresh()
		data := map[string]any{"email": "a5@example.com", "username": "a", "password": knownHash}
		if _, err := e.st.ReplaceByID(ctx, e.user, id, data); err != nil {
			t.Fatal(err)
		}
		if e.tokenRow(t, other) == nil {
			t.Fatal("tokens revoked by a replace that changed neither email nor password")
		}
	})

	t.Run("preserve access tokens", func(t *testing.T) {
		cur, other, _ := fresh()
		if _, err := e.st.PatchByID(WithPreserveAccessTokens(ctx), e.user, id, map[string]any{"email": "a4@example.com"}); err != nil {
			t.Fatal(err)
		}
		if e.tokenRow(t, cur) == nil || e.tokenRow(t, other) == nil {
			t.Fatal("tokens revoked despite WithPreserveAccessTokens")
		}
	})

	t.Run("updateAll revokes the matched users' tokens", func(t *testing.T) {
		cur, other, bTok := fresh()
		n, err := e.st.UpdateAll(ctx, e.user, eq(e.user, "username", "b"), map[string]any{"email": "b2@example.com"})
		if err != nil || n != 1 {
			t.Fatalf("UpdateAll = %d, %v", n, err)
		}
		if e.tokenRow(t, bTok) != nil || e.tokenRow(t, cur) == nil || e.tokenRow(t, other) == nil {
			t.Fatal("updateAll revoked the wrong tokens")
		}
		stored, _ := e.st.FindByID(ctx, e.user, b["id"], nil)
		if stored["emailVerified"] != false {
			t.Fatalf("updateAll email change left emailVerified %v", stored["emailVerified"])
		}
	})
}

func TestDeleteUserDeletesTokens(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	a := e.createUser(t, map[string]any{"email": "a@example.com", "username": "a"})
	b := e.createUser(t, map[string]any{"email": "b@example.com", "username": "b"})
	c := e.createUser(t, map[string]any{"email": "c@example.com", "username": "c"})
	aTok, bTok, cTok := e.newToken(t, a["id"], 0), e.newToken(t, b["id"], 0), e.newToken(t, c["id"], 0)

	if n, err := e.st.DeleteByID(ctx, e.user, a["id"]); err != nil || n != 1 {
		t.Fatalf("DeleteByID = %d, %v", n, err)
	}
	if e.tokenRow(t, aTok) != nil || e.tokenRow(t, bTok) == nil {
		t.Fatal("deleteById did not delete exactly the user's tokens")
	}
	n, err := e.st.DeleteAll(ctx, e.user, filter.Or{eq(e.user, "username", "b"), eq(e.user, "username", "nobody")})
	if err != nil || n != 1 {
		t.Fatalf("DeleteAll = %d, %v", n, err)
	}
	if e.tokenRow(t, bTok) != nil || e.tokenRow(t, cTok) == nil {
		t.Fatal("deleteAll did not delete exactly the matched users' tokens")
	}
	if got := e.tokenCount(t); got != 1 {
		t.Fatalf("%d tokens left, want 1", got)
	}
}
