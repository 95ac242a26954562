package cli_test

import (
	"bytes"
	"context"
	"database/sql"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/labstack/echo/v4"
	_ "github.com/mattn/go-sqlite3"

	"github.com/loopgo/loopgo/framework"
	"github.com/loopgo/loopgo/framework/cli"
)

// modelConfig attaches the test app's models; bcrypt runs at its minimum cost to keep tests fast.
const modelConfig = `
User:
  dataSource: db
  public: true
  options: {saltWorkFactor: 4}
  acls:
    - {principalType: ROLE, principalId: admin, permission: ALLOW}
AccessToken: {dataSource: db, public: false}
ACL: {dataSource: db, public: false}
Role: {dataSource: db, public: false}
RoleMapping: {dataSource: db, public: false}
Doc: {dataSource: db, public: true}
`

// docModel has one rule of each kind the routes command names.
const docModel = `
name: Doc
plural: docs
properties:
  title: {type: string, required: true}
  code: string
  legacy: string
  ownerId: number
relations:
  owner: {type: belongsTo, model: User, foreignKey: ownerId}
acls:
  - {principalType: ROLE, principalId: $everyone, permission: DENY}
  - {principalType: ROLE, principalId: $everyone, permission: ALLOW, accessType: READ}
  - {principalType: ROLE, principalId: $authenticated, permission: ALLOW, property: create}
  - {principalType: ROLE, principalId: $owner, permission: ALLOW, accessType: WRITE}
  - {principalType: ROLE, principalId: admin, permission: ALLOW}
  - {principalType: ROLE, principalId: editor, permission: ALLOW, property: publish}
  - {principalType: ROLE, principalId: banned, permission: DENY, property: find}
methods:
  prototype.publish:
    http: {verb: post, path: /publish}
    accessType: WRITE
    returns: {arg: doc, type: object, root: true}
`

// docModelV2 changes Doc: code becomes a number (refused), subtitle is new and indexed, legacy
// is no longer declared (kept).
const docModelV2 = `
name: Doc
plural: docs
properties:
  title: {type: string, required: true}
  code: number
  subtitle: {type: string, index: true}
  ownerId: number
relations:
  owner: {type: belongsTo, model: User, foreignKey: ownerId}
methods:
  prototype.publish:
    http: {verb: post, path: /publish}
    returns: {arg: doc, type: object, root: true}
`

// models returns the test app's model files, with doc as Doc's definition.
func models(doc string) fstest.MapFS {
	return fstest.MapFS{
		"model-config.yaml": {Data: []byte(modelConfig)},
		"doc.yaml":          {Data: []byte(doc)},
	}
}

// register binds Doc's publish method and adds a boot route, GET /hello.
func register(app *framework.App) error {
	docs := app.Model("Doc")
	docs.Method("prototype.publish", func(ctx context.Context, c *framework.Call) (any, error) {
		rec, err := docs.FindByID(ctx, c.InstanceID)
		return docs.Instance(rec), err
	})
	app.Boot("hello", func(ctx context.Context, app *framework.App) error {
		app.Echo().GET("/hello", func(c echo.Context) error { return c.String(http.StatusOK, "hello") })
		return nil
	})
	return nil
}

// env is a test app's command line on a temporary SQLite database.
type env struct {
	t      *testing.T
	dir    string
	dbPath string
	doc    string // Doc's YAML
}

func newEnv(t *testing.T) *env {
	dir := t.TempDir()
	return &env{t: t, dir: dir, dbPath: filepath.Join(dir, "app.db"), doc: docModel}
}

// config is the test app's configuration YAML.
func (e *env) config() []byte {
	return []byte("restApiRoot: /api\ndatasources:\n  db:\n    url: sqlite:" + e.dbPath + "\n")
}

// result is what one run of the command line gave.
type result struct {
	code     int
	out, err string
}

// run runs the command line in-process with stdin and args.
func (e *env) run(stdin string, args ...string) result {
	e.t.Helper()
	var out, errb lockedBuffer
	code := cli.Execute(context.Background(), e.app(strings.NewReader(stdin), &out, &errb), args)
	return result{code: code, out: out.String(), err: errb.String()}
}

// app is the cli.App of the test app, with the given streams.
func (e *env) app(stdin *strings.Reader, out, errw *lockedBuffer) cli.App {
	return cli.App{Name: "testapp", Config: e.config(), Models: models(e.doc), Register: register,
		Stdin: stdin, Stdout: out, Stderr: errw}
}

// want fails unless the run ended with code and its stdout holds every fragment.
func (r result) want(t *testing.T, code int, fragments ...string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.out, r.err)
	}
	for _, f := range fragments {
		if !strings.Contains(r.out, f) {
			t.Fatalf("stdout lacks %q:\n%s\nstderr:\n%s", f, r.out, r.err)
		}
	}
}

// wantErr fails unless the run ended with code and its stderr holds every fragment.
func (r result) wantErr(t *testing.T, code int, fragments ...string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.out, r.err)
	}
	for _, f := range fragments {
		if !strings.Contains(r.err, f) {
			t.Fatalf("stderr lacks %q:\n%s", f, r.err)
		}
	}
}

// db opens the test database directly.
func (e *env) db() *sql.DB {
	e.t.Helper()
	db, err := sql.Open("sqlite3", e.dbPath)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { db.Close() })
	return db
}

// count counts the rows of a query.
func (e *env) count(query string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.db().QueryRow(query, args...).Scan(&n); err != nil {
		e.t.Fatalf("%s: %v", query, err)
	}
	return n
}

// hasTable reports whether the test database has the table.
func (e *env) hasTable(name string) bool {
	return e.count("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?", name) == 1
}

// lockedBuffer is a bytes.Buffer safe for concurrent writers (a serving app logs from several).
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
