// Package loopgotest is a test kit for Loopgo apps: a fresh app per test on temporary SQLite
// files, request helpers, a login helper, table-driven HTTP scenarios (status, body fragments,
// JSON values, rows in the database) and a check of the app's OpenAPI document.
//
//	func TestNotes(t *testing.T) {
//		app := loopgotest.NewApp(t, loopgotest.Models(models.FS), loopgotest.Register(models.Register))
//		tok := app.SignUpAndLogin("/api/users", map[string]any{"email": "a@example.com", "password": "SuperFakePassword"})
//		loopgotest.Run(t, app, []loopgotest.Scenario{
//			{Name: "create", Method: "POST", URL: "/api/notes", Body: `{"title":"hi"}`, Token: tok,
//				Status: 200, JSON: map[string]any{"title": "hi", "ownerId": 1},
//				Rows: []loopgotest.Rows{{Model: "Note", Where: map[string]any{"title": "hi"}, Count: 1}}},
//			{Name: "anonymous", Method: "POST", URL: "/api/notes", Body: `{"title":"x"}`, Status: 401},
//		})
//	}
//
// The package imports framework; framework does not import it. See docs/testing.md.
package loopgotest

import (
	"bytes"
	"context"
	"io/fs"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/loopgo/loopgo/framework"
)

// App is a fresh Loopgo app for one test: set up, on temporary SQLite files, shut down by the
// test's cleanup. It embeds the *framework.App, so app.Model("Note") and the rest work on it.
type App struct {
	*framework.App
	t     testing.TB
	dir   string
	logs  *lockedBuffer
	srvMu sync.Mutex
	srv   *httptest.Server
	oas   *exchangeCheck // set by CheckExchanges: every answer is checked against the document
}

// Option changes how NewApp builds an app.
type Option func(*options)

type options struct {
	datasources []string
	fsys        []fs.FS
	register    []func(*framework.App)
	boots       []namedBoot
	config      []func(*framework.Config)
	build       func(databaseURL string) (*framework.App, error)
	bcryptCost  bool
	exchanges   bool
}

type namedBoot struct {
	name string
	fn   framework.BootFunc
}

// Datasources names the datasources NewApp creates, each a SQLite file of its own in the test's
// temporary directory ("db" when not given).
func Datasources(names ...string) Option {
	return func(o *options) { o.datasources = append(o.datasources, names...) }
}

// Models loads the model files (YAML and model-config.yaml) of fsys, e.g. an embed.FS.
func Models(fsys fs.FS) Option { return func(o *options) { o.fsys = append(o.fsys, fsys) } }

// ModelDir loads the model files of a directory.
func ModelDir(dir string) Option { return Models(os.DirFS(dir)) }

// Register calls each fn with the app before Setup: the Go side of models, boot registrations.
func Register(fns ...func(*framework.App)) Option {
	return func(o *options) { o.register = append(o.register, fns...) }
}

// Boot adds a boot function, run by Setup after those the app registered.
func Boot(name string, fn framework.BootFunc) Option {
	return func(o *options) { o.boots = append(o.boots, namedBoot{name, fn}) }
}

// Config changes the configuration before the app is made (not with Constructor).
func Config(fn func(*framework.Config)) Option {
	return func(o *options) { o.config = append(o.config, fn) }
}

// Constructor builds the app with the app's own constructor, given the URL of the temporary
// SQLite file of the "db" datasource, instead of framework.New; other options apply on top.
func Constructor(build func(databaseURL string) (*framework.App, error)) Option {
	return func(o *options) { o.build = build }
}

// DefaultBcryptCost keeps the user models' bcrypt cost: without it, test apps hash passwords at
// bcrypt's minimum cost (4), about 60 times faster than the default (10) under the race detector.
func DefaultBcryptCost() Option { return func(o *options) { o.bcryptCost = true } }

// CheckExchanges checks every answer the app gives through Do (and every request answered 2xx)
// against the app's own OpenAPI document: the test fails where they disagree.
func CheckExchanges() Option { return func(o *options) { o.exchanges = true } }

// NewApp makes, sets up and returns a fresh app for the test; the test's cleanup shuts it down.
// What the app logs is kept (Logs). Any error fails the test at once.
func NewApp(t testing.TB, opts ...Option) *App {
	t.Helper()
	var o options
	for _, fn := range opts {
		fn(&o)
	}
	if len(o.datasources) == 0 {
		o.datasources = []string{"db"}
	}
	a := &App{t: t, dir: t.TempDir(), logs: &lockedBuffer{}}
	logger := slog.New(slog.NewTextHandler(a.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var app *framework.App
	var err error
	if o.build != nil {
		if len(o.config) > 0 {
			t.Fatal("loopgotest: Config cannot change the configuration of an app made by Constructor")
		}
		app, err = o.build(a.DatabaseURL("db"))
	} else {
		cfg := framework.Config{Datasources: map[string]framework.Datasource{}, Logger: logger}
		for _, name := range o.datasources {
			cfg.Datasources[name] = framework.Datasource{URL: a.DatabaseURL(name)}
		}
		for _, fn := range o.config {
			fn(&cfg)
		}
		app, err = framework.New(cfg)
	}
	if err != nil {
		t.Fatalf("loopgotest: new app: %v", err)
	}
	a.App = app
	for _, fsys := range o.fsys {
		if err := app.LoadModels(fsys); err != nil {
			t.Fatalf("loopgotest: load models: %v", err)
		}
	}
	for _, fn := range o.register {
		fn(app)
	}
	if !o.bcryptCost {
		app.Boot("loopgotest-fast-bcrypt", fastBcrypt)
	}
	for _, b := range o.boots {
		app.Boot(b.name, b.fn)
	}
	if err := app.Setup(context.Background()); err != nil {
		t.Fatalf("loopgotest: setup: %v", err)
	}
	t.Cleanup(func() {
		a.srvMu.Lock()
		if a.srv != nil {
			a.srv.Close()
		}
		a.srvMu.Unlock()
		_ = app.Shutdown(context.Background())
	})
	if o.exchanges {
		c, err := newExchangeCheck(app)
		if err != nil {
			t.Fatalf("loopgotest: OpenAPI document: %v", err)
		}
		a.oas = c
	}
	return a
}

// fastBcrypt sets bcrypt's minimum cost on every user model (User or a model extending it).
func fastBcrypt(ctx context.Context, app *framework.App) error {
	for _, m := range app.Registry().Models() {
		if m.IsA("User") {
			m.Settings["saltWorkFactor"] = 4
		}
	}
	return nil
}

// DatabaseURL returns the URL of the temporary SQLite file of the named datasource.
func (a *App) DatabaseURL(name string) string {
	return "sqlite:" + filepath.Join(a.dir, name+".db")
}

// Logs returns what the app logged so far (at debug level and above); safe while it serves.
func (a *App) Logs() string { return a.logs.String() }

// URL starts the app on a local HTTP server (once; closed by the test's cleanup) and returns its
// base URL, for clients that need a real connection. Do does not need it.
func (a *App) URL() string {
	a.srvMu.Lock()
	defer a.srvMu.Unlock()
	if a.srv == nil {
		a.srv = httptest.NewServer(a.Handler())
	}
	return a.srv.URL
}

// lockedBuffer is a buffer written by concurrent handlers.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
