package accounts

import (
	"context"
	"testing"
	"time"
)

// ASVS 7.3.1: a token unused for longer than inactivityTimeout stops working.
func TestInactivityTimeout(t *testing.T) {
	t.Parallel()
	day := 24 * time.Hour
	tests := []struct {
		name     string
		settings map[string]any
		ttl      int64
		created  time.Duration // age at the check
		lastUsed time.Duration // time since last use; 0 = never used
		valid    bool
	}{
		{"default: created 6 days ago, never used", nil, 0, 6 * day, 0, true},
		{"default: created 8 days ago, never used", nil, 0, 8 * day, 0, false},
		{"default: created 10 days ago, used 6 days ago", nil, 0, 10 * day, 6 * day, true},
		{"default: created 10 days ago, used 8 days ago", nil, 0, 10 * day, 8 * day, false},
		{"one hour: used 59 minutes ago", map[string]any{"inactivityTimeout": 3600}, 0, 2 * time.Hour, 59 * time.Minute, true},
		{"one hour: used 61 minutes ago", map[string]any{"inactivityTimeout": 3600}, 0, 2 * time.Hour, 61 * time.Minute, false},
		{"off: created 13 days ago, never used", map[string]any{"inactivityTimeout": 0}, 0, 13 * day, 0, true},
		{"off: the ttl still applies", map[string]any{"inactivityTimeout": 0}, 0, 15 * day, time.Minute, false},
		{"eternal, used a day ago", map[string]any{"allowEternalTokens": true}, -1, 900 * day, day, true},
		{"eternal, unused for 8 days", map[string]any{"allowEternalTokens": true}, -1, 900 * day, 8 * day, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, tc.settings)
			ctx := context.Background()
			c := &clock{t: time.Now()}
			e.users.clock = c.Now
			u := e.createUser(t, map[string]any{"email": "a@example.com"})
			raw := e.newToken(t, u["id"], tc.ttl)
			c.Advance(tc.created)
			if tc.lastUsed > 0 {
				e.setTokenFields(t, raw, map[string]any{"lastUsed": c.Now().Add(-tc.lastUsed)})
			}
			sessions, err := e.users.ListSessions(ctx, u["id"])
			if err != nil || (len(sessions) == 1) != tc.valid {
				t.Fatalf("ListSessions = %d sessions, %v; want valid %v", len(sessions), err, tc.valid)
			}
			tok, err := e.users.ResolveToken(ctx, raw)
			if !tc.valid {
				if tok != nil {
					t.Fatalf("ResolveToken = %+v, want INVALID_TOKEN", tok)
				}
				wantAPIError(t, err, 401, "INVALID_TOKEN", "Invalid Access Token")
				if e.tokenRow(t, raw) != nil {
					t.Fatal("inactive token not deleted")
				}
				return
			}
			if err != nil || tok == nil {
				t.Fatalf("ResolveToken = %+v, %v; want valid", tok, err)
			}
			// The use refreshed lastUsed: the token is good for another full timeout.
			if last, _ := timeValue(e.tokenRow(t, raw)["lastUsed"]); c.Now().Sub(last) > time.Second {
				t.Fatalf("lastUsed = %v, want about %v", last, c.Now())
			}
		})
	}
}

func TestInactivitySetting(t *testing.T) {
	tests := []struct {
		settings map[string]any
		want     int64
	}{
		{nil, DefaultInactivityTimeout},
		{map[string]any{"inactivityTimeout": 60}, 60},
		{map[string]any{"inactivityTimeout": 0}, 0},
		{map[string]any{"inactivityTimeout": -5}, 0},
		{map[string]any{"inactivityTimeout": "soon"}, DefaultInactivityTimeout},
	}
	for _, tc := range tests {
		m := newEnv(t, tc.settings).user
		if got := SettingsOf(m).InactivityTimeout; got != tc.want {
			t.Errorf("inactivityTimeout with %v = %d, want %d", tc.settings, got, tc.want)
		}
	}
}
