package framework_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/loopgo/loopgo/framework"
	"github.com/loopgo/loopgo/framework/accounts"
)

// fastBcrypt makes test apps hash passwords at bcrypt's minimum cost.
var fastBcrypt = true

// testApp is a fresh app on a temporary SQLite file.
type testApp struct {
	t   *testing.T
	app *framework.App
	log *bytes.Buffer
	lw  *lockedWriter
	oas *openapiCheck // set: every answer is checked against the app's OpenAPI document
}

// logs returns what the app logged so far; safe while it serves.
func (a *testApp) logs() string {
	a.lw.mu.Lock()
	defer a.lw.mu.Unlock()
	return a.lw.w.String()
}

// newTestApp builds an app from YAML files (name -> content) plus setup callbacks run before Setup.
func newTestApp(t *testing.T, files map[string]string, setup ...func(*framework.App)) *testApp {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, src := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(src)}
	}
	return newTestAppFS(t, fsys, setup...)
}

// newTestAppFS builds an app from the model files of fsys, on temporary SQLite files (datasources
// db and audit), plus setup callbacks run before Setup.
func newTestAppFS(t *testing.T, fsys fs.FS, setup ...func(*framework.App)) *testApp {
	t.Helper()
	return newTestAppCfg(t, fsys, t.TempDir(), nil, setup...)
}

// newTestAppCfg builds an app whose databases live in dir, with mod changing the config.
func newTestAppCfg(t *testing.T, fsys fs.FS, dir string, mod func(*framework.Config), setup ...func(*framework.App)) *testApp {
	t.Helper()
	logBuf := &bytes.Buffer{}
	lw := &lockedWriter{w: logBuf}
	cfg := framework.Config{
		Datasources: map[string]framework.Datasource{
			"db":    {URL: "sqlite:" + filepath.Join(dir, "app.db")},
			"audit": {URL: "sqlite:" + filepath.Join(dir, "audit.db")},
		},
		Logger: slog.New(slog.NewTextHandler(lw, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if mod != nil {
		mod(&cfg)
	}
	app, err := framework.New(cfg)
	if err != nil {
		t.Fatalf("new app: %v", err)
	}
	if err := app.LoadModels(fsys); err != nil {
		t.Fatalf("load models: %v", err)
	}
	// bcrypt at cost 10 takes ~0.7 s under the race detector: the tests hash at bcrypt's
	// minimum cost (one test checks the default).
	app.Boot("test-fast-bcrypt", func(ctx context.Context, app *framework.App) error {
		for _, m := range app.Registry().Models() {
			if m.IsA("User") && fastBcrypt {
				m.Settings["saltWorkFactor"] = 4
			}
		}
		return nil
	})
	for _, fn := range setup {
		fn(app)
	}
	if err := app.Setup(context.Background()); err != nil {
		t.Fatalf("setup: %v", err)
	}
	t.Cleanup(func() { _ = app.Shutdown(context.Background()) })
	return &testApp{t: t, app: app, log: logBuf, lw: lw}
}

// response is a recorded HTTP answer.
type response struct {
	Status int
	Header http.Header
	Raw    string
	Body   any
}

// do sends a request; body may be a string (sent as is) or a value (sent as JSON).
func (a *testApp) do(method, path string, body any, headers ...string) *response {
	a.t.Helper()
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
		ct = "application/json"
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			a.t.Fatal(err)
		}
		rd = bytes.NewReader(buf)
		ct = "application/json"
	}
	var sent []byte
	if rd != nil {
		sent, _ = io.ReadAll(rd)
		rd = bytes.NewReader(sent)
	}
	req := httptest.NewRequest(method, path, rd)
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i] == "RemoteAddr" { // the peer's address, not a header
			req.RemoteAddr = headers[i+1]
			continue
		}
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	a.app.Handler().ServeHTTP(rec, req)
	a.checkOpenAPI(req, sent, rec)
	r := &response{Status: rec.Code, Header: rec.Header(), Raw: rec.Body.String()}
	if r.Raw != "" {
		_ = json.Unmarshal(rec.Body.Bytes(), &r.Body)
	}
	return r
}

// obj returns the body as an object.
func (r *response) obj() map[string]any {
	m, _ := r.Body.(map[string]any)
	return m
}

// list returns the body as an array.
func (r *response) list() []any {
	l, _ := r.Body.([]any)
	return l
}

// errField returns a field of the error envelope.
func (r *response) errField(k string) any {
	e, _ := r.obj()["error"].(map[string]any)
	return e[k]
}

// lockedWriter serialises writes to a buffer shared by concurrent handlers.
type lockedWriter struct {
	w  *bytes.Buffer
	mu sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// builtinMeta is the token metadata of tokens created directly in tests.
func builtinMeta() accounts.TokenMeta {
	return accounts.TokenMeta{ClientAddress: "127.0.0.1", UserAgent: "test"}
}

// staleToken creates an access token for a user whose login is an hour old (past the
// recent-login window) and returns its raw id.
func (a *testApp) staleToken(userID any) string {
	a.t.Helper()
	users, err := a.app.Users("User")
	if err != nil {
		a.t.Fatal(err)
	}
	raw, _, err := users.CreateAccessToken(context.Background(), userID, 0, nil, builtinMeta())
	if err != nil {
		a.t.Fatal(err)
	}
	db := a.app.StoreOf("AccessToken").DB(context.Background())
	if err := db.Exec(`UPDATE "AccessToken" SET "created" = ? WHERE "id" = ?`, time.Now().Add(-time.Hour).UTC(), accounts.Digest(raw)).Error; err != nil {
		a.t.Fatal(err)
	}
	return raw
}
