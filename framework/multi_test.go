package framework_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/loopgo/loopgo/boot"
	"github.com/loopgo/loopgo/framework"
	"github.com/loopgo/loopgo/models"
)

// TestInstancesStartTogetherOnAFreshDatabase starts two ready apps at the same moment on one
// empty database, round after round: both must migrate, seed the admin and serve.
func TestInstancesStartTogetherOnAFreshDatabase(t *testing.T) {
	t.Setenv("ADMIN_EMAIL", "admin@example.com")
	t.Setenv("ADMIN_PASSWORD", "AdminPassword1")
	for round := range 3 {
		t.Run(fmt.Sprintf("round %d", round+1), func(t *testing.T) {
			for _, db := range sharedDatabases(t) {
				t.Run(db.name, func(t *testing.T) {
					var (
						apps  [2]*framework.App
						errs  [2]error
						wg    sync.WaitGroup
						start = make(chan struct{})
					)
					for i := range apps {
						app, err := framework.New(framework.Config{
							Datasources: map[string]framework.Datasource{"db": {URL: db.url}, "audit": {URL: db.url}},
							Logger:      quietLogger(),
						})
						if err != nil {
							t.Fatal(err)
						}
						if err := app.LoadModels(models.FS); err != nil {
							t.Fatal(err)
						}
						app.Boot("test-fast-bcrypt", func(ctx context.Context, app *framework.App) error {
							app.Model("User").Definition().Settings["saltWorkFactor"] = 4
							return nil
						})
						models.Register(app)
						boot.Register(app)
						apps[i] = app
						t.Cleanup(func() { _ = app.Shutdown(context.Background()) })
						wg.Add(1)
						go func() {
							defer wg.Done()
							<-start
							errs[i] = app.Setup(context.Background())
						}()
					}
					close(start)
					wg.Wait()
					for i, err := range errs {
						if err != nil {
							t.Fatalf("instance %d: %v", i+1, err)
						}
					}
					for i, app := range apps {
						srv := httptest.NewServer(app.Handler())
						t.Cleanup(srv.Close)
						if s := post(t, srv.URL+"/api/users/login", `{"email":"admin@example.com","password":"AdminPassword1"}`); s != 200 {
							t.Fatalf("instance %d: admin login answered %d", i+1, s)
						}
						if s := post(t, srv.URL+"/api/users", fmt.Sprintf(`{"email":"u%d@example.com","password":"SuperFakePassword"}`, i)); s != 200 {
							t.Fatalf("instance %d: sign-up answered %d", i+1, s)
						}
					}
					for model, want := range map[string]int64{"User": 3, "Role": 1, "RoleMapping": 1} {
						if n, err := apps[0].Model(model).Count(context.Background(), nil); err != nil || n != want {
							t.Errorf("%d %s rows (%v), want %d", n, model, err, want)
						}
					}
				})
			}
		})
	}
}

// quietLogger discards what an app logs.
func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// TestMigrationWithAPoolOfOneConnection starts an app whose pool holds one connection: the
// migration must run on the connection that holds the lock, not wait for a second one.
func TestMigrationWithAPoolOfOneConnection(t *testing.T) {
	for _, db := range sharedDatabases(t) {
		t.Run(db.name, func(t *testing.T) {
			a := newTestAppCfg(t, fsOf(map[string]string{"note.yaml": noteYAML, "model-config.yaml": modelConfig}), t.TempDir(),
				func(c *framework.Config) {
					c.Datasources["db"] = framework.Datasource{URL: db.url, MaxOpenConns: 1}
					c.Timeouts.Startup = 5 * time.Second
				})
			if r := a.do("POST", "/api/notes", map[string]any{"title": "one connection"}); r.Status != 200 {
				t.Fatalf("create: %d %s", r.Status, r.Raw)
			}
		})
	}
}
