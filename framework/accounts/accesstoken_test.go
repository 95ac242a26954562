package accounts

import (
	"context"
	"testing"
	"time"

	"github.com/loopgo/loopgo/framework/filter"
)

func TestCreateAccessTokenTTL(t *testing.T) {
	t.Parallel()
	e := newEnv(t, map[string]any{"ttl": 600, "maxTTL": 3600})
	u := e.createUser(t, map[string]any{"email": "a@example.com"})
	tests := []struct{ in, want int64 }{
		{0, 600},
		{100, 100},
		{3600, 3600},
		{1 << 40, 3600},
		{-1, -1},
	}
	for _, tc := range tests {
		raw, rec, err := e.users.CreateAccessToken(context.Background(), u["id"], tc.in, []string{"reset-password"}, TokenMeta{})
		if err != nil {
			t.Fatalf("CreateAccessToken(%d): %v", tc.in, err)
		}
		got, _ := requestedTTL(rec["ttl"])
		if got != tc.want {
			t.Errorf("ttl %d stored as %v, want %d", tc.in, rec["ttl"], tc.want)
		}
		if rec["id"] != Digest(raw) || rec["principalType"] != "User" {
			t.Errorf("record = %v, want id %s and principalType User", rec, Digest(raw))
		}
		if s := stringList(rec["scopes"]); len(s) != 1 || s[0] != "reset-password" {
			t.Errorf("scopes = %v", rec["scopes"])
		}
	}
}

// setTokenFields overwrites stored fields of a token (to age it or corrupt it).
func (e *testEnv) setTokenFields(t *testing.T, raw string, data map[string]any) {
	t.Helper()
	n, err := e.st.UpdateAll(context.Background(), e.token, eq(e.token, "id", Digest(raw)), data)
	if err != nil || n != 1 {
		t.Fatalf("update token: %d, %v", n, err)
	}
}

func TestResolveToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	u := e.createUser(t, map[string]any{"email": "a@example.com"})

	for _, raw := range []string{"", "nope", "x"} {
		if tok, err := e.users.ResolveToken(ctx, raw); tok != nil || err != nil {
			t.Fatalf("ResolveToken(%q) = %+v, %v; want nil, nil", raw, tok, err)
		}
	}

	raw, _, err := e.users.CreateAccessToken(ctx, u["id"], 3600, []string{"a", "b"}, TokenMeta{})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := e.users.ResolveToken(ctx, raw)
	if err != nil || tok == nil {
		t.Fatalf("ResolveToken = %+v, %v", tok, err)
	}
	if tok.Digest != Digest(raw) || tok.UserID != u["id"] || tok.UserModel != "User" || tok.TTL != 3600 ||
		len(tok.Scopes) != 2 || tok.Scopes[1] != "b" || time.Since(tok.Created) > time.Minute {
		t.Fatalf("Resolved = %+v (user id %v %T, token user id %T)", tok, u["id"], u["id"], tok.UserID)
	}
	if tok, err := e.users.ResolveToken(ctx, Digest(raw)); tok != nil || err != nil {
		t.Fatalf("the digest itself resolved: %+v, %v", tok, err)
	}

	invalid := []struct {
		name string
		data map[string]any
	}{
		{"expired", map[string]any{"ttl": 60, "created": time.Now().Add(-2 * time.Minute)}},
		{"ttl zero", map[string]any{"ttl": 0}},
		{"ttl below -1", map[string]any{"ttl": -5}},
		{"eternal not allowed", map[string]any{"ttl": -1}},
	}
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			raw := e.newToken(t, u["id"], 3600)
			e.setTokenFields(t, raw, tc.data)
			tok, err := e.users.ResolveToken(ctx, raw)
			if tok != nil {
				t.Fatalf("ResolveToken = %+v, want INVALID_TOKEN", tok)
			}
			wantAPIError(t, err, 401, "INVALID_TOKEN", "Invalid Access Token")
			if row := e.tokenRow(t, raw); row != nil {
				t.Fatalf("invalid token not deleted: %v", row)
			}
			if u, err := e.users.FindByToken(ctx, raw); u != nil || err != nil {
				t.Fatalf("FindByToken(deleted) = %v, %v", u, err)
			}
		})
	}
}

func TestEternalTokenAllowed(t *testing.T) {
	t.Parallel()
	e := newEnv(t, map[string]any{"allowEternalTokens": true})
	u := e.createUser(t, map[string]any{"email": "a@example.com"})
	raw := e.newToken(t, u["id"], -1)
	// Five years old, used a day ago: valid (the inactivity timeout counts from lastUsed).
	e.setTokenFields(t, raw, map[string]any{"created": time.Now().AddDate(-5, 0, 0), "lastUsed": time.Now().AddDate(0, 0, -1)})
	tok, err := e.users.ResolveToken(context.Background(), raw)
	if err != nil || tok == nil || tok.TTL != -1 {
		t.Fatalf("ResolveToken(eternal) = %+v, %v", tok, err)
	}
}

func TestResolveTokenLastUsed(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	u := e.createUser(t, map[string]any{"email": "a@example.com"})
	raw := e.newToken(t, u["id"], 0)
	if row := e.tokenRow(t, raw); row["lastUsed"] != nil {
		t.Fatalf("new token has lastUsed %v", row["lastUsed"])
	}
	lastUsed := func() time.Time {
		t.Helper()
		if _, err := e.users.ResolveToken(ctx, raw); err != nil {
			t.Fatalf("ResolveToken: %v", err)
		}
		ts, ok := timeValue(e.tokenRow(t, raw)["lastUsed"])
		if !ok {
			t.Fatalf("lastUsed not set: %v", e.tokenRow(t, raw))
		}
		return ts
	}
	first := lastUsed()
	if time.Since(first) > time.Minute {
		t.Fatalf("lastUsed = %v, want about now", first)
	}
	if again := lastUsed(); !again.Equal(first) {
		t.Fatalf("lastUsed changed within a minute: %v -> %v", first, again)
	}
	old := time.Now().Add(-2 * time.Minute).UTC().Truncate(time.Millisecond)
	e.setTokenFields(t, raw, map[string]any{"lastUsed": old})
	if refreshed := lastUsed(); !refreshed.After(old.Add(time.Minute)) {
		t.Fatalf("stale lastUsed %v not refreshed: %v", old, refreshed)
	}
}

func TestLogout(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	u := e.createUser(t, map[string]any{"email": "a@example.com"})
	raw := e.newToken(t, u["id"], 0)

	wantAPIError(t, e.users.Logout(ctx, ""), 401, "", "accessToken is required to logout")
	if err := e.users.Logout(ctx, Digest(raw)); err != nil {
		t.Fatalf("Logout: %v", err)
	}
	if row := e.tokenRow(t, raw); row != nil {
		t.Fatalf("token still stored after logout: %v", row)
	}
	wantAPIError(t, e.users.Logout(ctx, Digest(raw)), 401, "", "Could not find accessToken")
}

func TestFindByTokenAndEmail(t *testing.T) {
	t.Parallel()
	e := newEnv(t, map[string]any{"caseSensitiveEmail": false})
	ctx := context.Background()
	u := e.createUser(t, map[string]any{"email": "Ann@Example.com", "username": "ann"})
	raw := e.newToken(t, u["id"], 0)

	got, err := e.users.FindByToken(ctx, raw)
	if err != nil || got == nil || got["username"] != "ann" {
		t.Fatalf("FindByToken = %v, %v", got, err)
	}
	if got, err := e.users.FindByToken(ctx, "unknown"); got != nil || err != nil {
		t.Fatalf("FindByToken(unknown) = %v, %v", got, err)
	}
	for _, email := range []string{"ann@example.com", "ANN@EXAMPLE.COM"} {
		got, err := e.users.FindByEmail(ctx, email)
		if err != nil || got == nil || got["id"] != u["id"] {
			t.Fatalf("FindByEmail(%q) = %v, %v", email, got, err)
		}
	}
	// The access hook lower-cases a where on email for ordinary queries too.
	got, err = e.st.FindOne(ctx, e.user, &filter.Filter{Where: eq(e.user, "email", "ANN@example.COM")})
	if err != nil || got == nil {
		t.Fatalf("FindOne(email upper-case) = %v, %v", got, err)
	}
	if got, err := e.users.FindByEmail(ctx, "nobody@example.com"); got != nil || err != nil {
		t.Fatalf("FindByEmail(unknown) = %v, %v", got, err)
	}
}

func TestDeleteTokens(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	a := e.createUser(t, map[string]any{"email": "a@example.com"})
	b := e.createUser(t, map[string]any{"email": "b@example.com"})
	keep := e.newToken(t, a["id"], 0)
	e.newToken(t, a["id"], 0)
	e.newToken(t, a["id"], 0)
	other := e.newToken(t, b["id"], 0)
	// A token of another user model with the same user id is not a's.
	if _, err := e.st.Create(ctx, e.token, map[string]any{"id": Digest("foreign"), "userId": a["id"], "principalType": "Customer", "ttl": 60}); err != nil {
		t.Fatal(err)
	}
	n, err := e.users.DeleteTokens(ctx, a["id"], Digest(keep))
	if err != nil || n != 2 {
		t.Fatalf("DeleteTokens = %d, %v; want 2", n, err)
	}
	for _, raw := range []string{keep, other, "foreign"} {
		if e.tokenRow(t, raw) == nil {
			t.Errorf("token %q deleted", raw)
		}
	}
}
