package accounts

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestSessions(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	a := e.createUser(t, map[string]any{"email": "a@example.com"})
	b := e.createUser(t, map[string]any{"email": "b@example.com"})
	id := a["id"]

	res, err := e.users.Login(ctx, map[string]any{"email": "a@example.com", "password": knownPassword},
		LoginOptions{ClientAddress: "10.0.0.1", UserAgent: "phone"})
	if err != nil {
		t.Fatal(err)
	}
	phone := res.Token
	laptop := e.newToken(t, id, 0)
	expired := e.newToken(t, id, 60)
	e.setTokenFields(t, expired, map[string]any{"created": time.Now().Add(-time.Hour)})
	e.setTokenFields(t, laptop, map[string]any{"created": time.Now().Add(time.Second)}) // newest
	bTok := e.newToken(t, b["id"], 0)
	if _, err := e.users.ResolveToken(ctx, phone); err != nil { // sets lastUsed
		t.Fatal(err)
	}

	list, err := e.users.ListSessions(WithCurrentToken(ctx, Digest(phone)), id)
	if err != nil {
		t.Fatalf("ListSessions: %v", err)
	}
	if len(list) != 2 {
		t.Fatalf("%d sessions, want 2 (the expired one left out): %+v", len(list), list)
	}
	lap, ph := list[0], list[1]
	if lap.ID != Digest(laptop)[:16] || lap.Current || !lap.LastUsed.IsZero() {
		t.Fatalf("laptop session = %+v", lap)
	}
	if ph.ID != Digest(phone)[:16] || !ph.Current || ph.ClientAddress != "10.0.0.1" || ph.UserAgent != "phone" ||
		ph.TTL != 1209600 || ph.LastUsed.IsZero() || time.Since(ph.Created) > time.Minute {
		t.Fatalf("phone session = %+v", ph)
	}
	body, _ := json.Marshal(list)
	for _, secret := range []string{phone, laptop, Digest(phone), Digest(laptop)} {
		if strings.Contains(string(body), secret) {
			t.Fatalf("sessions JSON carries a token or digest: %s", body)
		}
	}

	notFound := []struct{ name, sid string }{
		{"another user's session", Digest(bTok)[:16]},
		{"unknown", strings.Repeat("0", 16)},
		{"full digest", Digest(laptop)},
		{"empty", ""},
	}
	for _, tc := range notFound {
		t.Run(tc.name, func(t *testing.T) {
			err := e.users.RevokeSession(ctx, id, tc.sid)
			wantAPIError(t, err, 404, "SESSION_NOT_FOUND", `Unknown session "`+tc.sid+`"`)
		})
	}
	if e.tokenRow(t, bTok) == nil {
		t.Fatal("another user's token was revoked")
	}
	if err := e.users.RevokeSession(ctx, id, lap.ID); err != nil {
		t.Fatalf("RevokeSession: %v", err)
	}
	if e.tokenRow(t, laptop) != nil || e.tokenRow(t, phone) == nil {
		t.Fatal("RevokeSession revoked the wrong token")
	}

	tablet := e.newToken(t, id, 0)
	if n, err := e.users.RevokeOtherSessions(ctx, id, Digest(phone)); err != nil || n != 2 { // tablet and the expired one
		t.Fatalf("RevokeOtherSessions = %d, %v; want 2", n, err)
	}
	if e.tokenRow(t, tablet) != nil || e.tokenRow(t, phone) == nil {
		t.Fatal("RevokeOtherSessions must keep exactly the current token")
	}
	if n, err := e.users.RevokeAllSessions(ctx, id); err != nil || n != 1 {
		t.Fatalf("RevokeAllSessions = %d, %v; want 1", n, err)
	}
	if list, err := e.users.ListSessions(ctx, id); err != nil || len(list) != 0 {
		t.Fatalf("sessions after RevokeAllSessions = %+v, %v", list, err)
	}
	if e.tokenRow(t, bTok) == nil {
		t.Fatal("RevokeAllSessions touched another user's token")
	}
}
