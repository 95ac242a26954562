package rest

import (
	"context"
	"encoding/json"
	"github.com/loopgo/loopgo/framework/apierr"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

// TestHTTPAnswers walks the generated API of two related models: one table of requests with
// their status and body fragments, run in order on one seeded store.
func TestHTTPAnswers(t *testing.T) {
	ts := newTestServer(t)
	ts.seed()
	cases := []struct {
		name, method, path string
		body               any
		headers            []string
		status             int
		want               []string // fragments of the body
		not                []string // must not appear
	}{
		{"find", "GET", "/api/authors", nil, nil, 200, []string{`"name":"a1"`, `"name":"a2"`}, []string{"secret"}},
		{"findById", "GET", "/api/authors/1", nil, nil, 200, []string{`{"id":1,"name":"a1"}`}, nil},
		{"findById unknown", "GET", "/api/authors/99", nil, nil, 404, []string{`"code":"MODEL_NOT_FOUND"`, `Unknown \"Author\" id \"99\".`}, nil},
		{"case-insensitive path", "GET", "/API/Authors/1/", nil, nil, 200, []string{`"name":"a1"`}, nil},
		{"exists", "GET", "/api/authors/2/exists", nil, nil, 200, []string{`{"exists":true}`}, nil},
		{"exists not", "GET", "/api/authors/9/exists", nil, nil, 200, []string{`{"exists":false}`}, nil},
		{"count", "GET", "/api/books/count", nil, nil, 200, []string{`{"count":3}`}, nil},
		{"count where", "GET", `/api/books/count?where={"pages":{"gt":15}}`, nil, nil, 200, []string{`{"count":2}`}, nil},
		{"filter order limit", "GET", `/api/books?filter={"order":"pages DESC","limit":1}`, nil, nil, 200, []string{`"title":"b3"`}, []string{`"b1"`}},
		{"bracket filter", "GET", `/api/books?filter[where][title]=b2`, nil, nil, 200, []string{`"title":"b2"`}, []string{`"b1"`}},
		{"filter fields", "GET", `/api/books?filter={"fields":["title"]}`, nil, nil, 200, []string{`{"title":"b1"}`}, []string{"pages"}},
		{"bad filter", "GET", `/api/books?filter={"where":{"pages":{"gt":"x"}}}`, nil, nil, 400, []string{`"statusCode":400`}, nil},
		{"unknown filter property", "GET", `/api/books?filter={"where":{"nope":1}}`, nil, nil, 400, []string{`Unknown property \"nope\" in where clause of Book`}, nil},
		{"findOne", "GET", `/api/books/findOne?filter={"where":{"title":"b2"}}`, nil, nil, 200, []string{`"title":"b2"`}, nil},
		{"findOne none", "GET", `/api/books/findOne?filter={"where":{"title":"zz"}}`, nil, nil, 404, []string{`Unknown \"Book\" id \"undefined\".`}, nil},
		{"include", "GET", `/api/authors/1?filter={"include":"books"}`, nil, nil, 200, []string{`"books":[{"id":1,"title":"b1"`, `"title":"b2"`}, []string{"secret"}},
		{"create", "POST", "/api/books", map[string]any{"title": "b4", "pages": 40}, nil, 200, []string{`"title":"b4"`, `"id":4`}, nil},
		{"create many", "POST", "/api/books", []any{map[string]any{"title": "b5"}, map[string]any{"title": "b6"}}, nil, 200, []string{`[{"id":5,"title":"b5"}`, `"title":"b6"`}, nil},
		{"create invalid", "POST", "/api/books", map[string]any{"pages": 1}, nil, 422, []string{`"name":"ValidationError"`, `"title"`}, nil},
		{"patch", "PATCH", "/api/books/4", map[string]any{"pages": 41}, nil, 200, []string{`"pages":41`, `"title":"b4"`}, nil},
		{"patch unknown", "PATCH", "/api/books/99", map[string]any{"pages": 41}, nil, 404, []string{`"statusCode":404`}, nil},
		{"replace", "PUT", "/api/books/4", map[string]any{"title": "b4r"}, nil, 200, []string{`"title":"b4r"`}, []string{`"pages"`}},
		{"upsert", "PATCH", "/api/books", map[string]any{"id": 4, "pages": 44}, nil, 200, []string{`"pages":44`}, nil},
		{"updateAll", "POST", `/api/books/update?where={"title":"b5"}`, map[string]any{"pages": 5}, nil, 200, []string{`{"count":1}`}, nil},
		{"upsertWithWhere", "POST", `/api/books/upsertWithWhere?where={"title":"b6"}`, map[string]any{"title": "b6", "pages": 6}, nil, 200, []string{`"pages":6`}, nil},
		{"deleteById", "DELETE", "/api/books/5", nil, nil, 200, []string{`{"count":1}`}, nil},
		{"deleteById again", "DELETE", "/api/books/5", nil, nil, 200, []string{`{"count":0}`}, nil},
		{"relation find", "GET", "/api/authors/1/books", nil, nil, 200, []string{`"title":"b1"`, `"title":"b2"`}, []string{`"b3"`}},
		{"relation count", "GET", "/api/authors/1/books/count", nil, nil, 200, []string{`{"count":2}`}, nil},
		{"relation findById", "GET", "/api/authors/1/books/3", nil, nil, 404, nil, nil},
		{"relation create", "POST", "/api/authors/2/books", map[string]any{"title": "b7"}, nil, 200, []string{`"authorId":2`}, nil},
		{"belongsTo", "GET", "/api/books/3/author", nil, nil, 200, []string{`"name":"a2"`}, nil},
		{"prototype on unknown", "GET", "/api/authors/77/books", nil, nil, 404, []string{`could not find a model with id 77`}, nil},
		{"remote method", "GET", "/api/authors/greet?who=ann", nil, nil, 200, []string{`{"greeting":"hello ann"}`}, nil},
		{"remote method missing arg", "GET", "/api/authors/greet", nil, nil, 400, []string{`"statusCode":400`, `who`}, nil},
		{"prototype remote method", "POST", "/api/authors/2/shout", map[string]any{}, nil, 200, []string{`"id":2`}, nil},
		{"HEAD", "HEAD", "/api/authors/1", nil, nil, 200, nil, nil},
		{"no method", "GET", "/api/nothing", nil, nil, 404, []string{`There is no method to handle GET /nothing`}, nil},
		{"no route on model", "DELETE", "/api/authors", nil, nil, 404, []string{`Shared class \"Author\" has no method handling DELETE /`}, nil},
		{"outside the API", "GET", "/elsewhere", nil, nil, 404, []string{`Cannot GET /elsewhere`}, nil},
		{"malformed JSON", "POST", "/api/books", `{"title":`, nil, 400, []string{`"statusCode":400`}, nil},
		{"body over limit", "POST", "/api/books", `{"title":"` + strings.Repeat("x", 4096) + `"}`, nil, 413, []string{`"name":"PayloadTooLargeError"`}, nil},
		{"form body", "POST", "/api/books", "title=b8&pages=8", []string{"Content-Type", "application/x-www-form-urlencoded"}, 200, []string{`"title":"b8"`}, nil},
		{"expired token", "GET", "/api/authors", nil, []string{"Authorization", "old"}, 401, []string{`"code":"INVALID_TOKEN"`}, nil},
		{"unknown token is anonymous", "GET", "/api/authors/1", nil, []string{"X-Access-Token", "nope"}, 200, nil, nil},
		{"me with a token", "POST", "/api/authors/me/shout?access_token=good", map[string]any{}, nil, 404, []string{`could not find a model with id 7`}, nil},
		{"me without a token", "POST", "/api/authors/me/shout", map[string]any{}, nil, 401, []string{`"code":"AUTHORIZATION_REQUIRED"`}, nil},
	}
	for _, c := range cases {
		r := ts.do(c.method, c.path, c.body, c.headers...)
		if r.Status != c.status {
			t.Errorf("%s: %s %s = %d %s, want %d", c.name, c.method, c.path, r.Status, r.Raw, c.status)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(r.Raw, w) {
				t.Errorf("%s: body %s lacks %s", c.name, r.Raw, w)
			}
		}
		for _, n := range c.not {
			if strings.Contains(r.Raw, n) {
				t.Errorf("%s: body %s has %s", c.name, r.Raw, n)
			}
		}
		if c.method != "HEAD" && c.status != 204 && r.Header.Get("Content-Type") != "application/json; charset=utf-8" {
			t.Errorf("%s: content type %q", c.name, r.Header.Get("Content-Type"))
		}
		if r.Header.Get("X-Content-Type-Options") != "nosniff" || r.Header.Get(echo.HeaderXRequestID) == "" {
			t.Errorf("%s: security header or request id missing: %v", c.name, r.Header)
		}
	}
}

// TestErrorEnvelope checks LoopBack's envelope: 4xx answers keep name, code and message; 5xx
// answers say only the status and log the cause with the request id.
func TestErrorEnvelope(t *testing.T) {
	ts := newTestServer(t)
	ts.auth.fail = true
	r := ts.do("GET", "/api/authors", nil)
	if r.Status != 500 || r.Raw != `{"error":{"statusCode":500,"message":"Internal Server Error"}}` {
		t.Fatalf("internal error: %d %s", r.Status, r.Raw)
	}
	if !strings.Contains(ts.logs.String(), "internal error") || !strings.Contains(ts.logs.String(), "acl store down") ||
		!strings.Contains(ts.logs.String(), r.Header.Get(echo.HeaderXRequestID)) {
		t.Fatalf("the cause is not logged with the request id: %s", ts.logs.String())
	}
	ts.auth.fail = false
	r = ts.do("GET", "/api/authors/1", nil)
	var env struct {
		Error map[string]any `json:"error"`
	}
	if err := json.Unmarshal([]byte(r.Raw), &env); err != nil || r.Status != 404 {
		t.Fatalf("404: %d %s", r.Status, r.Raw)
	}
	for k, v := range map[string]any{"statusCode": 404.0, "name": "Error", "code": "MODEL_NOT_FOUND"} {
		if env.Error[k] != v {
			t.Errorf("%s = %v, want %v (%s)", k, env.Error[k], v, r.Raw)
		}
	}
	if r := ts.do("HEAD", "/api/authors/1", nil); r.Status != 404 || r.Raw != "" {
		t.Errorf("HEAD of an unknown record: %d %q", r.Status, r.Raw)
	}
	if !strings.Contains(ts.logs.String(), "msg=request") || !strings.Contains(ts.logs.String(), "status=404") {
		t.Errorf("no request line: %s", ts.logs.String())
	}
}

// TestAuthorizerIsAsked checks that every call asks the Authorizer, that denials are answered
// with its error before the method runs, and that the include and where guard use CheckRead.
func TestAuthorizerIsAsked(t *testing.T) {
	ts := newTestServer(t)
	ts.seed()
	ts.auth.asked = nil
	if r := ts.do("GET", "/api/books", nil); r.Status != 200 {
		t.Fatalf("find: %d %s", r.Status, r.Raw)
	}
	if got := ts.auth.calls(); len(got) != 1 || got[0] != "Book.find" {
		t.Fatalf("asked %v", got)
	}
	ts.auth.deny["Book.create"] = true
	ts.auth.deny["Author.prototype.shout"] = true
	if r := ts.do("POST", "/api/books", map[string]any{"title": "nope"}); r.Status != 401 || !strings.Contains(r.Raw, "AUTHORIZATION_REQUIRED") {
		t.Fatalf("denied anonymous create: %d %s", r.Status, r.Raw)
	}
	if r := ts.do("POST", "/api/authors/1/shout", map[string]any{}, "Authorization", "good"); r.Status != 403 || !strings.Contains(r.Raw, "ACCESS_DENIED") {
		t.Fatalf("denied call with a token: %d %s", r.Status, r.Raw)
	}
	if r := ts.do("GET", "/api/books/count", nil); !strings.Contains(r.Raw, `"count":3`) {
		t.Fatalf("a denied create wrote: %s", r.Raw)
	}
	// include: Book readable per instance only (id 1)
	ts.auth.unreadable["Book"] = true
	r := ts.do("GET", `/api/authors/1?filter={"include":"books"}`, nil)
	if r.Status != 200 || !strings.Contains(r.Raw, `"title":"b1"`) || strings.Contains(r.Raw, `"b2"`) {
		t.Fatalf("include guard: %d %s", r.Status, r.Raw)
	}
	// where on a related model the caller may not READ as a whole
	if r := ts.do("GET", `/api/authors?filter={"where":{"books.title":"b1"}}`, nil); r.Status != 401 {
		t.Fatalf("related where: %d %s", r.Status, r.Raw)
	}
	if r := ts.do("GET", `/api/authors/count?where={"books.title":"b1"}`, nil); r.Status != 401 {
		t.Fatalf("related where of count: %d %s", r.Status, r.Raw)
	}
	ts.auth.unreadable["Book"] = false
	if r := ts.do("GET", `/api/authors?filter={"where":{"books.title":"b1"}}`, nil); r.Status != 200 || !strings.Contains(r.Raw, `"a1"`) || strings.Contains(r.Raw, `"a2"`) {
		t.Fatalf("related where allowed: %d %s", r.Status, r.Raw)
	}
}

// TestNoAuthorizer: without an Authorizer and token resolver everything is allowed.
func TestNoAuthorizer(t *testing.T) {
	ts := newTestServer(t, func(o *Options, _ *EchoOptions) { o.Authorizer, o.Tokens = nil, nil })
	ts.seed()
	if r := ts.do("GET", `/api/authors/1?filter={"include":"books"}`, nil, "Authorization", "old"); r.Status != 200 || !strings.Contains(r.Raw, `"b2"`) {
		t.Fatalf("%d %s", r.Status, r.Raw)
	}
}

// TestRemoteHooks checks before, after and error hooks: order, patterns, a replaced result
// and status, a replaced error.
func TestRemoteHooks(t *testing.T) {
	ts := newTestServer(t)
	ts.seed()
	var order []string
	ts.srv.BeforeRemote("**", func(_ context.Context, c *Call) error {
		order = append(order, "before ** "+c.Method.StringName())
		return nil
	})
	ts.srv.BeforeRemote("Author.*", func(_ context.Context, c *Call) error { order = append(order, "before Author.*"); return nil })
	ts.srv.BeforeRemote("Author.prototype.*", func(_ context.Context, c *Call) error {
		order = append(order, "before prototype")
		return apierr.New(418, "TEAPOT", "no shouting")
	})
	ts.srv.AfterRemote("Author.greet", func(_ context.Context, c *Call) error {
		c.Result, c.Status = "hi", 201
		return nil
	})
	ts.srv.AfterRemoteError("Author.prototype.shout", func(_ context.Context, c *Call) error {
		return apierr.New(409, "REPLACED", "replaced: %v", c.Err)
	})
	r := ts.do("GET", "/api/authors/greet?who=x", nil)
	if r.Status != 201 || r.Raw != `{"greeting":"hi"}` {
		t.Fatalf("after hook: %d %s", r.Status, r.Raw)
	}
	r = ts.do("POST", "/api/authors/1/shout", map[string]any{})
	if r.Status != 409 || !strings.Contains(r.Raw, "REPLACED") || !strings.Contains(r.Raw, "no shouting") {
		t.Fatalf("error hook: %d %s", r.Status, r.Raw)
	}
	want := "before ** Author.greet|before Author.*|before ** Author.prototype.shout|before prototype"
	if got := strings.Join(order, "|"); got != want {
		t.Fatalf("hooks ran %s, want %s", got, want)
	}
}

// TestRequireAccessAndExplainRoute checks the middleware for boot routes and the explain
// endpoint: token, admin role, body, answer.
func TestRequireAccessAndExplainRoute(t *testing.T) {
	ex := &fakeExplainer{}
	ts := newTestServer(t, func(o *Options, _ *EchoOptions) { o.Explainer = ex })
	e := ts.h.(*echo.Echo)
	e.GET("/reports/:id", func(ec echo.Context) error { return ec.String(200, "report "+ec.Param("id")) },
		ts.srv.RequireAccess("Author", "findById", "READ"))
	e.GET("/broken", func(ec echo.Context) error { return nil }, ts.srv.RequireAccess("Nope", "find", "READ"))
	if r := ts.do("GET", "/reports/3", nil); r.Status != 200 || r.Raw != "report 3" {
		t.Fatalf("allowed: %d %s", r.Status, r.Raw)
	}
	if got := ts.auth.calls(); len(got) != 1 || got[0] != "Author.findById" {
		t.Fatalf("asked %v", got)
	}
	ts.auth.deny["Author.findById"] = true
	if r := ts.do("GET", "/reports/3", nil); r.Status != 401 {
		t.Fatalf("denied: %d %s", r.Status, r.Raw)
	}
	if r := ts.do("GET", "/broken", nil); r.Status != 500 {
		t.Fatalf("unknown model: %d %s", r.Status, r.Raw)
	}
	q := map[string]any{"model": "Author", "property": "find", "userId": 7}
	if r := ts.do("POST", "/api/ACLs/explain", q); r.Status != 401 {
		t.Fatalf("explain without a token: %d %s", r.Status, r.Raw)
	}
	if r := ts.do("POST", "/api/ACLs/explain", q, "Authorization", "good"); r.Status != 403 || !strings.Contains(r.Raw, "ACCESS_DENIED") {
		t.Fatalf("explain by a non-admin: %d %s", r.Status, r.Raw)
	}
	ex.admin = true
	r := ts.do("POST", "/api/ACLs/explain", q, "Authorization", "good")
	if r.Status != 200 || r.Header.Get("Cache-Control") != "no-store" || !strings.Contains(r.Raw, `"allowed":true`) {
		t.Fatalf("explain: %d %v %s", r.Status, r.Header, r.Raw)
	}
	if ex.q.Model != "Author" || ex.q.Property != "find" || ex.q.UserID != 7.0 || ex.q.Method == nil || ex.q.Method.Name != "find" {
		t.Fatalf("explain query %+v", ex.q)
	}
}

// fakeExplainer answers every explanation with allowed: true.
type fakeExplainer struct {
	admin bool
	q     ExplainQuery
}

func (f *fakeExplainer) HasRole(_ context.Context, tok *Token, role string) (bool, error) {
	return f.admin && role == "admin" && tok != nil, nil
}

func (f *fakeExplainer) Explain(_ context.Context, q ExplainQuery) (map[string]any, error) {
	f.q = q
	return map[string]any{"allowed": true}, nil
}

// TestEchoOptions checks NewEcho's middleware: CORS, the client address, the request log off.
func TestEchoOptions(t *testing.T) {
	ts := newTestServer(t, func(_ *Options, eo *EchoOptions) {
		eo.CORS = CORS{AllowOrigins: []string{"https://app.example"}}
		eo.TrustProxy = true
		eo.RequestLog = false
	})
	var ip string
	ts.srv.BeforeRemote("**", func(_ context.Context, c *Call) error { ip = c.Echo.RealIP(); return nil })
	r := ts.do("GET", "/api/authors", nil, "Origin", "https://app.example")
	if r.Status != 200 || r.Header.Get("Access-Control-Allow-Origin") != "https://app.example" {
		t.Fatalf("CORS: %d %v", r.Status, r.Header)
	}
	req := httptest.NewRequest("GET", "/api/authors", nil)
	req.RemoteAddr = "10.0.0.2:1234" // a proxy on a private network
	req.Header.Set("X-Forwarded-For", "203.0.113.9")
	ts.h.ServeHTTP(httptest.NewRecorder(), req)
	if ip != "203.0.113.9" {
		t.Fatalf("client address behind a trusted proxy %q", ip)
	}
	if strings.Contains(ts.logs.String(), "msg=request") {
		t.Fatalf("request logged: %s", ts.logs.String())
	}
	e := NewEcho(EchoOptions{})
	if UseCORS(e, CORS{}) {
		t.Fatal("CORS without origins")
	}
	rec := httptest.NewRecorder()
	req = httptest.NewRequest("GET", "/x", nil)
	req.RemoteAddr = "198.51.100.1:1234"
	req.Header.Set("X-Forwarded-For", "203.0.113.9")
	e.GET("/x", func(ec echo.Context) error { return ec.String(http.StatusOK, ec.RealIP()) })
	e.ServeHTTP(rec, req)
	if rec.Body.String() != "198.51.100.1" {
		t.Fatalf("untrusted proxy header used: %s", rec.Body.String())
	}
}

// TestReadJSONAndDescribe covers the helpers of boot routes and the listings of the server.
func TestReadJSONAndDescribe(t *testing.T) {
	ts := newTestServer(t)
	e := ts.h.(*echo.Echo)
	e.POST("/echo", func(ec echo.Context) error {
		var v map[string]any
		if err := ts.srv.ReadJSON(ec, &v); err != nil {
			return err
		}
		return WriteJSON(ec, 200, v)
	})
	ts.srv.IndexPaths()
	if r := ts.do("POST", "/echo", map[string]any{"a": 1}); r.Status != 200 || r.Raw != `{"a":1}` {
		t.Fatalf("ReadJSON: %d %s", r.Status, r.Raw)
	}
	if r := ts.do("POST", "/echo", "{"); r.Status != 400 {
		t.Fatalf("bad JSON: %d %s", r.Status, r.Raw)
	}
	if r := ts.do("POST", "/Echo", map[string]any{"a": 2}); r.Status != 200 {
		t.Fatalf("case-folded boot route: %d %s", r.Status, r.Raw)
	}
	eps := ts.srv.Endpoints()
	found := false
	for _, ep := range eps {
		if ep.Verb == "get" && ep.Path == "/api/authors/:id/books" {
			found = true
		}
	}
	if !found || len(eps) < 20 {
		t.Fatalf("endpoints: %d, /api/authors/:id/books found %v", len(eps), found)
	}
	mt, params, ok := ts.srv.Resolve("GET", "/api/Authors/5/books/6")
	if !ok || mt.Name != "__findById__books" || params["id"] != "5" || params["fk"] != "6" {
		t.Fatalf("resolve: %v %v %v", mt, params, ok)
	}
	if _, _, ok := ts.srv.Resolve("GET", "/other"); ok {
		t.Fatal("resolved outside the root")
	}
	exposed := ts.srv.Exposed()
	if len(exposed) != 2 {
		t.Fatalf("exposed %d models", len(exposed))
	}
	if got := ts.srv.Methods("Book")["prototype.patchAttributes"]; got == nil || got.AccessType != "WRITE" || strings.Join(got.Verbs(), ",") != "patch" {
		t.Fatalf("methods: %+v", got)
	}
}
