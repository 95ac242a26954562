package cli_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/loopgo/loopgo/framework/cli"
)

func TestMigratePlanThenApply(t *testing.T) {
	e := newEnv(t)
	r := e.run("", "migrate", "--plan")
	r.want(t, cli.ExitOK, "datasource db (sqlite):",
		"would:   create table Doc for model Doc (id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT, code TEXT, legacy TEXT, ownerId REAL)",
		"would:   create index idx_Doc_ownerId on Doc (ownerId)",
		"would:   create unique index uq_User_email on User (email)",
		"would:   create table RoleMapping")
	if strings.Contains(r.out, "done:") {
		t.Fatalf("the plan says it did something:\n%s", r.out)
	}
	if e.hasTable("Doc") || e.hasTable("User") {
		t.Fatal("migrate --plan created tables")
	}

	r = e.run("", "migrate")
	r.want(t, cli.ExitOK, "done:    create table Doc for model Doc", "done:    create index idx_Doc_ownerId on Doc (ownerId)",
		"done:    create unique index uq_User_email on User (email)")
	if !e.hasTable("Doc") || !e.hasTable("User") || !e.hasTable("RoleMapping") {
		t.Fatal("migrate did not create the tables")
	}
	if n := e.count("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'uq_User_email'"); n != 1 {
		t.Fatal("migrate did not create the unique index")
	}
	e.run("", "migrate", "--plan").want(t, cli.ExitOK, "nothing to do")
	e.run("", "migrate").want(t, cli.ExitOK, "nothing to do")

	// the model changes: a new indexed column is planned, a retype is refused with its reason
	if _, err := e.db().Exec(`INSERT INTO Doc (title, code) VALUES ('a', 'x1')`); err != nil {
		t.Fatal(err)
	}
	e.doc = docModelV2
	r = e.run("", "migrate", "--plan")
	r.want(t, cli.ExitFailure, "would:   add column Doc.subtitle TEXT", "would:   create index idx_Doc_subtitle on Doc (subtitle)",
		`REFUSED: Doc.code: table "Doc" column "code" has type TEXT but property Doc.code (number) needs REAL; Loopgo does not change column types`,
		"kept:    column Doc.legacy, which model Doc no longer declares (left in place)")
	r.wantErr(t, cli.ExitFailure, "start-up's migration would fail: 1 change(s) refused or blocked")
	if n := e.count("SELECT COUNT(*) FROM pragma_table_info('Doc') WHERE name = 'subtitle'"); n != 0 {
		t.Fatal("migrate --plan added a column")
	}
	r = e.run("", "migrate")
	r.want(t, cli.ExitFailure, "done:    add column Doc.subtitle TEXT", "done:    create index idx_Doc_subtitle")
	r.wantErr(t, cli.ExitFailure, "does not change column types")
	if n := e.count("SELECT COUNT(*) FROM pragma_table_info('Doc') WHERE name = 'subtitle'"); n != 1 {
		t.Fatal("migrate did not add the column next to the refusal")
	}
	if n := e.count("SELECT COUNT(*) FROM Doc WHERE code = 'x1'"); n != 1 {
		t.Fatal("the refused column lost its data")
	}
}

func TestMigratePlanBlockedUniqueIndex(t *testing.T) {
	e := newEnv(t)
	e.run("", "migrate").want(t, cli.ExitOK)
	if _, err := e.db().Exec(`INSERT INTO Doc (title, code) VALUES ('a', 'x'), ('b', 'x')`); err != nil {
		t.Fatal(err)
	}
	e.doc = strings.Replace(docModel, "  code: string", "  code: {type: string, unique: true}", 1)
	r := e.run("", "migrate", "--plan")
	r.want(t, cli.ExitFailure, "BLOCKED: create unique index uq_Doc_code on Doc (code)", "the value x more than once")
	e.run("", "migrate").wantErr(t, cli.ExitFailure, `cannot create unique index "uq_Doc_code"`, "remove the duplicates")
}

func TestDatabaseURLFlag(t *testing.T) {
	e := newEnv(t)
	other := filepath.Join(e.dir, "other.db")
	e.run("", "migrate", "--database-url", "sqlite:"+other).want(t, cli.ExitOK, "done:    create table Doc")
	if _, err := os.Stat(other); err != nil {
		t.Fatalf("--database-url not used: %v", err)
	}
	if _, err := os.Stat(e.dbPath); err == nil {
		t.Fatal("the config's database was used despite --database-url")
	}
	e.run("", "migrate", "--database-url", "ftp://x").wantErr(t, cli.ExitFailure, "unsupported datasource URL scheme")
}

func TestUsersCreate(t *testing.T) {
	e := newEnv(t)
	const pw = "Correct-Horse-42-Battery"
	r := e.run(pw+"\n", "users", "create", "--email", "ann@example.com", "--password-stdin", "--role", "admin", "--log-level", "debug")
	r.want(t, cli.ExitOK, "created User 1 (ann@example.com)", "granted role admin to User 1")
	if strings.Contains(r.out+r.err, pw) {
		t.Fatal("the password was echoed or logged")
	}
	var hash string
	if err := e.db().QueryRow(`SELECT password FROM User WHERE email = 'ann@example.com'`).Scan(&hash); err != nil {
		t.Fatal(err)
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) != nil {
		t.Fatalf("stored password is not the bcrypt hash of the one given: %q", hash)
	}
	if n := e.count(`SELECT COUNT(*) FROM RoleMapping rm JOIN Role r ON r.id = rm.roleId WHERE r.name = 'admin' AND rm.principalType = 'USER' AND rm.principalId = '1'`); n != 1 {
		t.Fatalf("admin mappings: %d", n)
	}

	// without a trailing newline, with a username
	e.run("Another-Long-Passphrase", "users", "create", "--email", "bob@example.com", "--username", "bob", "--password-stdin").
		want(t, cli.ExitOK, "created User 2 (bob@example.com)")
	if n := e.count(`SELECT COUNT(*) FROM User WHERE username = 'bob'`); n != 1 {
		t.Fatal("username not stored")
	}

	tests := []struct {
		name  string
		stdin string
		args  []string
		code  int
		want  string
	}{
		{"too short", "short\n", []string{"--email", "c@example.com", "--password-stdin"}, cli.ExitFailure, "is too short (minimum is 8 characters)"},
		{"common", "password123\n", []string{"--email", "c@example.com", "--password-stdin"}, cli.ExitFailure, "is too common"},
		{"duplicate email", pw + "\n", []string{"--email", "ann@example.com", "--password-stdin"}, cli.ExitFailure, "Email already exists"},
		{"bad email", pw + "\n", []string{"--email", "not-an-email", "--password-stdin"}, cli.ExitFailure, "`email` is invalid"},
		{"empty stdin", "", []string{"--email", "c@example.com", "--password-stdin"}, cli.ExitFailure, "no password on standard input"},
		{"password as an argument", "", []string{"--email", "c@example.com", "--password", pw}, cli.ExitUsage, "passwords are never taken as arguments"},
		{"no stdin flag, no terminal", pw + "\n", []string{"--email", "c@example.com"}, cli.ExitUsage, "--password-stdin"},
		{"no email", pw + "\n", []string{"--password-stdin"}, cli.ExitUsage, `required flag(s) "email" not set`},
		{"not a user model", pw + "\n", []string{"--email", "c@example.com", "--password-stdin", "--model", "Doc"}, cli.ExitFailure, `model "Doc" is not a user model`},
		{"role on another model", pw + "\n", []string{"--email", "c@example.com", "--password-stdin", "--model", "Doc", "--role", "admin"}, cli.ExitUsage, "--role maps users of the User model"},
		{"stray argument", pw + "\n", []string{"c@example.com", "--password-stdin"}, cli.ExitUsage, "takes no arguments"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.run(tc.stdin, append([]string{"users", "create"}, tc.args...)...)
			r.wantErr(t, tc.code, tc.want)
			if strings.Contains(r.out+r.err, pw) && tc.name != "password as an argument" {
				t.Fatal("the password was echoed")
			}
		})
	}
	if n := e.count(`SELECT COUNT(*) FROM User`); n != 2 {
		t.Fatalf("users after the refused creates: %d", n)
	}
}

func TestUsersSetPassword(t *testing.T) {
	e := newEnv(t)
	e.run("First-Long-Passphrase\n", "users", "create", "--email", "ann@example.com", "--password-stdin").want(t, cli.ExitOK)
	if _, err := e.db().Exec(`INSERT INTO AccessToken (id, ttl, userId) VALUES ('digest', 1209600, 1)`); err != nil {
		t.Fatal(err)
	}
	const pw = "Second-Long-Passphrase"
	r := e.run(pw+"\r\n", "users", "set-password", "--email", "ann@example.com", "--password-stdin")
	r.want(t, cli.ExitOK, "password of User 1 (ann@example.com) set")
	if strings.Contains(r.out+r.err, pw) {
		t.Fatal("the password was echoed")
	}
	var hash string
	if err := e.db().QueryRow(`SELECT password FROM User WHERE id = 1`).Scan(&hash); err != nil {
		t.Fatal(err)
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) != nil {
		t.Fatal("the new password is not stored")
	}
	if n := e.count(`SELECT COUNT(*) FROM AccessToken WHERE userId = 1`); n != 0 {
		t.Fatalf("access tokens kept after set-password: %d", n)
	}
	e.run(pw+"\n", "users", "set-password", "--email", "nobody@example.com", "--password-stdin").
		wantErr(t, cli.ExitFailure, `no User has the email "nobody@example.com"`)
	e.run("short\n", "users", "set-password", "--email", "ann@example.com", "--password-stdin").
		wantErr(t, cli.ExitFailure, "is too short")
	e.run("", "users", "set-password", "--email", "ann@example.com", "--password", pw).
		wantErr(t, cli.ExitUsage, "passwords are never taken as arguments")
	if err := e.db().QueryRow(`SELECT password FROM User WHERE id = 1`).Scan(&hash); err != nil || bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) != nil {
		t.Fatal("a refused set-password changed the password")
	}
	e.run("", "users").wantErr(t, cli.ExitUsage, "give a command: create or set-password")
}

func TestRolesGrantRevoke(t *testing.T) {
	e := newEnv(t)
	e.run("First-Long-Passphrase\n", "users", "create", "--email", "ann@example.com", "--password-stdin").want(t, cli.ExitOK)
	mappings := func() int {
		return e.count(`SELECT COUNT(*) FROM RoleMapping rm JOIN Role r ON r.id = rm.roleId WHERE r.name = 'editor' AND rm.principalId = '1'`)
	}
	e.run("", "roles", "grant", "editor", "--email", "ann@example.com").want(t, cli.ExitOK, "User 1 (ann@example.com) has the role editor")
	e.run("", "roles", "grant", "editor", "--email", "ann@example.com").want(t, cli.ExitOK, "has the role editor")
	if n := mappings(); n != 1 {
		t.Fatalf("mappings after two grants: %d", n)
	}
	e.run("", "roles", "revoke", "editor", "--email", "ann@example.com").want(t, cli.ExitOK, "User 1 (ann@example.com) no longer has the role editor")
	if n := mappings(); n != 0 {
		t.Fatalf("mappings after revoke: %d", n)
	}
	e.run("", "roles", "revoke", "editor", "--email", "ann@example.com").want(t, cli.ExitOK, "did not have the role editor: nothing to revoke")
	e.run("", "roles", "revoke", "ghost", "--email", "ann@example.com").want(t, cli.ExitOK, "nothing to revoke")
	e.run("", "roles", "grant", "--email", "ann@example.com").wantErr(t, cli.ExitUsage, "needs the role's name")
	e.run("", "roles", "grant", "a", "b", "--email", "ann@example.com").wantErr(t, cli.ExitUsage, "needs the role's name")
	e.run("", "roles", "grant", "editor").wantErr(t, cli.ExitUsage, `required flag(s) "email" not set`)
	e.run("", "roles", "grant", "editor", "--email", "bob@example.com").wantErr(t, cli.ExitFailure, `no User has the email "bob@example.com"`)
}

// routeLine matches one line of the routes table: verb, path, method, access, callers.
var routeLine = regexp.MustCompile(`(?m)^(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(.+?)\s*$`)

func TestRoutes(t *testing.T) {
	e := newEnv(t)
	r := e.run("", "routes")
	r.want(t, cli.ExitOK, "VERB", "WHO MAY CALL")
	got := map[string]string{}
	for _, m := range routeLine.FindAllStringSubmatch(r.out, -1) {
		got[m[1]+" "+m[2]] = m[3] + " " + m[4] + " " + m[5]
	}
	for route, want := range map[string]string{
		"GET /api/docs":                  "Doc.find READ $everyone except banned",
		"GET /api/docs/:id":              "Doc.findById READ $everyone",
		"POST /api/docs":                 "Doc.create WRITE $authenticated",
		"DELETE /api/docs/:id":           "Doc.deleteById WRITE $owner, admin",
		"PATCH /api/docs/:id":            "Doc.prototype.patchAttributes WRITE $owner, admin",
		"POST /api/docs/update":          "Doc.updateAll WRITE admin",
		"POST /api/docs/:id/publish":     "Doc.prototype.publish WRITE $owner, admin, editor",
		"GET /api/docs/:id/owner":        "Doc.prototype.__get__owner READ $owner, admin",
		"POST /api/Users":                "User.create WRITE $everyone",
		"POST /api/Users/login":          "User.login EXECUTE $everyone",
		"GET /api/Users/:id":             "User.findById READ $owner, admin",
		"POST /api/Users/reset-password": "User.setPassword EXECUTE $authenticated (with a token of scope reset-password)",
		"GET /hello":                     "- - not behind the ACLs (the handler decides)",
		"GET /health":                    "- - not behind the ACLs (the handler decides)",
	} {
		if got[route] != want {
			t.Errorf("%s: got %q, want %q", route, got[route], want)
		}
	}

	r = e.run("", "routes", "--json")
	r.want(t, cli.ExitOK)
	var eps []map[string]any
	if err := json.Unmarshal([]byte(r.out), &eps); err != nil {
		t.Fatalf("routes --json: %v\n%s", err, r.out)
	}
	found := false
	for _, ep := range eps {
		if ep["verb"] == "POST" && ep["path"] == "/api/docs/:id/publish" {
			found = true
			if ep["base"] != "" || ep["method"] != "prototype.publish" || ep["model"] != "Doc" || ep["guarded"] != true {
				t.Errorf("json entry: %v", ep)
			}
			if also, _ := ep["also"].([]any); len(also) != 3 {
				t.Errorf("json also: %v", ep["also"])
			}
		}
	}
	if !found {
		t.Fatalf("routes --json lacks publish: %s", r.out)
	}
}

func TestACLExplain(t *testing.T) {
	e := newEnv(t)
	e.run("First-Long-Passphrase\n", "users", "create", "--email", "ann@example.com", "--password-stdin").want(t, cli.ExitOK)
	e.run("Second-Long-Passphrase\n", "users", "create", "--email", "bob@example.com", "--password-stdin", "--role", "admin").want(t, cli.ExitOK)
	if _, err := e.db().Exec(`INSERT INTO Doc (title, ownerId) VALUES ('a', 1)`); err != nil {
		t.Fatal(err)
	}
	e.run("", "acl", "explain", "GET", "/api/docs/1").want(t, cli.ExitOK,
		"GET /api/docs/1 -> Doc.findById for anonymous", "ROLE $everyone ALLOW READ Doc.*", "yes (decides)", "ALLOWED")
	e.run("", "acl", "explain", "DELETE", "/api/docs/1").want(t, cli.ExitOK, "Doc.deleteById for anonymous", "DENIED")
	e.run("", "acl", "explain", "--user", "1", "delete", "/api/docs/1").want(t, cli.ExitOK,
		"DELETE /api/docs/1 -> Doc.deleteById for User 1", "ROLE $owner ALLOW WRITE Doc.*", "ALLOWED")
	r := e.run("", "acl", "explain", "--user", "1", "DELETE", "/api/docs/2")
	r.want(t, cli.ExitOK, "DENIED")
	e.run("", "acl", "explain", "--user", "2", "POST", "/api/docs/update?where={}").want(t, cli.ExitOK,
		"Doc.updateAll for User 2", "ROLE admin ALLOW * Doc.*", "ALLOWED")
	e.run("", "acl", "explain", "--user", "2", "POST", "/api/docs/update?x=%").want(t, cli.ExitOK, "Doc.updateAll for User 2", "ALLOWED")
	e.run("", "acl", "explain", "GET", "/API/DOCS/1").want(t, cli.ExitOK, "Doc.findById for anonymous", "ALLOWED")
	// a relation route: the related model's ACL too
	e.run("", "acl", "explain", "--user", "1", "GET", "/api/docs/1/owner").want(t, cli.ExitOK,
		"the related model's ACL: User.findById", "ROLE $owner ALLOW * User.findById", "ALLOWED")

	r = e.run("", "acl", "explain", "--json", "--user", "1", "PATCH", "/api/docs/1")
	r.want(t, cli.ExitOK)
	var out map[string]any
	if err := json.Unmarshal([]byte(r.out), &out); err != nil || out["allowed"] != true || out["method"] != "prototype.patchAttributes" || out["modelId"] != "1" {
		t.Fatalf("json: %v %v", out, err)
	}

	e.run("", "acl", "explain", "GET", "/api/nothing").wantErr(t, cli.ExitFailure, "no REST method handles GET /api/nothing")
	e.run("", "acl", "explain", "FETCH", "/api/docs").wantErr(t, cli.ExitUsage, `"FETCH" is not an HTTP method`)
	e.run("", "acl", "explain", "GET", "api/docs").wantErr(t, cli.ExitUsage, "PATH must start with /")
	e.run("", "acl", "explain", "GET").wantErr(t, cli.ExitUsage, "needs METHOD and PATH")
	e.run("", "acl").wantErr(t, cli.ExitUsage, "give a command: explain")
}

func TestBadCommandLines(t *testing.T) {
	e := newEnv(t)
	e.run("", "bogus").wantErr(t, cli.ExitUsage, `unknown command "bogus" for "testapp"`, "Run 'testapp --help' for usage.")
	e.run("", "migrate", "--bogus").wantErr(t, cli.ExitUsage, "unknown flag: --bogus", "Run 'testapp migrate --help'")
	e.run("", "--port", "70000").wantErr(t, cli.ExitUsage, "--port 70000 is not a port number")
	e.run("", "--port", "abc").wantErr(t, cli.ExitUsage, `invalid argument "abc" for "--port"`)
	e.run("", "routes", "--log-level", "loud").wantErr(t, cli.ExitUsage, `--log-level "loud"`)
	e.run("", "migrate", "--config", filepath.Join(e.dir, "missing.yaml")).wantErr(t, cli.ExitFailure, "read --config")
	bad := filepath.Join(e.dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("prot: 3000\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e.run("", "migrate", "--config", bad).wantErr(t, cli.ExitFailure, "field prot not found")
	r := e.run("", "--help")
	r.want(t, cli.ExitOK, "serve", "migrate", "users", "roles", "routes", "acl", "openapi")
}

func TestServe(t *testing.T) {
	for _, args := range [][]string{
		{"--host", "127.0.0.1", "--port", "0"},          // serve is the default
		{"serve", "--host", "127.0.0.1", "--port", "0"}, // and a command
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			e := newEnv(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var out, errb lockedBuffer
			done := make(chan int, 1)
			go func() { done <- cli.Execute(ctx, e.app(strings.NewReader(""), &out, &errb), args) }()
			listening := regexp.MustCompile(`Loopgo listening" url=(http://127\.0\.0\.1:\d+)`)
			var base string
			for deadline := time.Now().Add(30 * time.Second); base == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
				if m := listening.FindStringSubmatch(errb.String()); m != nil {
					base = m[1]
				}
				select {
				case code := <-done:
					t.Fatalf("serve ended with %d before listening:\n%s", code, errb.String())
				default:
				}
			}
			if base == "" {
				t.Fatalf("serve did not listen:\n%s", errb.String())
			}
			for path, want := range map[string]int{"/health": 200, "/hello": 200, "/api/docs": 200, "/api/Users": 401} {
				resp, err := http.Get(base + path)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != want {
					t.Errorf("GET %s: %d, want %d", path, resp.StatusCode, want)
				}
			}
			cancel()
			select {
			case code := <-done:
				if code != cli.ExitOK {
					t.Fatalf("serve exited with %d after its context ended:\n%s", code, errb.String())
				}
			case <-time.After(30 * time.Second):
				t.Fatal("serve did not stop")
			}
			if !e.hasTable("Doc") {
				t.Fatal("serve did not migrate")
			}
		})
	}
}

func TestServeRefusesABusyPort(t *testing.T) {
	e := newEnv(t)
	var out, errb lockedBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- cli.Execute(ctx, e.app(strings.NewReader(""), &out, &errb), []string{"--host", "127.0.0.1", "--port", "0"})
	}()
	listening := regexp.MustCompile(`Loopgo listening" url=http://127\.0\.0\.1:(\d+)`)
	var port string
	for deadline := time.Now().Add(30 * time.Second); port == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := listening.FindStringSubmatch(errb.String()); m != nil {
			port = m[1]
		}
	}
	if port == "" {
		t.Fatalf("first serve did not listen:\n%s", errb.String())
	}
	e2 := newEnv(t)
	e2.run("", "serve", "--host", "127.0.0.1", "--port", port).wantErr(t, cli.ExitFailure, "listen on 127.0.0.1:"+port)
	cancel()
	if code := <-done; code != cli.ExitOK {
		t.Fatalf("first serve exited with %d", code)
	}
}
