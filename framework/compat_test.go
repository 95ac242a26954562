package framework_test

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/labstack/echo/v4"

	"github.com/loopgo/loopgo/framework"
	"github.com/loopgo/loopgo/framework/schema"
)

// The differences from LoopBack 3 that issue 13 closed, each over HTTP.

const compatNote = `
name: Note
plural: notes
properties:
  title: {type: string, required: true}
  body: string
  published: {type: boolean, default: false}
  rating: number
`

const compatBag = `
name: Bag
plural: bags
strict: false
properties:
  label: string
`

const compatConfig = `
User: {dataSource: db, options: {strict: false}}
Note: {dataSource: db}
Bag: {dataSource: db}
`

func compatApp(t *testing.T) *testApp {
	return newTestApp(t, map[string]string{"note.yaml": compatNote, "bag.yaml": compatBag, "model-config.yaml": compatConfig})
}

// keys returns the sorted keys of an object answer.
func keys(r *response) []string {
	var out []string
	for k := range r.obj() {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// jsonID returns the id of an object answer as a path segment.
func jsonID(r *response) string { return fmt.Sprint(r.obj()["id"]) }

// countRows counts the rows of a model's table.
func countRows(t *testing.T, a *testApp, model string) int64 {
	t.Helper()
	var n int64
	if err := a.app.StoreOf(model).DB(context.Background()).Table(model).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// validationCodes returns details.codes of a 422 answer.
func validationCodes(r *response) map[string]any {
	d, _ := r.errField("details").(map[string]any)
	c, _ := d["codes"].(map[string]any)
	return c
}

func TestModelConfigOptionsSetAnySetting(t *testing.T) {
	a := compatApp(t)
	// strict: false from model-config on the built-in User: an undeclared property is kept
	r := a.do("POST", "/api/users", map[string]any{"email": "ann@example.com", "password": "SuperFakePassword", "nickname": "annie"})
	if r.Status != 200 || r.obj()["nickname"] != "annie" {
		t.Fatalf("create with an undeclared property: %d %s", r.Status, r.Raw)
	}
	if m := a.app.Registry().Model("User"); m.Strict != schema.StrictFalse {
		t.Fatalf("User.Strict = %v after model-config options", m.Strict)
	}

	// a bad option value stops start-up with the file and the key
	fsys := fstest.MapFS{
		"note.yaml":         {Data: []byte(compatNote)},
		"model-config.yaml": {Data: []byte("Note: {dataSource: db, options: {strict: sometimes}}\n")},
	}
	app, err := framework.New(framework.Config{Datasources: map[string]framework.Datasource{"db": {URL: "sqlite:" + t.TempDir() + "/x.db"}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := app.LoadModels(fsys); err != nil {
		t.Fatal(err)
	}
	err = app.Setup(context.Background())
	if err == nil || !strings.Contains(err.Error(), "model-config.yaml") || !strings.Contains(err.Error(), "strict") {
		t.Fatalf("setup with strict: sometimes: %v", err)
	}
	_ = app.Shutdown(context.Background())
}

func TestValidationMessagesAsLoopBack(t *testing.T) {
	a := compatApp(t)
	tests := []struct {
		name  string
		body  map[string]any
		codes map[string]any
		msg   string
	}{
		{"invalid email", map[string]any{"email": "bad", "password": "SuperFakePassword"},
			map[string]any{"email": []any{"custom.email"}}, "`email` is invalid"},
		{"number as email", map[string]any{"email": 5, "password": "SuperFakePassword"},
			map[string]any{"email": []any{"custom.string"}}, "`email` is invalid"},
		{"object as email", map[string]any{"email": map[string]any{}, "password": "SuperFakePassword"},
			map[string]any{"email": []any{"custom.string"}}, "`email` is invalid"},
		{"number as password", map[string]any{"email": "a@example.com", "password": 5},
			map[string]any{"password": []any{"presence"}}, "`password` can't be blank"},
		{"list as password", map[string]any{"email": "a@example.com", "password": []any{"x"}},
			map[string]any{"password": []any{"presence"}}, "`password` can't be blank"},
		{"list as username", map[string]any{"email": "a@example.com", "password": "SuperFakePassword", "username": []any{"x"}},
			map[string]any{"username": []any{"type"}}, "`username` is not a valid string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := a.do("POST", "/api/users", tt.body)
			if r.Status != 422 || !reflect.DeepEqual(validationCodes(r), tt.codes) {
				t.Fatalf("%d %s; want 422 with codes %v", r.Status, r.Raw, tt.codes)
			}
			if msg, _ := r.errField("message").(string); !strings.Contains(msg, tt.msg) {
				t.Fatalf("message %q, want it to contain %q", msg, tt.msg)
			}
		})
	}
	if n := countRows(t, a, "User"); n != 0 {
		t.Fatalf("%d users stored by invalid sign-ups", n)
	}
}

func TestWrittenValuesAreCoerced(t *testing.T) {
	a := compatApp(t)
	tests := []struct {
		name string
		body map[string]any
		want map[string]any // expected values in the answer; nil = 422
	}{
		{"number as title", map[string]any{"title": 123}, map[string]any{"title": "123"}},
		{"fraction as title", map[string]any{"title": 1.5}, map[string]any{"title": "1.5"}},
		{"boolean as title", map[string]any{"title": true}, map[string]any{"title": "true"}},
		{"yes as published", map[string]any{"title": "t", "published": "yes"}, map[string]any{"published": true}},
		{"true as published", map[string]any{"title": "t", "published": "true"}, map[string]any{"published": true}},
		{"0 as published", map[string]any{"title": "t", "published": 0}, map[string]any{"published": false}},
		{"numeric text as rating", map[string]any{"title": "t", "rating": "4.5"}, map[string]any{"rating": 4.5}},
		{"text as rating", map[string]any{"title": "t", "rating": "abc"}, nil},
		{"other word as published", map[string]any{"title": "t", "published": "maybe"}, nil},
		{"list as title", map[string]any{"title": []any{"x"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := a.do("POST", "/api/notes", tt.body)
			if tt.want == nil {
				if r.Status != 422 || r.errField("name") != "ValidationError" {
					t.Fatalf("%d %s; want 422 ValidationError", r.Status, r.Raw)
				}
				return
			}
			if r.Status != 200 {
				t.Fatalf("%d %s", r.Status, r.Raw)
			}
			for k, v := range tt.want {
				if r.obj()[k] != v {
					t.Fatalf("%s = %#v, want %#v (%s)", k, r.obj()[k], v, r.Raw)
				}
				// and stored so
				got := a.do("GET", "/api/notes/"+jsonID(r), nil)
				if got.obj()[k] != v {
					t.Fatalf("stored %s = %#v, want %#v", k, got.obj()[k], v)
				}
			}
		})
	}
}

func TestWriteAnswersHoldTheBuiltInstance(t *testing.T) {
	a := compatApp(t)
	r := a.do("POST", "/api/notes", map[string]any{"title": "a"})
	if r.Status != 200 || !reflect.DeepEqual(keys(r), []string{"id", "published", "title"}) {
		t.Fatalf("create answer: %d %s (unset body and rating must be absent, published has its default)", r.Status, r.Raw)
	}
	id := jsonID(r)
	if r := a.do("PUT", "/api/notes/"+id, map[string]any{"title": "b", "rating": 2}); r.Status != 200 ||
		!reflect.DeepEqual(keys(r), []string{"id", "published", "rating", "title"}) {
		t.Fatalf("replace answer: %d %s", r.Status, r.Raw)
	}
	if r := a.do("PUT", "/api/notes", map[string]any{"title": "c"}); r.Status != 200 ||
		!reflect.DeepEqual(keys(r), []string{"id", "published", "title"}) {
		t.Fatalf("upsert (create) answer: %d %s", r.Status, r.Raw)
	}
	if r := a.do("POST", "/api/notes/replaceOrCreate", map[string]any{"id": 1, "title": "d"}); r.Status != 200 ||
		!reflect.DeepEqual(keys(r), []string{"id", "published", "title"}) {
		t.Fatalf("replaceOrCreate answer: %d %s", r.Status, r.Raw)
	}
	// a patch answers the whole stored instance, nulls included, as LoopBack's updateAttributes
	if r := a.do("PATCH", "/api/notes/"+id, map[string]any{"rating": 5}); r.Status != 200 ||
		!reflect.DeepEqual(keys(r), []string{"body", "id", "published", "rating", "title"}) {
		t.Fatalf("patch answer: %d %s", r.Status, r.Raw)
	}
	// reads have every property
	if r := a.do("GET", "/api/notes/"+id, nil); !reflect.DeepEqual(keys(r), []string{"body", "id", "published", "rating", "title"}) {
		t.Fatalf("findById answer: %s", r.Raw)
	}
}

func TestFilterAndHeadAnswersAsLoopBack(t *testing.T) {
	a := compatApp(t)
	a.do("POST", "/api/notes", map[string]any{"title": "a"})
	tests := []struct{ query, msg string }{
		{"filter={bad", "Value is not an object."},
		{"filter=abc", "Value is not an object."},
		{"filter=%7B%22where%22%3A%7D", "Cannot parse JSON-encoded object value."}, // {"where":}
	}
	for _, tt := range tests {
		r := a.do("GET", "/api/notes?"+tt.query, nil)
		if r.Status != 400 || r.errField("message") != tt.msg {
			t.Errorf("GET ?%s: %d %s; want 400 %q", tt.query, r.Status, r.Raw, tt.msg)
		}
	}
	for _, path := range []string{"/api/notes/1", "/api/notes/99"} {
		r := a.do("HEAD", path, nil)
		if ct := r.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" || r.Raw != "" {
			t.Errorf("HEAD %s: %d content type %q body %q", path, r.Status, ct, r.Raw)
		}
	}
}

func TestRoutingErrorsAsLoopBack(t *testing.T) {
	a := compatApp(t)
	tests := []struct{ method, path, msg string }{
		{"GET", "/api/widgets", "There is no method to handle GET /widgets"},
		{"GET", "/api/widgets/1/x", "There is no method to handle GET /widgets/1/x"},
		// private models answer exactly as unknown ones: their existence is not revealed
		{"GET", "/api/AccessTokens", "There is no method to handle GET /AccessTokens"},
		{"GET", "/api/accesstokens/1", "There is no method to handle GET /accesstokens/1"},
		{"POST", "/api/Roles", "There is no method to handle POST /Roles"},
		{"GET", "/api/notes/1/nothing", `Shared class "Note" has no method handling GET /1/nothing`},
	}
	for _, tt := range tests {
		r := a.do(tt.method, tt.path, nil)
		if r.Status != 404 || r.errField("message") != tt.msg {
			t.Errorf("%s %s: %d %s; want 404 %q", tt.method, tt.path, r.Status, r.Raw, tt.msg)
		}
	}
}

func TestBodyTokenIsNeverStored(t *testing.T) {
	a := compatApp(t)
	if r := a.do("POST", "/api/users", map[string]any{"email": "ann@example.com", "password": "SuperFakePassword"}); r.Status != 200 {
		t.Fatal(r.Raw)
	}
	tok := a.do("POST", "/api/users/login", map[string]any{"email": "ann@example.com", "password": "SuperFakePassword"}).obj()["id"].(string)
	r := a.do("POST", "/api/bags", map[string]any{"label": "x", "access_token": tok, "colour": "red"})
	if r.Status != 200 || r.obj()["access_token"] != nil || r.obj()["colour"] != "red" {
		t.Fatalf("create: %d %s", r.Status, r.Raw)
	}
	list := a.do("GET", "/api/bags", nil)
	if strings.Contains(list.Raw, tok) || strings.Contains(list.Raw, "access_token") {
		t.Fatalf("the token was stored: %s", list.Raw)
	}
	// the token still authenticated the request that carried it
	if r := a.do("POST", "/api/users/logout", map[string]any{"access_token": tok}); r.Status != 204 {
		t.Fatalf("logout with a body token: %d %s", r.Status, r.Raw)
	}
}

func TestReadyAppBootRoutesAsExpress(t *testing.T) {
	a, _ := readyApp(t)
	r := a.do("POST", "/login", "{bad")
	if r.Status != 400 || r.errField("name") != "SyntaxError" || r.Header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Fatalf("malformed /login: %d %q %s", r.Status, r.Header.Get("Content-Type"), r.Raw)
	}
	r = a.do("POST", "/LOGIN", map[string]any{"email": "owner@example.com", "password": "SuperFakePassword"})
	tok, _ := r.obj()["token"].(string)
	if r.Status != 200 || tok == "" || r.Header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Fatalf("POST /LOGIN: %d %q %s", r.Status, r.Header.Get("Content-Type"), r.Raw)
	}
	if r := a.do("POST", "/Logout?access_token="+tok, nil); r.Status != http.StatusNoContent {
		t.Fatalf("POST /Logout: %d %s", r.Status, r.Raw)
	}
	if r := a.do("POST", "/login", map[string]any{"email": "owner@example.com", "password": 5}); r.Status != 401 {
		t.Fatalf("a number as password: %d %s", r.Status, r.Raw)
	}
	if r := a.do("POST", "/nothing", nil); r.Status != 404 {
		t.Fatalf("unknown boot path: %d %s", r.Status, r.Raw)
	}
}

func TestBootRoutePathsFoldCase(t *testing.T) {
	for _, sensitive := range []bool{false, true} {
		t.Run(fmt.Sprintf("caseSensitivePaths=%v", sensitive), func(t *testing.T) {
			a := newTestAppCfg(t, fstest.MapFS{"note.yaml": {Data: []byte(compatNote)}, "model-config.yaml": {Data: []byte("Note: {dataSource: db}\n")}},
				t.TempDir(), func(c *framework.Config) { c.CaseSensitivePaths = sensitive }, func(app *framework.App) {
					app.Boot("route", func(ctx context.Context, app *framework.App) error {
						app.Echo().GET("/hello/:name", func(c echo.Context) error { return framework.WriteJSON(c, 200, c.Param("name")) })
						app.Echo().GET("/Hello/exact", func(c echo.Context) error { return framework.WriteJSON(c, 200, "exact") })
						return nil
					})
				})
			want := 200
			if sensitive {
				want = 404
			}
			if r := a.do("GET", "/HELLO/Ann", nil); r.Status != want || (want == 200 && r.Body != "Ann") {
				t.Fatalf("GET /HELLO/Ann: %d %s, want %d (the parameter keeps its case)", r.Status, r.Raw, want)
			}
			if r := a.do("GET", "/hello/Ann", nil); r.Status != 200 || r.Body != "Ann" {
				t.Fatalf("GET /hello/Ann: %d %s", r.Status, r.Raw)
			}
			// a route written exactly as requested wins over one that matches in another case
			if r := a.do("GET", "/Hello/exact", nil); r.Status != 200 || r.Body != "exact" {
				t.Fatalf("GET /Hello/exact: %d %s", r.Status, r.Raw)
			}
			if r := a.do("GET", "/API/notes", nil); r.Status != 200 {
				t.Fatalf("the REST API is case-insensitive either way: %d", r.Status)
			}
		})
	}
}
