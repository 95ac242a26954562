package cli_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/loopgo/loopgo/framework"
	"github.com/loopgo/loopgo/framework/accounts"
)

// TestCallersMatchRealCalls checks what the routes command says against the app: every Doc
// endpoint is called over HTTP by an anonymous caller, a logged-in user, the owner of the
// record in the path and members of the roles the rules name, and the ACL's answer (401 or
// not) must be what Callers says for that principal.
func TestCallersMatchRealCalls(t *testing.T) {
	e := newEnv(t)
	cfg, err := framework.ParseConfig(e.config())
	if err != nil {
		t.Fatal(err)
	}
	cfg.Logger = slog.New(slog.DiscardHandler)
	app, err := framework.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := app.LoadModels(models(docModel)); err != nil {
		t.Fatal(err)
	}
	if err := register(app); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := app.Setup(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = app.Shutdown(ctx) })
	users, err := app.Users("User")
	if err != nil {
		t.Fatal(err)
	}
	tokens := map[string]string{}
	ids := map[string]any{}
	for _, who := range []string{"owner", "other", "admin", "editor", "banned"} {
		email := who + "@example.com"
		rec, err := app.Model("User").Create(ctx, map[string]any{"email": email, "password": "Long-Enough-Passphrase"})
		if err != nil {
			t.Fatal(err)
		}
		ids[who] = rec["id"]
		if who == "admin" || who == "editor" || who == "banned" {
			if err := app.GrantRole(ctx, who, rec["id"]); err != nil {
				t.Fatal(err)
			}
		}
		res, err := users.Login(ctx, map[string]any{"email": email, "password": "Long-Enough-Passphrase"}, accounts.LoginOptions{})
		if err != nil {
			t.Fatal(err)
		}
		tokens[who] = res.Token
	}
	eps, err := app.Endpoints(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// the class of each caller, as Callers names it
	label := map[string]string{"anonymous": "$unauthenticated", "other": "$authenticated", "owner": "$owner",
		"admin": "admin", "editor": "editor", "banned": "banned"}
	checked := 0
	for _, ep := range eps {
		if ep.Model != "Doc" || strings.Contains(ep.Path, ":fk") {
			continue
		}
		for _, who := range []string{"anonymous", "other", "owner", "admin", "editor", "banned"} {
			want := allows(ep.Callers, label[who], who == "anonymous")
			if who == "owner" && !strings.Contains(ep.Path, ":id") {
				want = allows(ep.Callers, "$authenticated", false) // no record in the path: owner of nothing
			}
			// a fresh record owned by "owner" for each call: deletes and replaces do not
			// change the next call's answer
			doc, err := app.Model("Doc").Create(ctx, map[string]any{"title": "t", "ownerId": ids["owner"]})
			if err != nil {
				t.Fatal(err)
			}
			path := strings.ReplaceAll(ep.Path, ":id", fmt.Sprint(doc["id"]))
			verb := ep.Verb
			if verb == "ANY" {
				verb = "POST"
			}
			var body *strings.Reader
			if verb == "GET" || verb == "HEAD" || verb == "DELETE" {
				body = strings.NewReader("")
			} else {
				body = strings.NewReader(`{"title":"u"}`)
			}
			req := httptest.NewRequest(verb, path, body)
			req.Header.Set("Content-Type", "application/json")
			if tok := tokens[who]; tok != "" {
				req.Header.Set("Authorization", tok)
			}
			if strings.HasSuffix(path, "/change-stream") {
				// an allowed stream runs until its client leaves: leave after a moment
				sctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
				req = req.WithContext(sctx)
				defer cancel()
			}
			rec := httptest.NewRecorder()
			app.Handler().ServeHTTP(rec, req)
			got := rec.Code != http.StatusUnauthorized && rec.Code != http.StatusForbidden
			if got != want {
				t.Errorf("%s %s (%s) by %s: answered %d (allowed %v), routes says %q", ep.Verb, ep.Path, ep.Method, who, rec.Code, got, ep.Callers)
			}
			checked++
		}
	}
	t.Logf("%d calls checked", checked)
	if checked < 100 {
		t.Fatalf("only %d calls checked", checked)
	}
}

// allows reports whether callers admits a principal of class label (anonymous or not).
func allows(c framework.Callers, label string, anonymous bool) bool {
	if slices.Contains(c.Also, label) {
		return true
	}
	if slices.Contains(c.Except, label) {
		return false
	}
	if anonymous {
		return c.Base == "$everyone" || c.Base == "$unauthenticated"
	}
	return c.Base == "$everyone" || c.Base == "$authenticated"
}
