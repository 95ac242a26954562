package framework_test

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"gorm.io/gorm"

	"github.com/loopgo/loopgo/boot"
	"github.com/loopgo/loopgo/framework"
	"github.com/loopgo/loopgo/models"
)

// readyApp builds the ready app (models/ and boot/) with an admin, an owner and another user;
// it returns the app and each principal's token ("" for anonymous).
func readyApp(t *testing.T) (*testApp, map[string]string) {
	t.Setenv("ADMIN_EMAIL", "admin@example.com")
	t.Setenv("ADMIN_PASSWORD", "AdminPassword1")
	a := newTestAppFS(t, models.FS, func(app *framework.App) {
		models.Register(app)
		boot.Register(app)
	})
	a.oas = newOpenAPICheck(t, a.app)
	toks := map[string]string{"anonymous": ""}
	login := func(email, password string) string {
		r := a.do("POST", "/api/users/login", map[string]any{"email": email, "password": password})
		if r.Status != 200 {
			t.Fatalf("login %s: %d %s", email, r.Status, r.Raw)
		}
		return r.obj()["id"].(string)
	}
	toks["admin"] = login("admin@example.com", "AdminPassword1")
	for _, who := range []string{"owner", "other"} {
		email := who + "@example.com"
		if r := a.do("POST", "/api/users", map[string]any{"email": email, "password": "SuperFakePassword"}); r.Status != 200 {
			t.Fatalf("create %s: %d %s", who, r.Status, r.Raw)
		}
		toks[who] = login(email, "SuperFakePassword")
	}
	// note 1 belongs to the owner (user 2), note 2 to the other user (user 3)
	for _, who := range []string{"owner", "other"} {
		if r := a.do("POST", "/api/notes", map[string]any{"title": "note of " + who, "rating": 3}, "Authorization", toks[who]); r.Status != 200 {
			t.Fatalf("note of %s: %d %s", who, r.Status, r.Raw)
		}
	}
	return a, toks
}

func TestReadyAppPermissionMatrix(t *testing.T) {
	type row struct {
		method, path string
		body         any
		want         map[string]int // principal -> status
	}
	all := func(s int) map[string]int {
		return map[string]int{"anonymous": s, "owner": s, "other": s, "admin": s}
	}
	w := func(anon, owner, other, admin int) map[string]int {
		return map[string]int{"anonymous": anon, "owner": owner, "other": other, "admin": admin}
	}
	rows := []row{
		// Note: $everyone READ, $authenticated create, $owner WRITE, admin everything.
		{"GET", "/api/notes", nil, all(200)},
		{"GET", "/api/notes/1", nil, all(200)},
		{"GET", "/api/notes/1/exists", nil, all(200)},
		{"HEAD", "/api/notes/1", nil, all(200)},
		{"GET", "/api/notes/count", nil, all(200)},
		{"GET", "/api/notes/findOne", nil, all(200)},
		{"GET", "/api/notes/stats", nil, all(200)},
		{"POST", "/api/notes", map[string]any{"title": "x"}, w(401, 200, 200, 200)},
		{"PATCH", "/api/notes/1", map[string]any{"rating": 5}, w(401, 200, 401, 200)},
		{"PUT", "/api/notes/1", map[string]any{"title": "replaced", "ownerId": 2}, w(401, 200, 401, 200)},
		{"POST", "/api/notes/1/replace", map[string]any{"title": "replaced", "ownerId": 2}, w(401, 200, 401, 200)},
		{"POST", "/api/notes/1/publish", nil, w(401, 200, 401, 200)},
		// an upsert acts on what its body selects: $owner never comes from a body or query id
		{"PATCH", "/api/notes", map[string]any{"id": 1, "rating": 2}, w(401, 401, 401, 200)},
		{"POST", "/api/notes/update?where=" + q(`{"id":1}`), map[string]any{"rating": 1}, w(401, 401, 401, 200)},
		{"POST", "/api/notes/upsertWithWhere?where=" + q(`{"id":1}`), map[string]any{"title": "t", "rating": 1}, w(401, 401, 401, 200)},
		{"DELETE", "/api/notes/999", nil, w(401, 401, 401, 200)},
		{"DELETE", "/api/notes/1", nil, w(401, 200, 401, 200)},
		// User: LoopBack's default ACLs ($owner reads/writes/deletes itself; no listing), plus the
		// ready app's model-config: the owner reads its notes, the admin role manages users.
		{"GET", "/api/users", nil, w(401, 401, 401, 200)},
		{"GET", "/api/users/count", nil, w(401, 401, 401, 200)},
		{"GET", "/api/users/2", nil, w(401, 200, 401, 200)},
		{"GET", "/api/users/2/exists", nil, w(401, 401, 401, 200)},
		{"GET", "/api/users/2/notes", nil, w(401, 200, 401, 200)},
		{"GET", "/api/users/2/notes/count", nil, w(401, 200, 401, 200)},
		{"POST", "/api/users/2/notes", map[string]any{"title": "via relation"}, w(401, 401, 401, 200)},
		{"PATCH", "/api/users/2", map[string]any{"username": "owner"}, w(401, 200, 401, 200)},
		// replaceById keeps the stored password (it cannot be changed this way, see users.md)
		{"PUT", "/api/users/2", map[string]any{"email": "owner@example.com", "username": "o"}, w(401, 200, 401, 200)},
		{"POST", "/api/users/update?where=" + q(`{"id":2}`), map[string]any{"realm": "x"}, w(401, 401, 401, 200)},
		{"POST", "/api/users/update?where=" + q(`{"id":2}`), map[string]any{"username": "x"}, w(401, 401, 401, 400)},
		{"DELETE", "/api/users", nil, all(404)},
		{"DELETE", "/api/users/2", nil, w(401, 200, 401, 200)},
	}
	for _, who := range []string{"anonymous", "owner", "other", "admin"} {
		t.Run(who, func(t *testing.T) {
			a, toks := readyApp(t)
			for _, r := range rows {
				var h []string
				if toks[who] != "" {
					h = []string{"Authorization", toks[who]}
				}
				resp := a.do(r.method, r.path, r.body, h...)
				if resp.Status != r.want[who] {
					t.Errorf("%s %s as %s: %d, want %d: %s", r.method, r.path, who, resp.Status, r.want[who], resp.Raw)
				}
			}
		})
	}
}

func TestReadyAppRemoteMethods(t *testing.T) {
	a, toks := readyApp(t)
	r := a.do("POST", "/api/notes/1/publish", nil, "Authorization", toks["owner"])
	if r.Status != 200 || r.obj()["published"] != true || r.obj()["title"] != "note of owner" {
		t.Fatalf("publish: %d %s", r.Status, r.Raw)
	}
	r = a.do("GET", "/api/notes/stats", nil)
	if r.Status != 200 || fmt.Sprint(r.obj()) != "map[count:2 published:1]" {
		t.Fatalf("stats: %d %s", r.Status, r.Raw)
	}
	r = a.do("POST", "/api/notes/999/publish", nil, "Authorization", toks["admin"])
	if r.Status != 404 || r.errField("code") != "MODEL_NOT_FOUND" {
		t.Fatalf("publish missing as admin: %d %s", r.Status, r.Raw)
	}
	// a non-owner gets 401 for a missing id, never 404 (ACL before "instance not found")
	r = a.do("POST", "/api/notes/999/publish", nil, "Authorization", toks["other"])
	if r.Status != 401 {
		t.Fatalf("publish missing as other: %d %s", r.Status, r.Raw)
	}
	// ownerId in the body is ignored on create: the owner comes from the token
	r = a.do("POST", "/api/notes", map[string]any{"title": "mine", "ownerId": 3}, "Authorization", toks["owner"])
	if r.Status != 200 || r.obj()["ownerId"] != float64(2) {
		t.Fatalf("owner stamping: %d %s", r.Status, r.Raw)
	}
	// an admin may create for someone else
	r = a.do("POST", "/api/notes", map[string]any{"title": "for other", "ownerId": 3}, "Authorization", toks["admin"])
	if r.Status != 200 || r.obj()["ownerId"] != float64(3) {
		t.Fatalf("admin create: %d %s", r.Status, r.Raw)
	}
}

func TestReadyAppIncludeOwner(t *testing.T) {
	a, toks := readyApp(t)
	owners := func(r *response) string {
		var out []string
		for _, x := range r.list() {
			n := x.(map[string]any)
			o, ok := n["owner"].(map[string]any)
			switch {
			case !ok:
				out = append(out, "-")
			case o["password"] != nil || o["verificationToken"] != nil:
				t.Fatalf("secret in included owner: %s", r.Raw)
			default:
				out = append(out, fmt.Sprint(o["email"]))
			}
		}
		return strings.Join(out, ",")
	}
	path := "/api/notes?filter=" + q(`{"include":"owner","order":"id ASC"}`)
	for who, want := range map[string]string{
		"anonymous": "-,-",
		"owner":     "owner@example.com,-",
		"other":     "-,other@example.com",
		"admin":     "owner@example.com,other@example.com",
	} {
		var h []string
		if toks[who] != "" {
			h = []string{"Authorization", toks[who]}
		}
		r := a.do("GET", path, nil, h...)
		if r.Status != 200 || owners(r) != want {
			t.Errorf("include owner as %s: %d %q, want %q (%s)", who, r.Status, owners(r), want, r.Raw)
		}
	}
	// filtering notes by their owner's email needs READ on User
	byOwner := "/api/notes?filter=" + q(`{"where":{"owner.email":"owner@example.com"}}`)
	if r := a.do("GET", byOwner, nil); r.Status != 401 {
		t.Fatalf("anonymous where on owner: %d %s", r.Status, r.Raw)
	}
	if r := a.do("GET", byOwner, nil, "Authorization", toks["admin"]); r.Status != 200 || len(r.list()) != 1 {
		t.Fatalf("admin where on owner: %d %s", r.Status, r.Raw)
	}
	// never by a hidden property, even for an admin
	byHash := "/api/notes?filter=" + q(`{"where":{"owner":{"password":{"like":"$2%"}}}}`)
	if r := a.do("GET", byHash, nil, "Authorization", toks["admin"]); r.Status != 200 || len(r.list()) != 2 {
		t.Fatalf("hidden related property not dropped: %d %s", r.Status, r.Raw)
	}
	r := a.do("GET", "/api/users/2/notes", nil, "Authorization", toks["owner"])
	if r.Status != 200 || len(r.list()) != 1 || r.list()[0].(map[string]any)["title"] != "note of owner" {
		t.Fatalf("owner's notes: %d %s", r.Status, r.Raw)
	}
}

func TestRoleMappingsLookedUpOncePerRequest(t *testing.T) {
	a, toks := readyApp(t)
	db := a.app.StoreOf("RoleMapping").DB(context.Background())
	var mu sync.Mutex
	queries := 0
	count := func(tx *gorm.DB) {
		if strings.Contains(tx.Statement.SQL.String(), "RoleMapping") {
			mu.Lock()
			queries++
			mu.Unlock()
		}
	}
	if err := db.Callback().Query().After("gorm:query").Register("test:count-query", count); err != nil {
		t.Fatal(err)
	}
	if err := db.Callback().Row().After("gorm:row").Register("test:count-row", count); err != nil {
		t.Fatal(err)
	}
	if err := db.Callback().Raw().After("gorm:raw").Register("test:count-raw", count); err != nil {
		t.Fatal(err)
	}
	// the Note ACL names the admin role; include owner checks User's ACL (admin again) for the
	// model and for each owner: one role-mapping query in all
	r := a.do("GET", "/api/notes?filter="+q(`{"include":"owner"}`), nil, "Authorization", toks["other"])
	if r.Status != 200 {
		t.Fatalf("%d %s", r.Status, r.Raw)
	}
	if queries != 1 {
		t.Fatalf("%d role-mapping queries for one request, want 1", queries)
	}
}

func TestReadyAppNoteOwnerRoute(t *testing.T) {
	a, toks := readyApp(t)
	for who, want := range map[string]int{"anonymous": 401, "owner": 200, "other": 401, "admin": 200} {
		var h []string
		if toks[who] != "" {
			h = []string{"Authorization", toks[who]}
		}
		r := a.do("GET", "/api/notes/1/owner", nil, h...)
		if r.Status != want {
			t.Errorf("GET /api/notes/1/owner as %s: %d, want %d: %s", who, r.Status, want, r.Raw)
		}
		if r.Status == 200 && (r.obj()["email"] != "owner@example.com" || r.obj()["password"] != nil) {
			t.Errorf("owner route body: %s", r.Raw)
		}
	}
}

// TestForgedIDNeverMakesOwner: an id of the caller's own note in the query (or body) of a method
// without a path id must not make the caller $owner of what the method then writes.
func TestForgedIDNeverMakesOwner(t *testing.T) {
	a, toks := readyApp(t)
	owner := []string{"Authorization", toks["owner"]} // owns note 1; note 2 is the other user's
	pwn := map[string]any{"id": 2, "title": "pwned", "ownerId": 2}
	tests := []struct {
		method, path string
		body         any
	}{
		{"POST", "/api/notes/update?id=1&where=" + q(`{"id":2}`), map[string]any{"title": "pwned", "ownerId": 2}},
		{"POST", "/api/notes/update?id=1", map[string]any{"title": "pwned"}},
		{"POST", "/api/notes/upsertWithWhere?id=1&where=" + q(`{"id":2}`), map[string]any{"title": "pwned", "ownerId": 2}},
		{"PUT", "/api/notes?id=1", pwn},
		{"PATCH", "/api/notes?id=1", pwn},
		{"POST", "/api/notes/replaceOrCreate?id=1", pwn},
		{"PATCH", "/api/notes", pwn},
		{"PUT", "/api/notes", map[string]any{"id": 1, "title": "mine"}}, // even for its own id
		{"POST", "/api/notes/2/replace?id=1", pwn},
		{"PATCH", "/api/notes/2?id=1", map[string]any{"title": "pwned"}},
		{"DELETE", "/api/notes/2?id=1", nil},
		{"POST", "/api/notes/2/publish?id=1", nil},
		{"POST", "/api/users/update?id=2&where=" + q(`{"id":3}`), map[string]any{"username": "pwned"}},
		{"PATCH", "/api/users/3?id=2", map[string]any{"username": "pwned"}},
		{"DELETE", "/api/users/3?id=2", nil},
	}
	for _, tt := range tests {
		r := a.do(tt.method, tt.path, tt.body, owner...)
		if r.Status != 401 {
			t.Errorf("%s %s as the owner of note 1: %d, want 401: %s", tt.method, tt.path, r.Status, r.Raw)
		}
	}
	n := a.do("GET", "/api/notes/2", nil)
	if n.Status != 200 || n.obj()["title"] != "note of other" || n.obj()["ownerId"] != 3.0 || n.obj()["published"] != false {
		t.Fatalf("note 2 changed: %d %s", n.Status, n.Raw)
	}
	if c := a.do("GET", "/api/notes/count", nil); c.obj()["count"] != 2.0 {
		t.Fatalf("notes: %s", c.Raw)
	}
	u := a.do("GET", "/api/users/3", nil, "Authorization", toks["admin"])
	if u.Status != 200 || u.obj()["username"] != nil {
		t.Fatalf("user 3 changed: %d %s", u.Status, u.Raw)
	}
	// the owner still writes its own note through its path
	if r := a.do("PATCH", "/api/notes/1", map[string]any{"title": "mine"}, owner...); r.Status != 200 {
		t.Fatalf("PATCH /notes/1 as its owner: %d %s", r.Status, r.Raw)
	}
}

// TestOwnerCannotMoveOwnership: with ownerFromToken, only an admin moves a note to another user.
func TestOwnerCannotMoveOwnership(t *testing.T) {
	a, toks := readyApp(t)
	owner := []string{"Authorization", toks["owner"]} // user 2, owns note 1
	tests := []struct {
		method, path string
		body         map[string]any
	}{
		{"PATCH", "/api/notes/1", map[string]any{"ownerId": 3}},
		{"PATCH", "/api/notes/1", map[string]any{"ownerId": 999}},
		{"PATCH", "/api/notes/1", map[string]any{"ownerId": nil}},
		{"PUT", "/api/notes/1", map[string]any{"title": "replaced", "ownerId": 3}},
		{"PUT", "/api/notes/1", map[string]any{"title": "replaced without owner"}},
		{"POST", "/api/notes/1/replace", map[string]any{"title": "replaced", "ownerId": 999}},
	}
	for _, tt := range tests {
		r := a.do(tt.method, tt.path, tt.body, owner...)
		if r.Status != 200 {
			t.Fatalf("%s %s %v: %d %s", tt.method, tt.path, tt.body, r.Status, r.Raw)
		}
		if got := a.do("GET", "/api/notes/1", nil).obj()["ownerId"]; got != 2.0 {
			t.Fatalf("%s %s %v: ownerId is now %v, want 2", tt.method, tt.path, tt.body, got)
		}
	}
	// an upsert that creates is the caller's, whatever the body says
	r := a.do("PUT", "/api/notes", map[string]any{"title": "new", "ownerId": 3}, "Authorization", toks["other"])
	if r.Status != 401 {
		t.Fatalf("upsert as a non-admin: %d %s", r.Status, r.Raw)
	}
	// an admin may move a note, by patch and by updateAll
	admin := []string{"Authorization", toks["admin"]}
	if r := a.do("PATCH", "/api/notes/1", map[string]any{"ownerId": 3}, admin...); r.Status != 200 || r.obj()["ownerId"] != 3.0 {
		t.Fatalf("admin patch: %d %s", r.Status, r.Raw)
	}
	if r := a.do("POST", "/api/notes/update?where="+q(`{"id":1}`), map[string]any{"ownerId": 2}, admin...); r.Status != 200 {
		t.Fatalf("admin updateAll: %d %s", r.Status, r.Raw)
	}
	if got := a.do("GET", "/api/notes/1", nil).obj()["ownerId"]; got != 2.0 {
		t.Fatalf("after the admin's updateAll: ownerId %v", got)
	}
}

// TestIdentityChangesResetVerification: an email change clears emailVerified (verification is
// not required in the ready app), and only an admin changes a user's realm.
func TestIdentityChangesResetVerification(t *testing.T) {
	a, toks := readyApp(t)
	owner, admin := []string{"Authorization", toks["owner"]}, []string{"Authorization", toks["admin"]}
	if r := a.do("PATCH", "/api/users/2", map[string]any{"emailVerified": true}, admin...); r.Status != 200 || r.obj()["emailVerified"] != true {
		t.Fatalf("admin verifies: %d %s", r.Status, r.Raw)
	}
	if r := a.do("PATCH", "/api/users/2", map[string]any{"email": "owner2@example.com"}, owner...); r.Status != 200 || r.obj()["emailVerified"] != false {
		t.Fatalf("email change: %d %s", r.Status, r.Raw)
	}
	if r := a.do("PATCH", "/api/users/2", map[string]any{"realm": "admins"}, owner...); r.Status != 200 || r.obj()["realm"] != nil {
		t.Fatalf("owner sets its realm: %d %s", r.Status, r.Raw)
	}
	if r := a.do("PUT", "/api/users/2", map[string]any{"email": "owner2@example.com", "realm": "admins"}, owner...); r.Status != 200 || r.obj()["realm"] != nil {
		t.Fatalf("owner replaces its realm: %d %s", r.Status, r.Raw)
	}
	if r := a.do("PATCH", "/api/users/2", map[string]any{"realm": "staff"}, admin...); r.Status != 200 || r.obj()["realm"] != "staff" {
		t.Fatalf("admin sets the realm: %d %s", r.Status, r.Raw)
	}
	if r := a.do("PUT", "/api/users/2", map[string]any{"email": "owner2@example.com", "realm": "admins"}, owner...); r.Status != 200 || r.obj()["realm"] != "staff" {
		t.Fatalf("owner replaces its realm: %d %s", r.Status, r.Raw)
	}
	// a realm chosen at sign-up is kept
	if r := a.do("POST", "/api/users", map[string]any{"email": "r@example.com", "password": "SuperFakePassword", "realm": "shop"}); r.Status != 200 || r.obj()["realm"] != "shop" {
		t.Fatalf("sign-up with a realm: %d %s", r.Status, r.Raw)
	}
}

// countingReader yields n bytes of JSON-ish filler and counts what was read.
type countingReader struct {
	n, read int64
}

func (r *countingReader) Read(p []byte) (int, error) {
	if r.read >= r.n {
		return 0, io.EOF
	}
	k := min(int64(len(p)), r.n-r.read)
	for i := range k {
		p[i] = ' '
	}
	r.read += k
	return int(k), nil
}

// TestBodiesAreBoundedEverywhere: the body limit holds for boot routes too, without reading a
// large body; trailing data after a JSON value is a 400.
func TestBodiesAreBoundedEverywhere(t *testing.T) {
	a, toks := readyApp(t)
	const big = 5 << 20
	for _, path := range []string{"/login", "/api/users/login", "/api/notes", "/nothing-here"} {
		for _, withLength := range []bool{true, false} {
			body := &countingReader{n: big}
			req := httptest.NewRequest("POST", path, body)
			req.Header.Set("Content-Type", "application/json")
			if withLength {
				req.ContentLength = big
			} else {
				req.ContentLength = -1
			}
			rec := httptest.NewRecorder()
			a.app.Handler().ServeHTTP(rec, req)
			if path == "/nothing-here" && !withLength {
				// no route reads it: 404, having read nothing
				if rec.Code != 404 || body.read != 0 {
					t.Fatalf("POST %s: %d after reading %d bytes", path, rec.Code, body.read)
				}
				continue
			}
			if rec.Code != 413 || !strings.Contains(rec.Body.String(), `"name":"PayloadTooLargeError"`) {
				t.Fatalf("POST %s with 5 MB (length given: %v): %d %s", path, withLength, rec.Code, rec.Body.String())
			}
			if limit := int64(200 << 10); body.read > limit {
				t.Fatalf("POST %s (length given: %v): %d bytes read, want at most %d", path, withLength, body.read, limit)
			}
		}
	}
	owner := []string{"Authorization", toks["owner"]}
	for _, raw := range []string{`{"title":"x"}}`, `{"title":"x"} {"title":"y"}`, `{"title":"x"}]`, `{"title":"x"} x`} {
		if r := a.do("POST", "/api/notes", raw, owner...); r.Status != 400 || r.errField("name") != "SyntaxError" {
			t.Errorf("POST /api/notes %s: %d %s", raw, r.Status, r.Raw)
		}
		if r := a.do("POST", "/login", strings.Replace(raw, `"title":"x"`, `"email":"owner@example.com","password":"SuperFakePassword"`, 1)); r.Status != 400 {
			t.Errorf("POST /login with trailing data %s: %d %s", raw, r.Status, r.Raw)
		}
	}
	if r := a.do("POST", "/api/notes", "{\"title\":\"x\"}  \n", owner...); r.Status != 200 {
		t.Fatalf("trailing spaces: %d %s", r.Status, r.Raw)
	}
}
