package framework_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/loopgo/loopgo/framework"
	"github.com/loopgo/loopgo/framework/rest"
)

const usersConfig = `
User: {dataSource: db, public: true}
AccessToken: {dataSource: db, public: false}
Note: {dataSource: db, public: true}
`

func usersApp(t *testing.T, setup ...func(*framework.App)) *testApp {
	return newTestApp(t, map[string]string{"note.yaml": noteYAML, "model-config.yaml": usersConfig}, setup...)
}

// signup creates a user and logs in, returning the user id and the raw token.
func (a *testApp) signup(email, password string) (float64, string) {
	a.t.Helper()
	r := a.do("POST", "/api/users", map[string]any{"email": email, "password": password})
	if r.Status != 200 {
		a.t.Fatalf("create user: %d %s", r.Status, r.Raw)
	}
	id := r.obj()["id"].(float64)
	r = a.do("POST", "/api/users/login", map[string]any{"email": email, "password": password})
	if r.Status != 200 {
		a.t.Fatalf("login: %d %s", r.Status, r.Raw)
	}
	return id, r.obj()["id"].(string)
}

func TestUserCreateAndValidation(t *testing.T) {
	a := usersApp(t)
	cases := []struct {
		name   string
		body   any
		status int
		code   string // details.codes.<prop> or error code
		prop   string
	}{
		{"create strips emailVerified", map[string]any{"email": "a@example.com", "password": "secret-pass", "emailVerified": true}, 200, "", ""},
		{"no email", map[string]any{"password": "secret-pass"}, 422, "[presence]", "email"},
		{"bad email", map[string]any{"email": "foo@", "password": "secret-pass"}, 422, "[custom.email]", "email"},
		{"duplicate email", map[string]any{"email": "a@example.com", "password": "secret-pass"}, 422, "[uniqueness]", "email"},
		{"username 1", map[string]any{"email": "u1@example.com", "username": "ann", "password": "secret-pass"}, 200, "", ""},
		{"duplicate username", map[string]any{"email": "u2@example.com", "username": "ann", "password": "secret-pass"}, 422, "[uniqueness]", "username"},
		{"password 73 bytes", map[string]any{"email": "l@example.com", "password": strings.Repeat("x", 73)}, 422, "PASSWORD_TOO_LONG", ""},
		{"password 72 bytes", map[string]any{"email": "l72@example.com", "password": strings.Repeat("x", 72)}, 200, "", ""},
		{"empty password", map[string]any{"email": "e@example.com", "password": ""}, 422, "INVALID_PASSWORD", ""},
		{"no password", map[string]any{"email": "np@example.com"}, 422, "[presence]", "password"},
		{"tld-only domain", map[string]any{"email": "local@com", "password": "secret-pass"}, 200, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := a.do("POST", "/api/users", c.body)
			if r.Status != c.status {
				t.Fatalf("status %d, want %d: %s", r.Status, c.status, r.Raw)
			}
			if strings.Contains(r.Raw, "password\":\"") || strings.Contains(r.Raw, "$2a$") || strings.Contains(r.Raw, "$2b$") {
				t.Fatalf("password leaked: %s", r.Raw)
			}
			if c.status == 200 {
				if v := r.obj()["emailVerified"]; v == true {
					t.Fatalf("emailVerified not stripped: %s", r.Raw)
				}
				return
			}
			if c.prop != "" {
				codes := r.errField("details").(map[string]any)["codes"].(map[string]any)
				if fmt.Sprint(codes[c.prop]) != c.code {
					t.Fatalf("codes %v, want %s=%s", codes, c.prop, c.code)
				}
			} else if r.errField("code") != c.code {
				t.Fatalf("code %v, want %s: %s", r.errField("code"), c.code, r.Raw)
			}
		})
	}
}

func TestLogin(t *testing.T) {
	a := usersApp(t)
	a.do("POST", "/api/users", map[string]any{"email": "ann@example.com", "username": "ann", "password": "SuperFakePassword"})
	cases := []struct {
		name   string
		path   string
		body   any
		status int
		code   string
	}{
		{"by email", "/api/users/login", map[string]any{"email": "ann@example.com", "password": "SuperFakePassword"}, 200, ""},
		{"by username", "/api/users/login", map[string]any{"username": "ann", "password": "SuperFakePassword"}, 200, ""},
		{"wrong password", "/api/users/login", map[string]any{"email": "ann@example.com", "password": "nope-nope"}, 401, "LOGIN_FAILED"},
		{"unknown email", "/api/users/login", map[string]any{"email": "bob@example.com", "password": "SuperFakePassword"}, 401, "LOGIN_FAILED"},
		{"password only", "/api/users/login", map[string]any{"password": "SuperFakePassword"}, 400, "USERNAME_EMAIL_REQUIRED"},
		{"username not a string", "/api/users/login", map[string]any{"username": map[string]any{"neq": "x"}, "password": "x"}, 400, "INVALID_USERNAME"},
		{"email not a string", "/api/users/login", map[string]any{"email": 5, "password": "x"}, 400, "INVALID_EMAIL"},
		{"no body", "/api/users/login", nil, 400, "USERNAME_EMAIL_REQUIRED"},
		{"missing credentials object", "/api/users/login", "[]", 400, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := a.do("POST", c.path, c.body)
			if r.Status != c.status {
				t.Fatalf("status %d, want %d: %s", r.Status, c.status, r.Raw)
			}
			if c.status == 200 {
				o := r.obj()
				id, _ := o["id"].(string)
				if len(id) != 64 || o["ttl"] != float64(1209600) || o["userId"] != float64(1) || o["created"] == nil {
					t.Fatalf("token body: %s", r.Raw)
				}
				if _, ok := o["user"]; ok {
					t.Fatalf("user included without include: %s", r.Raw)
				}
				return
			}
			if c.code != "" && r.errField("code") != c.code {
				t.Fatalf("code %v, want %s: %s", r.errField("code"), c.code, r.Raw)
			}
		})
	}
	t.Run("raw body without JSON content type", func(t *testing.T) {
		r := a.do("POST", "/api/users/login", nil)
		if r.Status != 400 || r.errField("code") != "USERNAME_EMAIL_REQUIRED" {
			t.Fatalf("%d %s", r.Status, r.Raw)
		}
	})
	t.Run("include user", func(t *testing.T) {
		r := a.do("POST", "/api/users/login?include=USER&include=Post", map[string]any{"email": "ann@example.com", "password": "SuperFakePassword"})
		u, _ := r.obj()["user"].(map[string]any)
		if r.Status != 200 || u["email"] != "ann@example.com" || u["password"] != nil {
			t.Fatalf("%d %s", r.Status, r.Raw)
		}
	})
	t.Run("include comma list", func(t *testing.T) {
		r := a.do("POST", "/api/users/login?include=user,post", map[string]any{"email": "ann@example.com", "password": "SuperFakePassword"})
		if u, _ := r.obj()["user"].(map[string]any); r.Status != 200 || u["email"] != "ann@example.com" {
			t.Fatalf("%d %s", r.Status, r.Raw)
		}
	})
	t.Run("ttl", func(t *testing.T) {
		r := a.do("POST", "/api/users/login", map[string]any{"email": "ann@example.com", "password": "SuperFakePassword", "ttl": 3600})
		if r.obj()["ttl"] != float64(3600) {
			t.Fatal(r.Raw)
		}
		r = a.do("POST", "/api/users/login", map[string]any{"email": "ann@example.com", "password": "SuperFakePassword", "ttl": 99999999999})
		if r.obj()["ttl"] != float64(31556926) {
			t.Fatalf("ttl not capped: %s", r.Raw)
		}
	})
}

func TestEmailVerificationRequiredLogin(t *testing.T) {
	a := usersApp(t, func(app *framework.App) {
		app.Boot("require-verification", func(ctx context.Context, app *framework.App) error {
			app.Model("User").Definition().Settings["emailVerificationRequired"] = true
			return nil
		})
	})
	a.do("POST", "/api/users", map[string]any{"email": "ann@example.com", "password": "SuperFakePassword"})
	r := a.do("POST", "/api/users/login", map[string]any{"email": "ann@example.com", "password": "SuperFakePassword"})
	if r.Status != 401 || r.errField("code") != "LOGIN_FAILED_EMAIL_NOT_VERIFIED" || fmt.Sprint(r.errField("details")) != "map[userId:1]" {
		t.Fatalf("%d %s", r.Status, r.Raw)
	}
	r = a.do("POST", "/api/users/login", map[string]any{"email": "ann@example.com", "password": "wrong-one"})
	if r.Status != 401 || r.errField("code") != "LOGIN_FAILED" || strings.Contains(r.Raw, "verified") {
		t.Fatalf("%d %s", r.Status, r.Raw)
	}
}

func TestTokensAndLogout(t *testing.T) {
	a := usersApp(t)
	id, tok := a.signup("ann@example.com", "SuperFakePassword")
	path := fmt.Sprintf("/api/users/%v", id)
	sources := []struct {
		name    string
		path    string
		headers []string
	}{
		{"query", path + "?access_token=" + tok, nil},
		{"authorization raw", path, []string{"Authorization", tok}},
		{"x-access-token", path, []string{"X-Access-Token", tok}},
		{"bearer raw", path, []string{"Authorization", "Bearer " + tok}},
		{"bearer base64", path, []string{"Authorization", "Bearer " + base64.StdEncoding.EncodeToString([]byte(tok))}},
		{"basic user:token", path, []string{"Authorization", "Basic " + base64.StdEncoding.EncodeToString([]byte("x:"+tok))}},
		{"basic token:", path, []string{"Authorization", "Basic " + base64.StdEncoding.EncodeToString([]byte(tok+":"))}},
	}
	for _, s := range sources {
		t.Run(s.name, func(t *testing.T) {
			r := a.do("GET", s.path, nil, s.headers...)
			if r.Status != 200 || r.obj()["email"] != "ann@example.com" || r.obj()["password"] != nil {
				t.Fatalf("%d %s", r.Status, r.Raw)
			}
		})
	}
	t.Run("anonymous read denied", func(t *testing.T) {
		r := a.do("GET", path, nil)
		if r.Status != 401 || r.errField("code") != "AUTHORIZATION_REQUIRED" {
			t.Fatalf("%d %s", r.Status, r.Raw)
		}
	})
	t.Run("list denied", func(t *testing.T) {
		for _, h := range [][]string{nil, {"Authorization", tok}} {
			if r := a.do("GET", "/api/users", nil, h...); r.Status != 401 {
				t.Fatalf("%d %s", r.Status, r.Raw)
			}
		}
	})
	t.Run("destroyAll not exposed", func(t *testing.T) {
		if r := a.do("DELETE", "/api/users", nil, "Authorization", tok); r.Status != 404 {
			t.Fatalf("%d %s", r.Status, r.Raw)
		}
	})
	t.Run("token stored as digest", func(t *testing.T) {
		var n int64
		db := a.app.StoreOf("AccessToken").DB(context.Background())
		if err := db.Table("AccessToken").Where(`"id" = ?`, tok).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatal("raw token found in the database")
		}
	})
	t.Run("logout without token", func(t *testing.T) {
		r := a.do("POST", "/api/users/logout", nil)
		if r.Status != 401 || r.errField("code") != nil {
			t.Fatalf("%d %s", r.Status, r.Raw)
		}
		r = a.do("POST", "/api/users/logout", nil, "Authorization", strings.Repeat("a", 64))
		if r.Status != 401 {
			t.Fatalf("%d %s", r.Status, r.Raw)
		}
	})
	t.Run("logout any verb", func(t *testing.T) {
		r := a.do("POST", "/api/users/login", map[string]any{"email": "ann@example.com", "password": "SuperFakePassword"})
		t2 := r.obj()["id"].(string)
		if r := a.do("GET", "/api/users/logout", nil, "Authorization", t2); r.Status != 204 {
			t.Fatalf("GET logout %d %s", r.Status, r.Raw)
		}
	})
	t.Run("logout", func(t *testing.T) {
		r := a.do("POST", "/api/users/logout", nil, "Authorization", tok)
		if r.Status != 204 || r.Raw != "" {
			t.Fatalf("%d %s", r.Status, r.Raw)
		}
		if r := a.do("GET", path, nil, "Authorization", tok); r.Status != 401 {
			t.Fatalf("token alive after logout: %d", r.Status)
		}
	})
}

func TestOwnerAccessAndTokenInvalidation(t *testing.T) {
	a := usersApp(t)
	id, tokA := a.signup("ann@example.com", "SuperFakePassword")
	_, other := a.signup("bob@example.com", "SuperFakePassword")
	path := fmt.Sprintf("/api/users/%v", id)
	r := a.do("POST", "/api/users/login", map[string]any{"email": "ann@example.com", "password": "SuperFakePassword"})
	tokB := r.obj()["id"].(string)
	for _, c := range []struct {
		method string
		tok    string
		body   any
		status int
	}{
		{"GET", other, nil, 401},
		{"PATCH", other, map[string]any{"username": "x"}, 401},
		{"DELETE", other, nil, 401},
		{"GET", "", nil, 401},
		{"PATCH", tokA, map[string]any{"username": "annie"}, 200},
		// rejectPasswordChangesViaPatchOrReplace is on by default: use change-password instead
		{"PUT", tokA, map[string]any{"email": "ann@example.com", "password": "AnotherPass1", "username": "annie"}, 401},
		{"PATCH", tokA, map[string]any{"password": "AnotherPass1"}, 401},
	} {
		var h []string
		if c.tok != "" {
			h = []string{"Authorization", c.tok}
		}
		if r := a.do(c.method, path, c.body, h...); r.Status != c.status {
			t.Fatalf("%s with token %v: %d, want %d: %s", c.method, c.tok != "", r.Status, c.status, r.Raw)
		}
	}
	if r := a.do("GET", path, nil, "Authorization", tokB); r.Status != 200 {
		t.Fatalf("token B revoked without a credential change: %d %s", r.Status, r.Raw)
	}
	// changing the email with token A revokes token B and keeps A (spec check 22)
	r = a.do("PATCH", path, map[string]any{"email": "ann2@example.com"}, "Authorization", tokA)
	if r.Status != 200 {
		t.Fatalf("patch email: %d %s", r.Status, r.Raw)
	}
	if r := a.do("GET", path, nil, "Authorization", tokA); r.Status != 200 {
		t.Fatalf("current token revoked: %d %s", r.Status, r.Raw)
	}
	if r := a.do("GET", path, nil, "Authorization", tokB); r.Status != 401 {
		t.Fatalf("other token kept: %d %s", r.Status, r.Raw)
	}
	if r := a.do("DELETE", path, nil, "Authorization", tokA); r.Status != 200 || r.obj()["count"] != float64(1) {
		t.Fatalf("owner delete: %d %s", r.Status, r.Raw)
	}
	var n int64
	db := a.app.StoreOf("AccessToken").DB(context.Background())
	if err := db.Table("AccessToken").Where(`"userId" = ?`, id).Count(&n).Error; err != nil || n != 0 {
		t.Fatalf("tokens of deleted user left: %d %v", n, err)
	}
}

func TestExpiredToken(t *testing.T) {
	a := usersApp(t)
	id, tok := a.signup("ann@example.com", "SuperFakePassword")
	db := a.app.StoreOf("AccessToken").DB(context.Background())
	if err := db.Exec(`UPDATE "AccessToken" SET "created" = ?`, time.Now().Add(-15*24*time.Hour).UTC()).Error; err != nil {
		t.Fatal(err)
	}
	r := a.do("GET", "/api/notes", nil, "Authorization", tok)
	if r.Status != 401 || r.errField("code") != "INVALID_TOKEN" {
		t.Fatalf("expired: %d %s", r.Status, r.Raw)
	}
	var n int64
	db.Table("AccessToken").Where(`"userId" = ?`, id).Count(&n)
	if n != 0 {
		t.Fatal("expired token not deleted")
	}
}

func TestCurrentUserLiteral(t *testing.T) {
	a := newTestApp(t, map[string]string{"model-config.yaml": usersConfig, "note.yaml": noteYAML}, func(app *framework.App) {
		app.SetCurrentUserLiteral("me")
	})
	_, tok := a.signup("ann@example.com", "SuperFakePassword")
	if r := a.do("GET", "/api/users/me", nil, "Authorization", tok); r.Status != 200 || r.obj()["email"] != "ann@example.com" {
		t.Fatalf("%d %s", r.Status, r.Raw)
	}
	for _, h := range [][]string{nil, {"Authorization", ""}, {"Authorization", "invalid"}} {
		if r := a.do("GET", "/api/users/me", nil, h...); r.Status != 401 {
			t.Fatalf("%v: %d %s", h, r.Status, r.Raw)
		}
	}
}

func TestRelaxEmailRequirement(t *testing.T) {
	a := usersApp(t, func(app *framework.App) {
		app.Boot("relax-email", func(ctx context.Context, app *framework.App) error {
			app.Model("User").RemoveValidations("email")
			return nil
		})
	})
	r := a.do("POST", "/api/users", map[string]any{"username": "noemail", "password": "SuperFakePassword"})
	if r.Status != 200 {
		t.Fatalf("%d %s", r.Status, r.Raw)
	}
	r = a.do("POST", "/api/users/login", map[string]any{"username": "noemail", "password": "SuperFakePassword"})
	if r.Status != 200 {
		t.Fatalf("%d %s", r.Status, r.Raw)
	}
}

func TestNoSecretsInLogs(t *testing.T) {
	a := usersApp(t)
	_, tok := a.signup("ann@example.com", "SuperFakePassword")
	a.do("GET", "/api/users/1?access_token="+tok, nil)
	a.do("POST", "/api/users/logout", nil, "Authorization", tok)
	logs := a.log.String()
	for _, secret := range []string{"SuperFakePassword", tok, "$2a$", "$2b$"} {
		if strings.Contains(logs, secret) {
			t.Fatalf("log contains a secret %q", secret[:4])
		}
	}
	if !strings.Contains(logs, "request") {
		t.Fatal("no request log lines captured")
	}
}

func TestDefaultBcryptCost(t *testing.T) {
	fastBcrypt = false
	defer func() { fastBcrypt = true }()
	a := usersApp(t)
	a.do("POST", "/api/users", map[string]any{"email": "ann@example.com", "password": "SuperFakePassword"})
	var hash string
	db := a.app.StoreOf("User").DB(context.Background())
	if err := db.Table("User").Select(`"password"`).Where(`"email" = ?`, "ann@example.com").Scan(&hash).Error; err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$2a$10$") && !strings.HasPrefix(hash, "$2b$10$") {
		t.Fatalf("stored password is not a cost-10 bcrypt hash: %.7s", hash)
	}
}

func TestSignedCookieTokenAndHeaders(t *testing.T) {
	a := newTestApp(t, map[string]string{"model-config.yaml": usersConfig, "note.yaml": noteYAML}, func(app *framework.App) {
		app.SetCookieSecret("cookie-secret")
	})
	id, tok := a.signup("ann@example.com", "SuperFakePassword")
	path := fmt.Sprintf("/api/users/%v", id)
	signed := rest.SignCookie(tok, "cookie-secret")
	if r := a.do("GET", path, nil, "Cookie", "access_token="+url.QueryEscape(signed)); r.Status != 200 {
		t.Fatalf("signed cookie: %d %s", r.Status, r.Raw)
	}
	if r := a.do("GET", path, nil, "Cookie", "authorization="+url.QueryEscape(signed)); r.Status != 200 {
		t.Fatalf("signed authorization cookie: %d %s", r.Status, r.Raw)
	}
	forged := rest.SignCookie(tok, "another-secret")
	if r := a.do("GET", path, nil, "Cookie", "access_token="+url.QueryEscape(forged)); r.Status != 401 {
		t.Fatalf("forged cookie accepted: %d", r.Status)
	}
	if r := a.do("GET", path, nil, "Cookie", "access_token="+tok); r.Status != 401 {
		t.Fatalf("unsigned cookie accepted: %d", r.Status)
	}
	r := a.do("POST", "/api/users/login", map[string]any{"email": "ann@example.com", "password": "SuperFakePassword"})
	if r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("login response cacheable: %v", r.Header)
	}
	if r.Header.Get("Server") != "" || r.Header.Get("X-Powered-By") != "" {
		t.Fatalf("banner headers: %v", r.Header)
	}
}

func TestCORS(t *testing.T) {
	off := usersApp(t)
	r := off.do("OPTIONS", "/api/notes", nil, "Origin", "https://app.example.com", "Access-Control-Request-Method", "GET")
	if r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("CORS on by default: %v", r.Header)
	}
	on := usersApp(t, func(app *framework.App) {
		app.SetCORS(framework.CORS{AllowOrigins: []string{"https://app.example.com"}})
	})
	r = on.do("GET", "/api/notes", nil, "Origin", "https://app.example.com")
	if r.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" {
		t.Fatalf("allowed origin: %v", r.Header)
	}
	r = on.do("GET", "/api/notes", nil, "Origin", "https://evil.example.com")
	if r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("other origin allowed: %v", r.Header)
	}
}

func usersFS() fstest.MapFS {
	return fstest.MapFS{"note.yaml": {Data: []byte(noteYAML)}, "model-config.yaml": {Data: []byte(usersConfig)}}
}

func TestTrustProxy(t *testing.T) {
	a := newTestAppCfg(t, usersFS(), t.TempDir(), func(c *framework.Config) { c.TrustProxy = true })
	a.signup("ann@example.com", "SuperFakePassword")
	from := func(ip string) []string { return []string{"X-Forwarded-For", ip, "RemoteAddr", "10.0.0.1:1000"} }
	for i := 0; i < 6; i++ {
		a.do("POST", "/api/users/login", map[string]any{"email": "ann@example.com", "password": "wrong-guess"}, from("203.0.113.9")...)
	}
	if r := a.do("POST", "/api/users/login", map[string]any{"email": "ann@example.com", "password": "wrong-guess"}, from("203.0.113.9")...); r.Status != 429 {
		t.Fatalf("forwarded address not throttled: %d", r.Status)
	}
	if r := a.do("POST", "/api/users/login", map[string]any{"email": "ann@example.com", "password": "SuperFakePassword"}, from("198.51.100.4")...); r.Status != 200 {
		t.Fatalf("another forwarded address: %d %s", r.Status, r.Raw)
	}
}

func TestTokenCacheAcrossInstances(t *testing.T) {
	dir := t.TempDir()
	a := newTestAppCfg(t, usersFS(), dir, nil)
	b := newTestAppCfg(t, usersFS(), dir, nil)
	zero := 0.0
	c := newTestAppCfg(t, usersFS(), dir, func(cfg *framework.Config) { cfg.TokenCacheSeconds = &zero })
	id, tok := a.signup("ann@example.com", "SuperFakePassword")
	path := fmt.Sprintf("/api/users/%v", id)
	for _, app := range []*testApp{b, c} {
		if r := app.do("GET", path, nil, "Authorization", tok); r.Status != 200 {
			t.Fatalf("token on another instance: %d %s", r.Status, r.Raw)
		}
	}
	if r := a.do("POST", "/api/users/logout", nil, "Authorization", tok); r.Status != 204 {
		t.Fatal(r.Raw)
	}
	if r := a.do("GET", path, nil, "Authorization", tok); r.Status != 401 {
		t.Fatalf("same instance after logout: %d", r.Status)
	}
	if r := c.do("GET", path, nil, "Authorization", tok); r.Status != 401 {
		t.Fatalf("uncached instance after logout: %d", r.Status)
	}
	time.Sleep(1100 * time.Millisecond) // the cache's bound on another instance: 1 s
	if r := b.do("GET", path, nil, "Authorization", tok); r.Status != 401 {
		t.Fatalf("cached instance 1 s after logout: %d", r.Status)
	}
}
