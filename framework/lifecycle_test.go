package framework_test

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/loopgo/loopgo/framework"
	"github.com/loopgo/loopgo/framework/accounts"
	"github.com/loopgo/loopgo/framework/mail"
	"github.com/loopgo/loopgo/framework/mail/mailtest"
)

var linkRe = regexp.MustCompile(`https?://[^\s"<>]+`)

// mailApp is a users app whose mail goes through a real SMTP server started for the test.
func mailApp(t *testing.T, setup ...func(*framework.App)) (*testApp, *mailtest.Server) {
	srv := mailtest.Start(t)
	m, err := mail.NewSMTP(mail.SMTPConfig{URL: srv.URL(), From: "noreply@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	all := append([]func(*framework.App){func(app *framework.App) { app.SetMailer(m) }}, setup...)
	return newTestApp(t, map[string]string{"note.yaml": noteYAML, "model-config.yaml": strings.Replace(aclConfig, "Account: {dataSource: db}", "Note: {dataSource: db}", 1)}, all...), srv
}

func linkIn(t *testing.T, msg mailtest.Received) *url.URL {
	t.Helper()
	raw := linkRe.FindString(msg.Text)
	if raw == "" {
		t.Fatalf("no link in the mail: %q", msg.Text)
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestPasswordResetFlowThroughSMTP(t *testing.T) {
	a, srv := mailApp(t)
	id, oldTok := a.signup("ann@example.com", "SuperFakePassword")
	if r := a.do("POST", "/api/users/reset", map[string]any{}); r.Status != 400 || r.errField("code") != "EMAIL_REQUIRED" {
		t.Fatalf("reset without email: %d %s", r.Status, r.Raw)
	}
	if r := a.do("POST", "/api/users/reset", map[string]any{"email": "nobody@example.com"}); r.Status != 204 {
		t.Fatalf("reset unknown: %d %s", r.Status, r.Raw)
	}
	r := a.do("POST", "/api/users/reset", map[string]any{"email": "ann@example.com"})
	if r.Status != 204 || r.Raw != "" || r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("reset: %d %s %v", r.Status, r.Raw, r.Header)
	}
	msgs := srv.WaitFor(t, 1, 10*time.Second)
	if len(msgs) != 1 || msgs[0].To[0] != "ann@example.com" || msgs[0].HTML == "" {
		t.Fatalf("mails: %+v", msgs)
	}
	link := linkIn(t, msgs[0])
	frag, _ := url.ParseQuery(link.Fragment)
	resetTok := frag.Get("access_token")
	if len(resetTok) != 64 {
		t.Fatalf("reset link %s", link)
	}
	// the reset token opens nothing but reset-password; a normal token cannot use reset-password
	if r := a.do("GET", fmt.Sprintf("/api/users/%v", id), nil, "Authorization", resetTok); r.Status != 401 {
		t.Fatalf("reset token on findById: %d", r.Status)
	}
	if r := a.do("POST", "/api/users/reset-password", map[string]any{"newPassword": "BrandNewSecret9"}, "Authorization", oldTok); r.Status != 401 {
		t.Fatalf("normal token on reset-password: %d %s", r.Status, r.Raw)
	}
	if r := a.do("POST", "/api/users/reset-password", map[string]any{"newPassword": "password"}, "Authorization", resetTok); r.Status != 422 {
		t.Fatalf("common password accepted: %d %s", r.Status, r.Raw)
	}
	if r := a.do("POST", "/api/users/reset-password", map[string]any{"newPassword": "BrandNewSecret9"}, "Authorization", resetTok); r.Status != 204 {
		t.Fatalf("reset-password: %d %s", r.Status, r.Raw)
	}
	// single use, old sessions dead, old password dead, new password works
	if r := a.do("POST", "/api/users/reset-password", map[string]any{"newPassword": "AnotherSecret99"}, "Authorization", resetTok); r.Status != 401 {
		t.Fatalf("reset token reused: %d", r.Status)
	}
	if r := a.do("GET", fmt.Sprintf("/api/users/%v", id), nil, "Authorization", oldTok); r.Status != 401 {
		t.Fatalf("old session alive: %d", r.Status)
	}
	if r := a.do("POST", "/api/users/login", map[string]any{"email": "ann@example.com", "password": "SuperFakePassword"}); r.Status != 401 {
		t.Fatalf("old password works: %d", r.Status)
	}
	if r := a.do("POST", "/api/users/login", map[string]any{"email": "ann@example.com", "password": "BrandNewSecret9"}); r.Status != 200 {
		t.Fatalf("new password: %d %s", r.Status, r.Raw)
	}
	// the reset mail, then the notice that the password changed; none for the unknown address
	all := srv.WaitFor(t, 2, 10*time.Second)
	if len(all) != 2 || all[1].To[0] != "ann@example.com" || !strings.Contains(all[1].Text, "password of your account was changed") {
		t.Fatalf("mails: %+v", all)
	}
	for _, secret := range []string{"SuperFakePassword", "BrandNewSecret9", resetTok, oldTok, "$2a$", "$2b$"} {
		if strings.Contains(a.log.String(), secret) {
			t.Fatalf("a secret reached the log")
		}
	}
}

func TestChangePassword(t *testing.T) {
	a := usersApp(t)
	id, tokA := a.signup("ann@example.com", "SuperFakePassword")
	r := a.do("POST", "/api/users/login", map[string]any{"email": "ann@example.com", "password": "SuperFakePassword"})
	tokB := r.obj()["id"].(string)
	for _, c := range []struct {
		body   any
		tok    string
		status int
		code   string
	}{
		{map[string]any{"oldPassword": "SuperFakePassword", "newPassword": "NewSecret123"}, "", 401, "AUTHORIZATION_REQUIRED"},
		{map[string]any{"oldPassword": "wrong-password", "newPassword": "NewSecret123"}, tokA, 400, "INVALID_PASSWORD"},
		{map[string]any{"oldPassword": "SuperFakePassword"}, tokA, 400, ""},
		{map[string]any{"oldPassword": "SuperFakePassword", "newPassword": "short"}, tokA, 422, ""},
		{map[string]any{"oldPassword": "SuperFakePassword", "newPassword": "qwertyuiop"}, tokA, 422, ""},
		{map[string]any{"oldPassword": "SuperFakePassword", "newPassword": strings.Repeat("é", 37)}, tokA, 422, "PASSWORD_TOO_LONG"},
		{map[string]any{"oldPassword": "SuperFakePassword", "newPassword": "NewSecret123"}, tokA, 204, ""},
	} {
		var h []string
		if c.tok != "" {
			h = []string{"Authorization", c.tok}
		}
		r := a.do("POST", "/api/users/change-password", c.body, h...)
		if r.Status != c.status || (c.code != "" && r.errField("code") != c.code) {
			t.Fatalf("%v: %d %s", c.body, r.Status, r.Raw)
		}
	}
	path := fmt.Sprintf("/api/users/%v", id)
	if r := a.do("GET", path, nil, "Authorization", tokA); r.Status != 200 {
		t.Fatalf("current token revoked: %d", r.Status)
	}
	if r := a.do("GET", path, nil, "Authorization", tokB); r.Status != 401 {
		t.Fatalf("other token kept: %d", r.Status)
	}
	if r := a.do("POST", "/api/users/login", map[string]any{"email": "ann@example.com", "password": "NewSecret123"}); r.Status != 200 {
		t.Fatalf("new password: %d %s", r.Status, r.Raw)
	}
}

func TestVerifyAndConfirm(t *testing.T) {
	a, srv := mailApp(t, func(app *framework.App) {
		app.Boot("require-verification", func(ctx context.Context, app *framework.App) error {
			app.Model("User").Definition().Settings["emailVerificationRequired"] = true
			return nil
		})
	})
	for _, email := range []string{"ann@example.com", "bob@example.com"} {
		if r := a.do("POST", "/api/users", map[string]any{"email": email, "password": "SuperFakePassword"}); r.Status != 200 {
			t.Fatal(r.Raw)
		}
	}
	if r := a.do("POST", "/api/users/login", map[string]any{"email": "ann@example.com", "password": "SuperFakePassword"}); r.errField("code") != "LOGIN_FAILED_EMAIL_NOT_VERIFIED" {
		t.Fatalf("unverified login: %s", r.Raw)
	}
	// verify is $owner only: log in is impossible before verifying, so an admin-free app uses a
	// token created in Go (as a signup flow would right after create)
	users, err := a.app.Users("User")
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := users.CreateAccessToken(context.Background(), 1, 0, nil, builtinMeta())
	if err != nil {
		t.Fatal(err)
	}
	other, _, _ := users.CreateAccessToken(context.Background(), 2, 0, nil, builtinMeta())
	if r := a.do("POST", "/api/users/1/verify", nil); r.Status != 401 {
		t.Fatalf("anonymous verify: %d", r.Status)
	}
	if r := a.do("POST", "/api/users/1/verify", nil, "Authorization", other); r.Status != 401 {
		t.Fatalf("verify of another user: %d", r.Status)
	}
	if r := a.do("POST", "/api/users/1/verify", nil, "Authorization", tok); r.Status != 204 {
		t.Fatalf("verify: %d %s", r.Status, r.Raw)
	}
	// sign-up mailed each new user a link; the explicit verify mailed ann a new one (the newest
	// link is the valid one)
	msgs := srv.WaitFor(t, 3, 10*time.Second)
	if len(msgs) != 3 || msgs[0].To[0] != "ann@example.com" || msgs[1].To[0] != "bob@example.com" {
		t.Fatalf("mails: %+v", msgs)
	}
	msg := msgs[2]
	link := linkIn(t, msg)
	if !strings.HasPrefix(link.String(), "http://localhost:3000/api/") {
		t.Fatalf("link not built from publicUrl: %s", link)
	}
	if r := a.do("GET", "/api/users/confirm?"+linkIn(t, msgs[0]).RawQuery, nil); r.Status != 400 {
		t.Fatalf("superseded link accepted: %d %s", r.Status, r.Raw)
	}
	if !strings.HasSuffix(link.Path, "/api/Users/confirm") && !strings.HasSuffix(strings.ToLower(link.Path), "/api/users/confirm") {
		t.Fatalf("confirm link %s", link)
	}
	q := link.Query()
	cases := []struct {
		query  string
		status int
		code   string
	}{
		{"uid=1", 400, ""},
		{"uid=99&token=" + q.Get("token"), 400, "INVALID_TOKEN"},
		{"uid=1&token=nope", 400, "INVALID_TOKEN"},
		{"uid=1&token=" + q.Get("token") + "&redirect=" + url.QueryEscape("https://evil.example.com/"), 400, "INVALID_REDIRECT"},
		{"uid=1&token=" + q.Get("token") + "&redirect=" + url.QueryEscape("/\t/evil.example.com"), 400, "INVALID_REDIRECT"},
		{"uid=1&token=" + q.Get("token") + "&redirect=" + url.QueryEscape("//evil.example.com"), 400, "INVALID_REDIRECT"},
		{"uid=1&token=" + q.Get("token") + "&redirect=" + url.QueryEscape("/welcome"), 302, ""},
		{"uid=1&token=" + q.Get("token"), 400, "INVALID_TOKEN"}, // single use
	}
	for _, c := range cases {
		r := a.do("GET", "/api/users/confirm?"+c.query, nil)
		if r.Status != c.status || (c.code != "" && r.errField("code") != c.code) {
			t.Fatalf("confirm?%s: %d %s", c.query, r.Status, r.Raw)
		}
		if c.status == 302 && r.Header.Get("Location") != "/welcome" {
			t.Fatalf("Location %q", r.Header.Get("Location"))
		}
		if strings.Contains(r.Raw, q.Get("token")) {
			t.Fatal("the verification token is echoed back")
		}
	}
	if r := a.do("POST", "/api/users/login", map[string]any{"email": "ann@example.com", "password": "SuperFakePassword"}); r.Status != 200 {
		t.Fatalf("verified login: %d %s", r.Status, r.Raw)
	}
	// the owner cannot verify itself by PATCH; the change is dropped
	if r := a.do("PATCH", "/api/users/2", map[string]any{"emailVerified": true, "username": "bob"}, "Authorization", other); r.Status != 200 || r.obj()["emailVerified"] == true {
		t.Fatalf("self-verification: %d %s", r.Status, r.Raw)
	}
}

func TestLoginThrottling(t *testing.T) {
	a := usersApp(t)
	a.signup("ann@example.com", "SuperFakePassword")
	attacker := []string{"RemoteAddr", "203.0.113.7:4000"}
	var statuses []int
	var last *response
	for i := 0; i < 30; i++ {
		last = a.do("POST", "/api/users/login", map[string]any{"email": "ann@example.com", "password": fmt.Sprintf("guess-%d", i)}, attacker...)
		statuses = append(statuses, last.Status)
	}
	if statuses[0] != 401 || statuses[29] != 429 || last.errField("code") != "LOGIN_THROTTLED" {
		t.Fatalf("statuses %v, last %s", statuses, last.Raw)
	}
	if ra := last.Header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Fatalf("Retry-After %q", ra)
	}
	// even the right password is refused from the throttled address...
	if r := a.do("POST", "/api/users/login", map[string]any{"email": "ann@example.com", "password": "SuperFakePassword"}, attacker...); r.Status != 429 {
		t.Fatalf("throttled address: %d", r.Status)
	}
	// ...but the owner, elsewhere, is not locked out
	owner := []string{"RemoteAddr", "198.51.100.20:5000"}
	if r := a.do("POST", "/api/users/login", map[string]any{"email": "ann@example.com", "password": "SuperFakePassword"}, owner...); r.Status != 200 {
		t.Fatalf("owner locked out: %d %s", r.Status, r.Raw)
	}
	// X-Forwarded-For is not trusted by default
	spoof := append([]string{"X-Forwarded-For", "192.0.2.99"}, attacker...)
	if r := a.do("POST", "/api/users/login", map[string]any{"email": "ann@example.com", "password": "x-guess"}, spoof...); r.Status != 429 {
		t.Fatalf("X-Forwarded-For escaped the throttle: %d", r.Status)
	}
}

func TestSessions(t *testing.T) {
	a, toks := readyApp(t)
	owner := toks["owner"]
	r := a.do("POST", "/api/users/login", map[string]any{"email": "owner@example.com", "password": "SuperFakePassword"}, "User-Agent", "second-device")
	second := r.obj()["id"].(string)
	r = a.do("GET", "/api/users/2/sessions", nil, "Authorization", owner)
	if r.Status != 200 || len(r.list()) != 2 {
		t.Fatalf("sessions: %d %s", r.Status, r.Raw)
	}
	for _, secret := range []string{owner, second} {
		if strings.Contains(r.Raw, secret) {
			t.Fatal("a session lists its secret")
		}
	}
	var secondID string
	for _, x := range r.list() {
		s := x.(map[string]any)
		if s["userAgent"] == "second-device" {
			secondID = s["id"].(string)
			if s["current"] != false {
				t.Fatalf("current flag: %v", s)
			}
		}
	}
	if r := a.do("GET", "/api/users/2/sessions", nil, "Authorization", toks["other"]); r.Status != 401 {
		t.Fatalf("other user's sessions: %d", r.Status)
	}
	if r := a.do("DELETE", "/api/users/2/sessions/"+secondID, nil, "Authorization", owner); r.Status != 204 {
		t.Fatalf("revoke one: %d %s", r.Status, r.Raw)
	}
	if r := a.do("GET", "/api/users/2", nil, "Authorization", second); r.Status != 401 {
		t.Fatalf("revoked session alive: %d", r.Status)
	}
	if r := a.do("DELETE", "/api/users/2/sessions/nope", nil, "Authorization", owner); r.Status != 404 {
		t.Fatalf("unknown session: %d", r.Status)
	}
	// an admin ends all of a user's sessions; disabling a user does too
	if r := a.do("POST", "/api/users/2/sessions/revoke-all", nil, "Authorization", toks["admin"]); r.Status != 200 || r.obj()["count"] != float64(1) {
		t.Fatalf("admin revoke all: %d %s", r.Status, r.Raw)
	}
	if r := a.do("GET", "/api/users/2", nil, "Authorization", owner); r.Status != 401 {
		t.Fatalf("session alive after revoke-all: %d", r.Status)
	}
	r = a.do("POST", "/api/users/login", map[string]any{"email": "other@example.com", "password": "SuperFakePassword"})
	otherTok := r.obj()["id"].(string)
	if r := a.do("PATCH", "/api/users/3", map[string]any{"disabled": true}, "Authorization", otherTok); r.Status != 200 || r.obj()["disabled"] == true {
		t.Fatalf("a user disabled itself: %d %s", r.Status, r.Raw)
	}
	if r := a.do("PATCH", "/api/users/3", map[string]any{"disabled": true}, "Authorization", toks["admin"]); r.Status != 200 || r.obj()["disabled"] != true {
		t.Fatalf("admin disable: %d %s", r.Status, r.Raw)
	}
	if r := a.do("GET", "/api/users/3", nil, "Authorization", otherTok); r.Status != 401 {
		t.Fatalf("disabled user's session alive: %d", r.Status)
	}
	if r := a.do("POST", "/api/users/login", map[string]any{"email": "other@example.com", "password": "SuperFakePassword"}); r.Status != 401 {
		t.Fatalf("disabled user logs in: %d", r.Status)
	}
}

func TestEmailChangeNeedsFreshLoginAndNotifies(t *testing.T) {
	a, srv := mailApp(t)
	id, fresh := a.signup("ann@example.com", "SuperFakePassword")
	old := a.staleToken(id)
	path := fmt.Sprintf("/api/users/%v", id)
	r := a.do("PATCH", path, map[string]any{"email": "ann2@example.com"}, "Authorization", old)
	if r.Status != 401 || r.errField("code") != "REAUTHENTICATION_REQUIRED" {
		t.Fatalf("stale session changed the email: %d %s", r.Status, r.Raw)
	}
	if r := a.do("PATCH", path, map[string]any{"username": "annie"}, "Authorization", old); r.Status != 200 {
		t.Fatalf("stale session, other field: %d %s", r.Status, r.Raw)
	}
	if r := a.do("PATCH", path, map[string]any{"email": "ann2@example.com"}, "Authorization", fresh); r.Status != 200 {
		t.Fatalf("fresh session: %d %s", r.Status, r.Raw)
	}
	// two notices to the old address: the username change, then the email change
	msgs := srv.WaitFor(t, 2, 10*time.Second)
	var texts []string
	for _, m := range msgs {
		if m.To[0] != "ann@example.com" {
			t.Fatalf("notice sent to %v", m.To)
		}
		texts = append(texts, m.Text)
	}
	all := strings.Join(texts, "\n")
	if !strings.Contains(all, "username of your account was changed to annie") || !strings.Contains(all, "changed to ann2@example.com") {
		t.Fatalf("notices: %s", all)
	}
}

func TestSessionsNeedFreshLogin(t *testing.T) {
	a := usersApp(t)
	id, _ := a.signup("ann@example.com", "SuperFakePassword")
	old := a.staleToken(id)
	r := a.do("GET", fmt.Sprintf("/api/users/%v/sessions", id), nil, "Authorization", old)
	if r.Status != 401 || r.errField("code") != "REAUTHENTICATION_REQUIRED" {
		t.Fatalf("stale session listed sessions: %d %s", r.Status, r.Raw)
	}
}

func TestRegistrationThrottle(t *testing.T) {
	a := usersApp(t)
	from := []string{"RemoteAddr", "203.0.113.50:999"}
	for i := 0; i < 20; i++ {
		if r := a.do("POST", "/api/users", map[string]any{"email": fmt.Sprintf("u%d@example.com", i), "password": "SuperFakePassword"}, from...); r.Status != 200 {
			t.Fatalf("sign-up %d: %d %s", i, r.Status, r.Raw)
		}
	}
	r := a.do("POST", "/api/users", map[string]any{"email": "u20@example.com", "password": "SuperFakePassword"}, from...)
	if r.Status != 429 || r.Header.Get("Retry-After") == "" {
		t.Fatalf("21st sign-up: %d %s", r.Status, r.Raw)
	}
	if r := a.do("POST", "/api/users", map[string]any{"email": "other@example.com", "password": "SuperFakePassword"}, "RemoteAddr", "198.51.100.1:1"); r.Status != 200 {
		t.Fatalf("another address: %d %s", r.Status, r.Raw)
	}
}

func TestMFAOverREST(t *testing.T) {
	a, toks := readyApp(t)
	owner := toks["owner"]
	r := a.do("POST", "/api/users/2/mfa/enroll", nil, "Authorization", toks["other"])
	if r.Status != 401 {
		t.Fatalf("enrol another user: %d", r.Status)
	}
	r = a.do("POST", "/api/users/2/mfa/enroll", nil, "Authorization", owner)
	secret, _ := r.obj()["secret"].(string)
	if r.Status != 200 || secret == "" || !strings.HasPrefix(fmt.Sprint(r.obj()["otpauthUrl"]), "otpauth://totp/") {
		t.Fatalf("enrol: %d %s", r.Status, r.Raw)
	}
	now := time.Now()
	code := func(at time.Time) string {
		c, err := accounts.TOTPCode(secret, at)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if r := a.do("POST", "/api/users/2/mfa/activate", map[string]any{"code": "000000"}, "Authorization", owner); r.Status != 400 {
		t.Fatalf("activate with a wrong code: %d %s", r.Status, r.Raw)
	}
	if r := a.do("POST", "/api/users/2/mfa/activate", map[string]any{"code": code(now)}, "Authorization", owner); r.Status != 204 {
		t.Fatalf("activate: %d %s", r.Status, r.Raw)
	}
	creds := map[string]any{"email": "owner@example.com", "password": "SuperFakePassword"}
	if r := a.do("POST", "/api/users/login", creds); r.Status != 401 || r.errField("code") != "MFA_REQUIRED" {
		t.Fatalf("login without a code: %d %s", r.Status, r.Raw)
	}
	wrong := map[string]any{"email": "owner@example.com", "password": "wrong-password", "code": code(now.Add(30 * time.Second))}
	if r := a.do("POST", "/api/users/login", wrong); r.Status != 401 || r.errField("code") != "LOGIN_FAILED" {
		t.Fatalf("wrong password with a code: %d %s", r.Status, r.Raw)
	}
	creds["code"] = code(now.Add(30 * time.Second))
	if r := a.do("POST", "/api/users/login", creds); r.Status != 200 {
		t.Fatalf("login with a code: %d %s", r.Status, r.Raw)
	}
	if r := a.do("POST", "/api/users/login", creds); r.Status != 401 {
		t.Fatalf("replayed code: %d %s", r.Status, r.Raw)
	}
	if r := a.do("GET", "/api/users/2", nil, "Authorization", owner); r.Status != 200 || r.obj()["mfaEnabled"] != true || r.obj()["mfaSecret"] != nil {
		t.Fatalf("user after activation: %d %s", r.Status, r.Raw)
	}
	if r := a.do("PATCH", "/api/users/2", map[string]any{"mfaEnabled": false}, "Authorization", owner); r.Status != 200 || r.obj()["mfaEnabled"] != true {
		t.Fatalf("MFA turned off by PATCH: %d %s", r.Status, r.Raw)
	}
	if r := a.do("POST", "/api/users/2/mfa/disable", map[string]any{"code": "123456"}, "Authorization", owner); r.Status != 400 {
		t.Fatalf("disable with a wrong code: %d %s", r.Status, r.Raw)
	}
	if r := a.do("POST", "/api/users/2/mfa/reset", nil, "Authorization", owner); r.Status != 401 {
		t.Fatalf("owner uses the admin reset: %d", r.Status)
	}
	if r := a.do("POST", "/api/users/2/mfa/reset", nil, "Authorization", toks["admin"]); r.Status != 204 {
		t.Fatalf("admin reset: %d %s", r.Status, r.Raw)
	}
	delete(creds, "code")
	if r := a.do("POST", "/api/users/login", creds); r.Status != 200 {
		t.Fatalf("login after the reset: %d %s", r.Status, r.Raw)
	}
	// an admin ends every session of every user
	if r := a.do("POST", "/api/users/sessions/revoke-all", nil, "Authorization", owner); r.Status != 401 {
		t.Fatalf("owner ends everyone's sessions: %d", r.Status)
	}
	if r := a.do("POST", "/api/users/sessions/revoke-all", nil, "Authorization", toks["admin"]); r.Status != 200 {
		t.Fatalf("revoke every session: %d %s", r.Status, r.Raw)
	}
	if r := a.do("GET", "/api/users/3", nil, "Authorization", toks["other"]); r.Status != 401 {
		t.Fatalf("a session survived: %d", r.Status)
	}
}
