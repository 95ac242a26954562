package loopgotest_test

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/labstack/echo/v4"

	"github.com/loopgo/loopgo/framework"
	"github.com/loopgo/loopgo/framework/loopgotest"
)

// notesFS is a small app: a Note anyone may read and a logged-in user may create, and the User.
var notesFS = fstest.MapFS{
	"note.yaml": {Data: []byte(`name: Note
plural: notes
properties:
  title: {type: string, required: true}
  rating: number
  ownerId: number
relations:
  owner: {type: belongsTo, model: User, foreignKey: ownerId}
acls:
  - {principalType: ROLE, principalId: $everyone, permission: DENY}
  - {principalType: ROLE, principalId: $everyone, permission: ALLOW, accessType: READ}
  - {principalType: ROLE, principalId: $authenticated, permission: ALLOW, property: create}
`)},
	"model-config.yaml": {Data: []byte(`User: {dataSource: db, public: true}
AccessToken: {dataSource: db, public: false}
ACL: {dataSource: db, public: false}
Role: {dataSource: db, public: false}
RoleMapping: {dataSource: db, public: false}
Note: {dataSource: db, public: true, options: {ownerFromToken: true}}
`)},
}

// newNotesApp is a fresh notes app with the given extra options.
func newNotesApp(t *testing.T, opts ...loopgotest.Option) *loopgotest.App {
	return loopgotest.NewApp(t, append([]loopgotest.Option{loopgotest.Models(notesFS)}, opts...)...)
}

var ann = map[string]any{"email": "ann@example.com", "password": "SuperFakePassword"}

func TestRequestHelpers(t *testing.T) {
	app := newNotesApp(t)
	tok := app.SignUpAndLogin("/api/users", ann)
	if len(tok) != 64 {
		t.Fatalf("token %q", tok)
	}
	if again := app.Login("/api/users/", ann); again == tok || len(again) != 64 {
		t.Fatalf("second login: %q", again)
	}
	cases := []struct {
		name   string
		res    *loopgotest.Response
		status int
		path   string
		want   any
	}{
		{"post a value as JSON with a token", app.Post("/api/notes", map[string]any{"title": "a", "rating": 2}, tok), 200, "ownerId", float64(1)},
		{"post a string body", app.Post("/api/notes", `{"title":"b","rating":5}`, tok), 200, "title", "b"},
		{"post a []byte body", app.Do(loopgotest.Request{Method: "POST", URL: "/api/notes", Body: []byte(`{"title":"c"}`), Token: tok}), 200, "id", float64(3)},
		{"anonymous create is denied", app.Post("/api/notes", `{"title":"x"}`, ""), 401, "error.statusCode", float64(401)},
		{"get with a filter, path into a list", app.Get(`/api/notes?filter={"order":"rating DESC"}`, ""), 200, "0.title", "b"},
		{"token in a header", app.Do(loopgotest.Request{URL: "/api/users/1", Headers: map[string]string{"X-Access-Token": tok}}), 200, "email", "ann@example.com"},
		{"patch", app.Patch("/api/notes/1", `{"title":"a2"}`, tok), 401, "error.code", "AUTHORIZATION_REQUIRED"},
		{"delete", app.Delete("/api/notes/1", ""), 401, "error.statusCode", float64(401)},
		{"whole body", app.Get("/api/notes/count", ""), 200, "", map[string]any{"count": float64(3)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.res.Status != c.status {
				t.Fatalf("status %d, want %d: %s", c.res.Status, c.status, c.res.Body)
			}
			got, ok := c.res.Value(c.path)
			if !ok || fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Fatalf("%s = %v (%v), want %v: %s", c.path, got, ok, c.want, c.res.Body)
			}
		})
	}
	if n := app.Count("Note", nil); n != 3 {
		t.Errorf("notes: %d", n)
	}
	if n := app.Count("Note", map[string]any{"rating": map[string]any{"gte": 2}}); n != 2 {
		t.Errorf("notes rated 2 or more: %d", n)
	}
	var notes []struct{ Title string }
	if err := app.Get("/api/notes", "").Decode(&notes); err != nil || len(notes) != 3 || notes[2].Title != "c" {
		t.Errorf("decode: %v %v", err, notes)
	}
	if l := app.Get("/api/notes", "").List(); len(l) != 3 {
		t.Errorf("list: %v", l)
	}
	if o := app.Get("/api/notes/1", "").Object(); o["title"] != "a" {
		t.Errorf("object: %v", o)
	}
	if s := app.Get("/api/notes/1", "").Text("title"); s != "a" {
		t.Errorf("text: %q", s)
	}
	if _, ok := app.Get("/api/notes/1", "").Value("nope.deeper"); ok {
		t.Error("an absent path is found")
	}
}

func TestScenariosPass(t *testing.T) {
	app := newNotesApp(t, loopgotest.CheckExchanges())
	tok := app.SignUpAndLogin("/api/users", ann)
	var id string
	loopgotest.Run(t, app, []loopgotest.Scenario{
		{
			Name: "create", Method: "POST", URL: "/api/notes", Body: map[string]any{"title": "hi", "rating": 4}, Token: tok,
			Status: 200, Contains: []string{`"title":"hi"`}, NotContains: []string{"password"},
			JSON: map[string]any{"title": "hi", "rating": 4, "ownerId": 1, "id": loopgotest.Present, "nope": loopgotest.Absent},
			Rows: []loopgotest.Rows{{Model: "Note", Where: map[string]any{"title": "hi", "ownerId": 1}, Count: 1}},
			After: func(t testing.TB, app *loopgotest.App, res *loopgotest.Response) {
				v, _ := res.Value("id")
				id = fmt.Sprint(v)
			},
		},
		{
			Name: "read what the earlier scenario made", URL: "/api/notes/1",
			Before: func(t testing.TB, app *loopgotest.App) {
				if id != "1" {
					t.Fatalf("id from the earlier scenario: %q", id)
				}
			},
			Status: 200, JSON: map[string]any{"": map[string]any{"id": 1, "title": "hi", "rating": 4, "ownerId": 1}},
		},
		{Name: "list", URL: "/api/notes", Status: 200, JSON: map[string]any{"": loopgotest.Len(1), "0.title": "hi"}},
		{Name: "token from a variable", URL: "/api/users/1", TokenOf: &tok, Status: 200, JSON: map[string]any{"email": "ann@example.com"}},
		{Name: "denied", Method: "DELETE", URL: "/api/notes/1", Status: 401, JSON: map[string]any{"error.code": "AUTHORIZATION_REQUIRED"},
			Rows: []loopgotest.Rows{{Model: "Note", Count: 1}}},
	})
}

// recorder is a testing.TB that records failures instead of failing the test.
type recorder struct {
	testing.TB
	mu     sync.Mutex
	failed bool
	msgs   []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failed = true
	r.msgs = append(r.msgs, fmt.Sprintf(format, args...))
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	runtime.Goexit()
}

// run runs fn with r on a goroutine of its own (Fatalf ends it) and waits for it.
func (r *recorder) run(fn func(tb testing.TB)) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(r)
	}()
	<-done
}

func TestFailingScenarioFails(t *testing.T) {
	app := newNotesApp(t)
	tok := app.SignUpAndLogin("/api/users", ann)
	app.Post("/api/notes", `{"title":"hi","rating":4}`, tok)
	cases := []struct {
		name string
		s    loopgotest.Scenario
		want string // in the failure message
	}{
		{"status unset", loopgotest.Scenario{URL: "/api/notes"}, "Status is not set"},
		{"wrong status", loopgotest.Scenario{URL: "/api/notes/9", Status: 200}, "status 404, want 200"},
		{"missing fragment", loopgotest.Scenario{URL: "/api/notes/1", Status: 200, Contains: []string{`"title":"ho"`}}, `does not contain "\"title\":\"ho\""`},
		{"unwanted fragment", loopgotest.Scenario{URL: "/api/notes/1", Status: 200, NotContains: []string{`"hi"`}}, `body contains "\"hi\""`},
		{"wrong value", loopgotest.Scenario{URL: "/api/notes/1", Status: 200, JSON: map[string]any{"rating": 5}}, "rating: got 4, want 5"},
		{"int against a string", loopgotest.Scenario{URL: "/api/notes/1", Status: 200, JSON: map[string]any{"title": 1}}, `title: got "hi", want 1`},
		{"absent path", loopgotest.Scenario{URL: "/api/notes/1", Status: 200, JSON: map[string]any{"body": "x"}}, `body: absent, want "x"`},
		{"present but Absent wanted", loopgotest.Scenario{URL: "/api/notes/1", Status: 200, JSON: map[string]any{"title": loopgotest.Absent}}, `want absent, got "hi"`},
		{"absent but Present wanted", loopgotest.Scenario{URL: "/api/notes/1", Status: 200, JSON: map[string]any{"nope": loopgotest.Present}}, "want present"},
		{"wrong length", loopgotest.Scenario{URL: "/api/notes", Status: 200, JSON: map[string]any{"": loopgotest.Len(2)}}, "want length 2"},
		{"wrong row count", loopgotest.Scenario{URL: "/api/notes", Status: 200, Rows: []loopgotest.Rows{{Model: "Note", Count: 2}}}, "1 rows of Note where map[], want 2"},
		{"rows of an unknown model", loopgotest.Scenario{URL: "/api/notes", Status: 200, Rows: []loopgotest.Rows{{Model: "Nope", Count: 0}}}, "count Nope"},
		{"a failing After", loopgotest.Scenario{URL: "/api/notes", Status: 200, After: func(t testing.TB, _ *loopgotest.App, _ *loopgotest.Response) { t.Errorf("after says no") }}, "after says no"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := &recorder{TB: t}
			r.run(func(tb testing.TB) { c.s.Test(tb, app) })
			if !r.failed {
				t.Fatal("the scenario passed")
			}
			if !strings.Contains(strings.Join(r.msgs, "\n"), c.want) {
				t.Fatalf("failure messages %q do not say %q", r.msgs, c.want)
			}
		})
	}
	t.Run("a passing scenario reports nothing", func(t *testing.T) {
		r := &recorder{TB: t}
		r.run(func(tb testing.TB) {
			loopgotest.Scenario{URL: "/api/notes/1", Status: 200, JSON: map[string]any{"rating": 4}}.Test(tb, app)
		})
		if r.failed {
			t.Fatalf("failed: %q", r.msgs)
		}
	})
}

func TestScenarioBodyNotJSON(t *testing.T) {
	app := newNotesApp(t, loopgotest.Register(func(a *framework.App) {
		a.Echo().GET("/plain", func(c echo.Context) error { return c.String(200, "plain text") })
	}))
	r := &recorder{TB: t}
	r.run(func(tb testing.TB) {
		loopgotest.Scenario{URL: "/plain", Status: 200, Contains: []string{"plain"}, JSON: map[string]any{"x": 1}}.Test(tb, app)
	})
	if !r.failed || !strings.Contains(strings.Join(r.msgs, "\n"), "body is not JSON") {
		t.Fatalf("failed %v: %q", r.failed, r.msgs)
	}
}

func TestCheckExchanges(t *testing.T) {
	// an after hook that answers a find with an object: the document says a list
	app := newNotesApp(t, loopgotest.CheckExchanges(), loopgotest.Register(func(a *framework.App) {
		a.Model("Note").AfterRemote("find", func(ctx context.Context, c *framework.Call) error {
			c.Result = map[string]any{"not": "a list"}
			return nil
		})
	}))
	r := &recorder{TB: t}
	r.run(func(tb testing.TB) { loopgotest.Scenario{URL: "/api/notes", Status: 200}.Test(tb, app) })
	if !r.failed || !strings.Contains(strings.Join(r.msgs, "\n"), "OpenAPI document and server disagree") {
		t.Fatalf("failed %v: %q", r.failed, r.msgs)
	}
	// without the option the same answer passes
	plain := newNotesApp(t, loopgotest.Register(func(a *framework.App) {
		a.Model("Note").AfterRemote("find", func(ctx context.Context, c *framework.Call) error {
			c.Result = map[string]any{"not": "a list"}
			return nil
		})
	}))
	r = &recorder{TB: t}
	r.run(func(tb testing.TB) { loopgotest.Scenario{URL: "/api/notes", Status: 200}.Test(tb, plain) })
	if r.failed {
		t.Fatalf("failed without CheckExchanges: %q", r.msgs)
	}
}

func TestCheckOpenAPI(t *testing.T) {
	r := &recorder{TB: t}
	r.run(func(tb testing.TB) { loopgotest.CheckOpenAPI(tb, newNotesApp(t).App) })
	if r.failed {
		t.Fatalf("a valid document fails: %q", r.msgs)
	}
}

func TestNewAppOptions(t *testing.T) {
	booted := false
	app := loopgotest.NewApp(t,
		loopgotest.Datasources("db", "other"),
		loopgotest.Models(notesFS),
		loopgotest.Config(func(c *framework.Config) { c.RestAPIRoot = "/v1" }),
		loopgotest.Boot("mark", func(ctx context.Context, a *framework.App) error { booted = true; return nil }),
	)
	if !booted {
		t.Error("boot function not run")
	}
	if ds := app.Config().Datasources["other"]; ds.URL != app.DatabaseURL("other") {
		t.Errorf("datasource other: %+v", ds)
	}
	if !strings.HasPrefix(app.DatabaseURL("other"), "sqlite:") || !strings.HasSuffix(app.DatabaseURL("other"), "other.db") {
		t.Errorf("database URL %s", app.DatabaseURL("other"))
	}
	if res := app.Get("/v1/notes", ""); res.Status != 200 {
		t.Errorf("config override: %d %s", res.Status, res.Body)
	}
	// user models hash at bcrypt's minimum cost unless DefaultBcryptCost
	if cost := app.Model("User").Definition().Settings["saltWorkFactor"]; cost != 4 {
		t.Errorf("saltWorkFactor %v", cost)
	}
	kept := newNotesApp(t, loopgotest.DefaultBcryptCost())
	if cost := kept.Model("User").Definition().Settings["saltWorkFactor"]; cost == 4 {
		t.Errorf("DefaultBcryptCost: saltWorkFactor %v", cost)
	}
	if !strings.Contains(app.Logs(), "request") {
		t.Errorf("logs: %q", app.Logs())
	}
}

func TestURLServesOverHTTP(t *testing.T) {
	app := newNotesApp(t)
	base := app.URL()
	if base != app.URL() {
		t.Fatal("a second server")
	}
	res, err := http.Get(base + "/api/notes")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("GET over HTTP: %d", res.StatusCode)
	}
}

func TestClientChecksExchanges(t *testing.T) {
	wrongFind := loopgotest.Register(func(a *framework.App) {
		a.Model("Note").AfterRemote("find", func(ctx context.Context, c *framework.Call) error {
			c.Result = map[string]any{"not": "a list"}
			return nil
		})
	})
	app := newNotesApp(t, wrongFind)
	cases := []struct {
		path  string
		fails bool
	}{
		{"/api/notes/count", false},
		{"/api/notes", true},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			r := &recorder{TB: t}
			res, err := app.Client(r).Get(app.URL() + c.path)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != 200 || r.failed != c.fails {
				t.Fatalf("status %d, failed %v (want %v): %q", res.StatusCode, r.failed, c.fails, r.msgs)
			}
		})
	}
}
