package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/schema"
	"github.com/loopgo/loopgo/framework/store"
)

const testAuthorYAML = `
name: Author
plural: authors
properties:
  name: {type: string, required: true}
  secret: string
hidden: [secret]
relations:
  books: {type: hasMany, model: Book, foreignKey: authorId}
methods:
  greet:
    accepts:
      - {arg: who, type: string, required: true, http: {source: query}}
    returns: {arg: greeting, type: string}
    http: {verb: get, path: /greet}
  prototype.shout:
    returns: {arg: data, type: object, root: true}
    http: {verb: post, path: /shout}
`

const testBookYAML = `
name: Book
plural: books
properties:
  title: {type: string, required: true}
  pages: number
  authorId: number
relations:
  author: {type: belongsTo, model: Author, foreignKey: authorId}
`

// testServer is a rest.Server on a temporary SQLite store with Author and Book exposed.
type testServer struct {
	t    *testing.T
	srv  *Server
	h    http.Handler
	reg  *schema.Registry
	st   *store.Store
	auth *fakeAuthorizer
	logs *bytes.Buffer
}

// fakeAuthorizer records the calls it is asked about and denies those deny names
// ("Book.find", "Author.prototype.shout") and the READ of models in unreadable.
type fakeAuthorizer struct {
	mu         sync.Mutex
	asked      []string
	deny       map[string]bool
	unreadable map[string]bool // model -> only instances with id "1" readable
	fail       bool
}

func (f *fakeAuthorizer) Authorize(ctx context.Context, c *Call) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked = append(f.asked, c.Method.StringName())
	if f.fail {
		return errors.New("acl store down")
	}
	if f.deny[c.Method.StringName()] {
		if c.Token == nil {
			return apierr.Unauthorized("AUTHORIZATION_REQUIRED", "Authorization Required")
		}
		return apierr.New(403, "ACCESS_DENIED", "Access Denied")
	}
	c.AuthorizedRoles = map[string]bool{"$everyone": true}
	return nil
}

func (f *fakeAuthorizer) CheckRead(ctx context.Context, c *Call, m *schema.Model, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked = append(f.asked, "read "+m.Name+" "+id)
	if f.unreadable[m.Name] && id != "1" {
		return apierr.Unauthorized("AUTHORIZATION_REQUIRED", "Authorization Required")
	}
	return nil
}

func (f *fakeAuthorizer) calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.asked...)
}

// fakeTokens resolves "good" to user 7 and "old" to an expired token.
type fakeTokens struct{}

func (fakeTokens) ResolveToken(ctx context.Context, raw string) (*Token, error) {
	switch raw {
	case "good":
		return &Token{Digest: "d-good", UserID: int64(7), UserModel: "User", TTL: 60}, nil
	case "old":
		return nil, apierr.Unauthorized("INVALID_TOKEN", "Invalid Access Token")
	}
	return nil, nil
}

// newTestServer builds the test server; opts may change the options before New.
func newTestServer(t *testing.T, opts ...func(*Options, *EchoOptions)) *testServer {
	t.Helper()
	reg := schema.NewRegistry()
	for name, src := range map[string]string{"author.yaml": testAuthorYAML, "book.yaml": testBookYAML} {
		if err := reg.ParseFile(name, []byte(src)); err != nil {
			t.Fatal(err)
		}
	}
	if err := reg.Resolve(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	logs := &bytes.Buffer{}
	log := slog.New(slog.NewTextHandler(&syncWriter{w: logs}, &slog.HandlerOptions{Level: slog.LevelInfo}))
	st, err := store.Open(ctx, "db", "sqlite:"+t.TempDir()+"/rest.db", store.Options{Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	author, book := reg.Model("Author"), reg.Model("Book")
	if err := st.Migrate(ctx, []*schema.Model{author, book}); err != nil {
		t.Fatal(err)
	}
	st.SetLinks(store.Links{Models: reg, StoreOf: func(string) *store.Store { return st }})
	auth := &fakeAuthorizer{deny: map[string]bool{}, unreadable: map[string]bool{}}
	o := Options{Root: "/api", Logger: log, Models: reg, Authorizer: auth, Tokens: fakeTokens{}, CurrentUserLiteral: "me"}
	eo := EchoOptions{Logger: log, RequestLog: true, RequestLogLevel: slog.LevelInfo, BodyLimit: 2048}
	for _, f := range opts {
		f(&o, &eo)
	}
	e := NewEcho(eo)
	s := New(e, o)
	storeOf := func(string) *store.Store { return st }
	for _, m := range []*schema.Model{author, book} {
		methods := PersistedMethods(m, st, reg)
		methods = append(methods, RelationMethods(m, st, reg, storeOf)...)
		if m.Name == "Author" {
			methods = append(methods, &Method{Model: m, Name: "greet", Static: true, Shared: true,
				Routes: m.Method("greet", true).HTTP, Accepts: m.Method("greet", true).Accepts, Returns: m.Method("greet", true).Returns,
				Fn: func(ctx context.Context, c *Call) (any, error) { return "hello " + c.Args["who"].(string), nil }},
				&Method{Model: m, Name: "shout", Shared: true,
					Routes: m.Method("shout", false).HTTP, Returns: m.Method("shout", false).Returns,
					Fn: func(ctx context.Context, c *Call) (any, error) {
						return map[string]any{"id": c.InstanceID, "user": c.UserID()}, nil
					}})
		}
		s.AddModel(m, st, methods)
	}
	s.IndexPaths()
	return &testServer{t: t, srv: s, h: e, reg: reg, st: st, auth: auth, logs: logs}
}

// syncWriter serialises writes of concurrent requests' log lines.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// answer is one HTTP answer of the test server.
type answer struct {
	Status int
	Header http.Header
	Raw    string
}

// do sends a request; body is JSON-encoded unless it is a string (sent as is); headers are
// name, value pairs.
func (ts *testServer) do(method, path string, body any, headers ...string) answer {
	ts.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			ts.t.Fatal(err)
		}
		r = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, strings.ReplaceAll(path, " ", "%20"), r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	ts.h.ServeHTTP(w, req)
	return answer{Status: w.Code, Header: w.Header(), Raw: w.Body.String()}
}

// seed creates authors a1 (id 1) and a2 (id 2) with books b1, b2 of a1 and b3 of a2.
func (ts *testServer) seed() {
	ts.t.Helper()
	for _, n := range []string{"a1", "a2"} {
		if r := ts.do("POST", "/api/authors", map[string]any{"name": n, "secret": "s-" + n}); r.Status != 200 {
			ts.t.Fatalf("create author: %d %s", r.Status, r.Raw)
		}
	}
	for _, b := range []map[string]any{{"title": "b1", "pages": 10, "authorId": 1}, {"title": "b2", "pages": 20, "authorId": 1}, {"title": "b3", "pages": 30, "authorId": 2}} {
		if r := ts.do("POST", "/api/books", b); r.Status != 200 {
			ts.t.Fatalf("create book: %d %s", r.Status, r.Raw)
		}
	}
}
