package framework_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/loopgo/loopgo/framework"
	"github.com/loopgo/loopgo/framework/filter"
	"github.com/loopgo/loopgo/framework/openapi/openapitest"
)

// openapiCheck validates the answers of one test app against its OpenAPI document.
type openapiCheck struct {
	off      bool
	requests bool // also check the requests the server served (2xx)
	c        *openapitest.Checker
	mu       sync.Mutex
	checked  int
}

// newOpenAPICheck validates the app's document with a real OpenAPI 3.1 validator and returns a
// checker of the exchanges made with it.
func newOpenAPICheck(t *testing.T, app *framework.App) *openapiCheck {
	t.Helper()
	doc, err := app.OpenAPI().JSON()
	if err != nil {
		t.Fatal(err)
	}
	if err := openapitest.Validate(doc); err != nil {
		t.Fatalf("the app's OpenAPI document is not valid: %v", err)
	}
	c, err := openapitest.NewChecker(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &openapiCheck{c: c, requests: true}
}

// jsonQuery rewrites filter and where arguments written in the bracket form
// (filter[where][title]=x) to the JSON form the document's parameters describe, as the server
// reads them.
func jsonQuery(t *testing.T, req *http.Request) *http.Request {
	q := req.URL.Query()
	changed := false
	for _, name := range []string{"filter", "where"} {
		bracket := false
		for k := range q {
			if strings.HasPrefix(k, name+"[") {
				bracket = true
			}
		}
		if !bracket {
			continue
		}
		v, _, err := filter.FromQuery(q, name)
		if err != nil {
			t.Fatalf("bracket form of %s: %v", name, err)
		}
		for k := range q {
			if strings.HasPrefix(k, name+"[") {
				delete(q, k)
			}
		}
		raw, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		q.Set(name, string(raw))
		changed = true
	}
	if !changed {
		return req
	}
	r := req.Clone(req.Context())
	u := *req.URL
	u.RawQuery = q.Encode()
	r.URL = &u
	return r
}

// openapiChecker returns a checker of the app's document, without validating the document.
func openapiChecker(app *framework.App) (*openapitest.Checker, error) {
	doc, err := app.OpenAPI().JSON()
	if err != nil {
		return nil, err
	}
	return openapitest.NewChecker(doc)
}

// checkAllApps checks the answers of every test app against its own document, so the document
// cannot drift from the server; LOOPGO_OPENAPI_CHECK=off turns it off.
var checkAllApps = os.Getenv("LOOPGO_OPENAPI_CHECK") != "off"

// withoutOpenAPICheck stops checking the app's answers: for tests whose hooks change an
// answer's shape on purpose, which no document built from the definitions can foresee.
func (a *testApp) withoutOpenAPICheck() {
	oasInit.Lock()
	defer oasInit.Unlock()
	a.oas = &openapiCheck{off: true}
}

// oasInit guards the lazy creation of the test apps' checkers (requests may run concurrently).
var oasInit sync.Mutex

// openapiCheck returns the app's checker, made at its first exchange; nil when checks are off.
func (a *testApp) openapiCheck() *openapiCheck {
	oasInit.Lock()
	defer oasInit.Unlock()
	if a.oas == nil && checkAllApps {
		c, err := openapiChecker(a.app)
		if err != nil {
			a.t.Fatal(err)
		}
		a.oas = &openapiCheck{c: c}
	}
	return a.oas
}

// checkOpenAPI fails the test when the answer to req does not match the app's document (paths
// the document does not describe, such as boot routes, are not checked).
func (a *testApp) checkOpenAPI(req *http.Request, body []byte, rec *httptest.ResponseRecorder) {
	oas := a.openapiCheck()
	if oas == nil || oas.off {
		return
	}
	a.t.Helper()
	checked, err := oas.c.CheckResponse(req, rec.Code, rec.Header(), rec.Body.Bytes())
	if err != nil {
		a.t.Errorf("OpenAPI document and server disagree: %v", err)
	}
	if checked && rec.Code < 300 && (oas.requests || os.Getenv("LOOPGO_OPENAPI_CHECK") == "requests") {
		if _, err := oas.c.CheckRequest(jsonQuery(a.t, req), body); err != nil {
			a.t.Errorf("OpenAPI document refuses a request the server served: %v", err)
		}
	}
	if checked {
		oas.mu.Lock()
		oas.checked++
		oas.mu.Unlock()
	}
	_ = body
}

// docOf returns the app's document as generic JSON.
func docOf(t *testing.T, app *framework.App) map[string]any {
	t.Helper()
	raw, err := app.OpenAPI().JSON()
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// at walks a JSON value by keys (object keys or list indexes as strings).
func at(v any, keys ...string) any {
	for _, k := range keys {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			i := 0
			fmt.Sscan(k, &i)
			if i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

func TestOpenAPIDocumentOfReadyApp(t *testing.T) {
	a, _ := readyApp(t)
	doc := docOf(t, a.app)
	if doc["openapi"] != "3.1.0" || at(doc, "servers", "0", "url") != "/api" {
		t.Fatalf("header: %v %v", doc["openapi"], doc["servers"])
	}
	paths := doc["paths"].(map[string]any)
	// every exposed CRUD, relation and remote method; private models and methods absent
	for _, want := range []string{"/notes", "/notes/{id}", "/notes/{id}/publish", "/notes/stats", "/notes/{id}/owner",
		"/notes/count", "/notes/findOne", "/notes/update", "/notes/upsertWithWhere", "/notes/{id}/exists",
		"/Users/login", "/Users/logout", "/Users/{id}/notes", "/Users/{id}/notes/{fk}", "/Users/{id}/notes/count"} {
		if paths[want] == nil {
			t.Errorf("path %s missing", want)
		}
	}
	for p := range paths {
		for _, private := range []string{"/AccessTokens", "/ACLs", "/Roles", "/RoleMappings", "/auditEvents", "/ThrottleEvent"} {
			if strings.HasPrefix(strings.ToLower(p), strings.ToLower(private)) {
				t.Errorf("private model path %s present", p)
			}
		}
	}
	if at(paths, "/notes", "delete") != nil {
		t.Error("destroyAll is not shared, yet DELETE /notes is documented")
	}
	// accepts: path, query (filter as JSON with the bracket form described), body
	find := at(paths, "/notes", "get").(map[string]any)
	if at(find, "parameters", "0", "name") != "filter" || at(find, "parameters", "0", "content", "application/json", "schema", "$ref") != "#/components/schemas/Filter" ||
		!strings.Contains(at(find, "parameters", "0", "description").(string), "filter[where][title]=x") {
		t.Errorf("find's filter: %v", find["parameters"])
	}
	if at(paths, "/notes/count", "get", "parameters", "0", "name") != "where" {
		t.Errorf("count's where: %v", at(paths, "/notes/count", "get", "parameters"))
	}
	byID := at(paths, "/notes/{id}", "get", "parameters", "0").(map[string]any)
	if byID["in"] != "path" || byID["required"] != true || at(byID, "schema", "type") != "integer" {
		t.Errorf("findById id: %v", byID)
	}
	login := at(paths, "/Users/login", "post").(map[string]any)
	if at(login, "responses", "200", "content", "application/json", "schema", "$ref") != "#/components/schemas/UserLoginResult" {
		t.Errorf("login answer: %v", at(login, "responses", "200"))
	}
	change := at(paths, "/Users/change-password", "post", "requestBody", "content").(map[string]any)
	if at(change, "application/x-www-form-urlencoded", "schema", "required", "1") != "newPassword" || change["application/json"] == nil {
		t.Errorf("changePassword's form arguments: %v", change)
	}
	if at(paths, "/notes/{id}/publish", "post", "responses", "200", "content", "application/json", "schema", "$ref") != "#/components/schemas/Note" {
		t.Errorf("publish returns a Note: %v", at(paths, "/notes/{id}/publish", "post", "responses"))
	}
	if at(paths, "/Users/logout", "post", "responses", "204") == nil || at(paths, "/Users/logout", "post", "x-loopgo-any-verb") != true {
		t.Errorf("logout: %v", at(paths, "/Users/logout"))
	}
	// who may call, from the static ACLs
	roles := func(p, verb string) string {
		var out []string
		for _, r := range at(paths, p, verb, "x-loopgo-roles").([]any) {
			out = append(out, r.(string))
		}
		return strings.Join(out, ",")
	}
	for _, c := range []struct{ path, verb, want string }{
		{"/notes", "get", "$everyone"}, {"/notes", "post", "$authenticated"},
		{"/notes/{id}", "patch", "$owner,admin"}, {"/notes/{id}/publish", "post", "$owner,admin"},
		{"/notes/update", "post", "admin"}, {"/Users", "get", "admin"}, {"/Users", "post", "$everyone"},
		{"/Users/{id}/notes", "get", "$owner,admin"}, {"/Users/{id}/notes", "post", "admin"},
		{"/Users/reset-password", "post", "$authenticated"}, {"/Users/{id}/accessTokens", "get", ""},
	} {
		if got := roles(c.path, c.verb); got != c.want {
			t.Errorf("%s %s roles %q, want %q", c.verb, c.path, got, c.want)
		}
	}
	if at(paths, "/Users/reset-password", "post", "x-loopgo-token-scopes", "0") != "reset-password" {
		t.Error("setPassword's token scope missing")
	}
	if sec := at(paths, "/notes", "post", "security").([]any); len(sec) != 4 || len(sec[0].(map[string]any)) != 1 {
		t.Errorf("create needs a token: %v", sec)
	}
	if sec := at(paths, "/notes", "get", "security").([]any); len(sec[0].(map[string]any)) != 0 {
		t.Errorf("find is open to anonymous callers: %v", sec)
	}
	// schemas: hidden properties absent, server-owned ones read-only, passwords write-only
	schemas := at(doc, "components", "schemas").(map[string]any)
	user := at(schemas, "User", "properties").(map[string]any)
	for _, hidden := range []string{"password", "verificationToken", "mfaSecret", "mfaLastStep"} {
		if user[hidden] != nil || at(schemas, "NewUser", "properties", hidden) != nil && hidden != "password" {
			t.Errorf("hidden %s in a User schema", hidden)
		}
	}
	if at(user, "emailVerified", "readOnly") != true || at(user, "id", "readOnly") != true || at(user, "email", "readOnly") != nil {
		t.Errorf("User readOnly: %v", user)
	}
	if at(schemas, "NewUser", "properties", "password", "writeOnly") != true || at(schemas, "NewUser", "properties", "emailVerified", "readOnly") != true {
		t.Errorf("NewUser: %v", schemas["NewUser"])
	}
	if at(schemas, "Note", "properties", "ownerId", "readOnly") != true || at(schemas, "NewNote", "required", "0") != "title" ||
		at(schemas, "NewNote", "additionalProperties") != false || at(schemas, "Note", "properties", "owner") == nil {
		t.Errorf("Note: %v / %v", schemas["Note"], schemas["NewNote"])
	}
	if at(schemas, "ErrorEnvelope", "required", "0") != "error" || at(doc, "components", "responses", "Unauthorized", "content", "application/json", "schema", "$ref") != "#/components/schemas/ErrorEnvelope" {
		t.Errorf("error envelope: %v", schemas["ErrorEnvelope"])
	}
	// token sources
	schemes := at(doc, "components", "securitySchemes").(map[string]any)
	if at(schemes, "AccessTokenHeader", "name") != "X-Access-Token" || at(schemes, "AccessTokenQuery", "in") != "query" ||
		at(schemes, "BearerToken", "scheme") != "bearer" || at(schemes, "AuthorizationHeader", "name") != "Authorization" {
		t.Errorf("security schemes: %v", schemes)
	}
}

func TestOpenAPIServedAsJSONAndYAML(t *testing.T) {
	a, _ := readyApp(t)
	want, _ := a.app.OpenAPI().JSON()
	r := a.do("GET", "/api/openapi.json", nil)
	if r.Status != 200 || r.Raw != string(want) || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("openapi.json: %d %.200s", r.Status, r.Raw)
	}
	if err := openapitest.Validate([]byte(r.Raw)); err != nil {
		t.Fatal(err)
	}
	r = a.do("GET", "/API/openapi.yaml", nil)
	if r.Status != 200 || !strings.HasPrefix(r.Raw, "openapi: 3.1.0\n") {
		t.Fatalf("openapi.yaml: %d %.200s", r.Status, r.Raw)
	}
	if err := openapitest.Validate([]byte(r.Raw)); err != nil {
		t.Fatalf("the YAML form: %v", err)
	}
	// anything else there is the REST API's 404 in the error envelope
	r = a.do("POST", "/api/openapi.json", `{}`)
	if r.Status != 404 || r.errField("statusCode") != float64(404) {
		t.Fatalf("POST openapi.json: %d %s", r.Status, r.Raw)
	}
}

func TestExplorerServedFromTheBinary(t *testing.T) {
	a, _ := readyApp(t)
	r := a.do("GET", "/explorer", nil)
	if r.Status != 200 || !strings.Contains(r.Raw, "swagger-ui-bundle.js") || !strings.Contains(r.Raw, `"swaggerJsonUrl":"/api/openapi.json"`) {
		t.Fatalf("explorer: %d %.300s", r.Status, r.Raw)
	}
	for _, src := range []string{`src="http`, `href="http`, "//cdn", "unpkg"} {
		if strings.Contains(r.Raw, src) {
			t.Errorf("the explorer page loads %s from elsewhere", src)
		}
	}
	if r := a.do("GET", "/explorer/swagger-ui-bundle.js", nil); r.Status != 200 || len(r.Raw) < 100000 {
		t.Fatalf("bundle: %d %d bytes", r.Status, len(r.Raw))
	}
	for _, p := range []string{"/explorer/nothing-here.js", "/explorer/../api/notes", "/explorer/%2e%2e/x"} {
		if r := a.do("GET", p, nil); r.Status != 404 || r.errField("statusCode") != float64(404) {
			t.Fatalf("%s: %d %s", p, r.Status, r.Raw)
		}
	}
	if r := a.do("HEAD", "/api/openapi.json", nil); r.Status != 200 || r.Raw != "" {
		t.Fatalf("HEAD openapi.json: %d %q", r.Status, r.Raw)
	}
}

func TestExplorerPathAndOffSwitch(t *testing.T) {
	off := false
	a := newTestAppCfg(t, fstest.MapFS{"note.yaml": {Data: []byte(noteYAML)}}, t.TempDir(), func(c *framework.Config) {
		c.OpenAPI = framework.OpenAPIConfig{ExplorerPath: "/docs/api/", Title: "Notes"}
	}, attachNote)
	if r := a.do("GET", "/docs/api", nil); r.Status != 200 || !strings.Contains(r.Raw, "<title>Notes - Swagger UI</title>") {
		t.Fatalf("explorer at its path: %d %.200s", r.Status, r.Raw)
	}
	if r := a.do("GET", "/explorer", nil); r.Status != 404 {
		t.Fatalf("default path still served: %d", r.Status)
	}
	a = newTestAppCfg(t, fstest.MapFS{"note.yaml": {Data: []byte(noteYAML)}}, t.TempDir(), func(c *framework.Config) {
		c.OpenAPI.Explorer = &off
	}, attachNote)
	if r := a.do("GET", "/explorer", nil); r.Status != 404 || r.errField("statusCode") != float64(404) {
		t.Fatalf("explorer off: %d %s", r.Status, r.Raw)
	}
	if r := a.do("GET", "/api/openapi.json", nil); r.Status != 200 {
		t.Fatalf("document with the explorer off: %d", r.Status)
	}
	a = newTestAppCfg(t, fstest.MapFS{"note.yaml": {Data: []byte(noteYAML)}}, t.TempDir(), func(c *framework.Config) {
		c.OpenAPI.Disabled = true
	}, attachNote)
	for _, p := range []string{"/explorer", "/api/openapi.json", "/api/openapi.yaml"} {
		if r := a.do("GET", p, nil); r.Status != 404 || r.errField("statusCode") != float64(404) {
			t.Fatalf("%s with openapi disabled: %d %s", p, r.Status, r.Raw)
		}
	}
	cfg, err := framework.ParseConfig([]byte("openapi:\n  explorer: false\n  explorerPath: /x\n"))
	if err != nil || cfg.OpenAPI.Explorer == nil || *cfg.OpenAPI.Explorer || cfg.OpenAPI.ExplorerPath != "/x" {
		t.Fatalf("config: %+v %v", cfg.OpenAPI, err)
	}
	if _, err := framework.ParseConfig([]byte("openapi:\n  explorr: false\n")); err == nil {
		t.Fatal("a misspelt openapi key is accepted")
	}
}

// attachNote attaches the Note model of noteYAML to db.
func attachNote(app *framework.App) { app.AttachModel("Note", "db", true) }

// TestOpenAPICheckCatchesDrift proves the check of the test suite has teeth: a document that
// says Note.title is a number fails on the server's real answer.
func TestOpenAPICheckCatchesDrift(t *testing.T) {
	a, toks := readyApp(t)
	doc := docOf(t, a.app)
	at(doc, "components", "schemas", "Note", "properties", "title").(map[string]any)["type"] = "number"
	delete(at(doc, "paths", "/notes/{id}/publish", "post", "responses").(map[string]any), "200")
	raw, _ := json.Marshal(doc)
	c, err := openapitest.NewChecker(raw)
	if err != nil {
		t.Fatal(err)
	}
	a.oas = &openapiCheck{c: c}
	for _, x := range []struct{ method, path, tok string }{{"GET", "/api/notes/1", ""}, {"POST", "/api/notes/1/publish", toks["owner"]}} {
		req := httptest.NewRequest(x.method, x.path, nil)
		if x.tok != "" {
			req.Header.Set("Authorization", x.tok)
		}
		rec := httptest.NewRecorder()
		a.app.Handler().ServeHTTP(rec, req)
		if rec.Code != 200 {
			t.Fatalf("%s %s: %d", x.method, x.path, rec.Code)
		}
		if _, err := c.CheckResponse(req, rec.Code, rec.Header(), rec.Body.Bytes()); err == nil {
			t.Errorf("%s %s: a wrong document passes", x.method, x.path)
		}
	}
	// and a request the document refuses is caught too
	req := httptest.NewRequest("POST", "/api/notes", strings.NewReader(`{"title":"x","nope":1}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", toks["owner"])
	if _, err := c.CheckRequest(req, []byte(`{"title":"x","nope":1}`)); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("unknown property in a strict model's body: %v", err)
	}
}

func TestOpenAPISettingsShapeTheDocument(t *testing.T) {
	files := map[string]string{
		"filter.yaml": "name: Filter\nstrict: false\nproperties:\n  name: {type: string, required: true}\n  size: {type: number, default: 3}\n" +
			"validations:\n  - {property: name, kind: length, min: 2, max: 9}\n  - {property: name, kind: inclusion, in: [ab, cd]}\n" +
			"methods:\n  shout:\n    accepts:\n      - {arg: word, type: string, required: true}\n      - {arg: times, type: number}\n" +
			"    returns: {arg: out, type: string}\n    http: {verb: get, path: /shout}\n",
		"model-config.yaml": "Filter: {dataSource: db, public: true, options: {remoting: {sharedMethods: {count: false}}}}\n" + usersConfig,
		"note.yaml":         noteYAML,
	}
	a := newTestApp(t, files, func(app *framework.App) {
		app.SetACLErrorStatus(403)
		app.SetCookieSecret("s")
		app.SetCurrentUserLiteral("me")
		app.Model("Filter").Method("shout", func(ctx context.Context, c *framework.Call) (any, error) {
			return strings.Repeat(c.Args["word"].(string), 2), nil
		})
	})
	doc := docOf(t, a.app)
	raw, _ := a.app.OpenAPI().JSON()
	if err := openapitest.Validate(raw); err != nil {
		t.Fatal(err)
	}
	schemas := at(doc, "components", "schemas").(map[string]any)
	// a model named like a shared schema keeps its name; the shared one gets a prefix
	if schemas["Filter"] == nil || at(schemas, "LoopgoFilter", "properties", "limit") == nil ||
		at(doc, "paths", "/Filters", "get", "parameters", "0", "content", "application/json", "schema", "$ref") != "#/components/schemas/LoopgoFilter" {
		t.Fatalf("names: %v", schemaNames(schemas))
	}
	// strict: false keeps undeclared properties; defaults and validations show
	if _, set := at(schemas, "Filter").(map[string]any)["additionalProperties"]; set {
		t.Error("a strict: false model's instances refuse undeclared properties")
	}
	name := at(schemas, "NewFilter", "properties", "name").(map[string]any)
	if name["minLength"] != float64(2) || name["maxLength"] != float64(9) || at(name, "enum", "1") != "cd" ||
		at(schemas, "NewFilter", "properties", "size", "default") != float64(3) || at(schemas, "NewFilter", "required", "0") != "name" {
		t.Errorf("NewFilter: %v", schemas["NewFilter"])
	}
	// sharedMethods off: absent; a remote method's query arguments and named return
	if at(doc, "paths", "/Filters/count") != nil {
		t.Error("count is not shared, yet documented")
	}
	shout := at(doc, "paths", "/Filters/shout", "get").(map[string]any)
	if at(shout, "parameters", "0", "name") != "word" || at(shout, "parameters", "0", "required") != true ||
		at(shout, "parameters", "1", "schema", "type") != "number" ||
		at(shout, "responses", "200", "content", "application/json", "schema", "properties", "out", "type") != "string" {
		t.Errorf("shout: %v", shout)
	}
	// aclErrorStatus 403, cookies, currentUserLiteral
	if at(doc, "paths", "/Users/{id}", "get", "responses", "403") == nil ||
		at(doc, "components", "securitySchemes", "AuthorizationCookie", "in") != "cookie" ||
		!strings.Contains(at(doc, "paths", "/Users/{id}", "get", "parameters", "0", "description").(string), `"me"`) {
		t.Errorf("settings: %v", at(doc, "paths", "/Users/{id}", "get"))
	}
	if r := a.do("GET", "/api/Filters/shout?word=ab", nil); r.Status != 200 || r.Raw != `{"out":"abab"}` {
		t.Fatalf("shout: %d %s", r.Status, r.Raw)
	}
	if r := a.do("GET", "/api/Filters/shout", nil); r.Status != 400 {
		t.Fatalf("shout without its word: %d %s", r.Status, r.Raw)
	}
}

func schemaNames(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestOpenAPIRolesMatchTheServer calls operations of the ready app as each kind of caller and
// checks that the server lets through exactly those the document's x-loopgo-roles name.
func TestOpenAPIRolesMatchTheServer(t *testing.T) {
	type call struct {
		verb, path, docPath string
		body                any
	}
	calls := []call{
		{"GET", "/api/notes", "/notes", nil},
		{"GET", "/api/notes/1", "/notes/{id}", nil},
		{"GET", "/api/notes/count", "/notes/count", nil},
		{"GET", "/api/notes/stats", "/notes/stats", nil},
		{"POST", "/api/notes", "/notes", map[string]any{"title": "x"}},
		{"PATCH", "/api/notes/1", "/notes/{id}", map[string]any{"rating": 1}},
		{"POST", "/api/notes/1/publish", "/notes/{id}/publish", nil},
		{"GET", "/api/notes/1/owner", "/notes/{id}/owner", nil},
		{"POST", "/api/notes/update?where=" + q(`{"id":1}`), "/notes/update", map[string]any{"rating": 2}},
		{"GET", "/api/users", "/Users", nil},
		{"GET", "/api/users/2", "/Users/{id}", nil},
		{"GET", "/api/users/2/notes", "/Users/{id}/notes", nil},
		{"GET", "/api/users/2/notes/count", "/Users/{id}/notes/count", nil},
		{"POST", "/api/users/2/notes", "/Users/{id}/notes", map[string]any{"title": "y"}},
		{"GET", "/api/users/2/sessions", "/Users/{id}/sessions", nil},
		{"GET", "/api/users/2/accessTokens", "/Users/{id}/accessTokens", nil},
		{"DELETE", "/api/notes/1", "/notes/{id}", nil},
	}
	// the roles each caller holds, for the instances above (note 1 and user 2 are the owner's)
	holds := map[string][]string{
		"anonymous": {"$everyone", "$unauthenticated"},
		"other":     {"$everyone", "$authenticated"},
		"owner":     {"$everyone", "$authenticated", "$owner"},
		"admin":     {"$everyone", "$authenticated", "admin"},
	}
	for who, roles := range holds {
		t.Run(who, func(t *testing.T) {
			a, toks := readyApp(t)
			doc := docOf(t, a.app)
			for _, c := range calls {
				documented, _ := at(doc, "paths", c.docPath, strings.ToLower(c.verb), "x-loopgo-roles").([]any)
				if documented == nil {
					t.Fatalf("%s %s: no x-loopgo-roles", c.verb, c.docPath)
				}
				want := false
				for _, d := range documented {
					for _, r := range roles {
						want = want || d == r
					}
				}
				var headers []string
				if toks[who] != "" {
					headers = []string{"Authorization", toks[who]}
				}
				r := a.do(c.verb, c.path, c.body, headers...)
				if allowed := r.Status != 401; allowed != want {
					t.Errorf("%s %s as %s: %d, but the document's roles are %v", c.verb, c.path, who, r.Status, documented)
				}
			}
		})
	}
}
