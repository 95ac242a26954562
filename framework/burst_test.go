package framework_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/loopgo/loopgo/framework"
	"github.com/loopgo/loopgo/framework/accounts"
	"github.com/loopgo/loopgo/framework/mail"
	"github.com/loopgo/loopgo/framework/mail/mailtest"
	"github.com/loopgo/loopgo/framework/store"
)

// Bursts of concurrent requests against two App instances sharing one database: throttles and
// single-use tokens must hold across them, on SQLite and, where the dialect tests run, on
// PostgreSQL and MySQL. The tests count answers (and bcrypt runs), never time.

// sharedDatabase is an empty database for one test: a temporary SQLite file, a fresh PostgreSQL
// schema or a fresh MySQL database; it is dropped when the test ends.
type sharedDatabase struct {
	name, url string
}

// sharedDatabases returns the databases the burst tests run on; PostgreSQL and MySQL only
// where LOOPGO_TEST_POSTGRES_URL / LOOPGO_TEST_MYSQL_URL are set.
func sharedDatabases(t *testing.T) []sharedDatabase {
	t.Helper()
	out := []sharedDatabase{{"sqlite", "sqlite:" + filepath.Join(t.TempDir(), "shared.db")}}
	suffix := fmt.Sprintf("lg_burst_%d", rand.Uint32())
	if base := os.Getenv("LOOPGO_TEST_POSTGRES_URL"); base != "" {
		admin := openAdmin(t, base)
		if err := admin.DB(context.Background()).Exec("CREATE SCHEMA " + suffix).Error; err != nil {
			t.Fatalf("postgres: create schema: %v", err)
		}
		t.Cleanup(func() { admin.DB(context.Background()).Exec("DROP SCHEMA " + suffix + " CASCADE") })
		out = append(out, sharedDatabase{"postgres", withQuery(base, "search_path", suffix)})
	} else {
		t.Log("PostgreSQL burst tests skipped: LOOPGO_TEST_POSTGRES_URL is not set")
	}
	if base := os.Getenv("LOOPGO_TEST_MYSQL_URL"); base != "" {
		admin := openAdmin(t, base)
		if err := admin.DB(context.Background()).Exec("CREATE DATABASE " + suffix).Error; err != nil {
			t.Fatalf("mysql: create database: %v", err)
		}
		t.Cleanup(func() { admin.DB(context.Background()).Exec("DROP DATABASE " + suffix) })
		u, err := url.Parse(base)
		if err != nil {
			t.Fatal(err)
		}
		u.Path = "/" + suffix
		out = append(out, sharedDatabase{"mysql", u.String()})
	} else {
		t.Log("MySQL burst tests skipped: LOOPGO_TEST_MYSQL_URL is not set")
	}
	return out
}

// openAdmin opens a store on a dialect test database, to create and drop per-test schemas.
func openAdmin(t *testing.T, url string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), "admin", url, store.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// withQuery adds a query parameter to a URL.
func withQuery(raw, k, v string) string {
	sep := "?"
	if strings.Contains(raw, "?") {
		sep = "&"
	}
	return raw + sep + k + "=" + url.QueryEscape(v)
}

const burstModels = `
User: {dataSource: db}
`

// instancePair starts two Apps on one database (set up one after the other) behind real HTTP
// servers and returns their base URLs and the first app.
func instancePair(t *testing.T, dbURL string, setup ...func(*framework.App)) ([2]string, [2]*testApp) {
	t.Helper()
	var urls [2]string
	var apps [2]*testApp
	for i := range apps {
		a := newTestAppCfg(t, fsOf(map[string]string{"model-config.yaml": burstModels}), t.TempDir(),
			func(c *framework.Config) { c.Datasources["db"] = framework.Datasource{URL: dbURL} }, setup...)
		srv := httptest.NewServer(a.app.Handler())
		t.Cleanup(srv.Close)
		urls[i], apps[i] = srv.URL, a
	}
	return urls, apps
}

// post sends a JSON body and returns the status.
func post(t *testing.T, url, body string, headers ...string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Error(err)
		return 0
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return 0
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode
}

// burst runs n requests at once, alternating between the two instances, and counts statuses.
func burst(n int, fn func(i int) int) map[int]int {
	var (
		mu     sync.Mutex
		counts = map[int]int{}
		wg     sync.WaitGroup
		start  = make(chan struct{})
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			s := fn(i)
			mu.Lock()
			counts[s]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	return counts
}

func TestBurstOfWrongPasswordsIsThrottledAcrossInstances(t *testing.T) {
	for _, db := range sharedDatabases(t) {
		t.Run(db.name, func(t *testing.T) {
			urls, apps := instancePair(t, db.url)
			if r := apps[0].do("POST", "/api/users", map[string]any{"email": "ann@example.com", "username": "ann", "password": "SuperFakePassword"}); r.Status != 200 {
				t.Fatalf("sign-up: %d %s", r.Status, r.Raw)
			}
			const limit = 5 // loginThrottle: 5 failures per account and address per 15 minutes
			before := accounts.BcryptRuns()
			counts := burst(30, func(i int) int {
				// email and username name one account: they share its budget
				id := `"email":"ann@example.com"`
				if i%3 == 0 {
					id = `"username":"ann"`
				}
				return post(t, urls[i%2]+"/api/users/login", `{`+id+`,"password":"wrong guess `+fmt.Sprint(i)+`"}`)
			})
			if counts[401] != limit || counts[429] != 30-limit {
				t.Log(internalErrors(apps))
				t.Fatalf("30 concurrent wrong passwords: %v; want %d x 401 and %d x 429", counts, limit, 30-limit)
			}
			if runs := accounts.BcryptRuns() - before; runs != limit {
				t.Fatalf("%d bcrypt comparisons for 30 attempts; want %d", runs, limit)
			}
			// the right password from that address is throttled too (no oracle), on both
			for _, u := range urls {
				if s := post(t, u+"/api/users/login", `{"email":"ann@example.com","password":"SuperFakePassword"}`); s != 429 {
					t.Fatalf("right password after the burst: %d", s)
				}
			}
		})
	}
}

func TestResetTokenIsUsedOnceUnderABurst(t *testing.T) {
	for _, db := range sharedDatabases(t) {
		t.Run(db.name, func(t *testing.T) {
			urls, apps := instancePair(t, db.url)
			if r := apps[0].do("POST", "/api/users", map[string]any{"email": "ann@example.com", "password": "SuperFakePassword"}); r.Status != 200 {
				t.Fatalf("sign-up: %d %s", r.Status, r.Raw)
			}
			users, err := apps[0].app.Users("User")
			if err != nil {
				t.Fatal(err)
			}
			raw, _, err := users.CreateAccessToken(context.Background(), int64(1), 900, []string{accounts.ResetPasswordScope}, builtinMeta())
			if err != nil {
				t.Fatal(err)
			}
			before := accounts.BcryptRuns()
			counts := burst(20, func(i int) int {
				return post(t, urls[i%2]+"/api/users/reset-password", fmt.Sprintf(`{"newPassword":"BrandNewSecret%d"}`, i), "Authorization", raw)
			})
			if counts[204] != 1 || counts[401] != 19 {
				t.Fatalf("20 concurrent uses of one reset token: %v; want one 204 and 19 x 401", counts)
			}
			if runs := accounts.BcryptRuns() - before; runs != 1 {
				t.Fatalf("%d passwords hashed; want 1", runs)
			}
			if n := countRows(t, apps[0], "AccessToken"); n != 0 {
				t.Fatalf("%d access tokens left", n)
			}
		})
	}
}

func TestConcurrentPasswordChangesAreSerialised(t *testing.T) {
	for _, db := range sharedDatabases(t) {
		t.Run(db.name, func(t *testing.T) {
			smtp := mailtest.Start(t)
			m, err := mail.NewSMTP(mail.SMTPConfig{URL: smtp.URL(), From: "noreply@example.com"})
			if err != nil {
				t.Fatal(err)
			}
			urls, apps := instancePair(t, db.url, func(app *framework.App) { app.SetMailer(m) })
			if r := apps[0].do("POST", "/api/users", map[string]any{"email": "ann@example.com", "password": "SuperFakePassword"}); r.Status != 200 {
				t.Fatalf("sign-up: %d %s", r.Status, r.Raw)
			}
			tok := apps[0].do("POST", "/api/users/login", map[string]any{"email": "ann@example.com", "password": "SuperFakePassword"}).obj()["id"].(string)
			counts := burst(10, func(i int) int {
				return post(t, urls[i%2]+"/api/users/change-password", fmt.Sprintf(`{"oldPassword":"SuperFakePassword","newPassword":"ChangedSecret%d"}`, i), "Authorization", tok)
			})
			if counts[204] != 1 || counts[400] != 9 {
				t.Log(internalErrors(apps))
				t.Fatalf("10 concurrent changes with the same current password: %v; want one 204 and 9 x 400", counts)
			}
			// exactly one of the new passwords works
			works := 0
			for i := range 10 {
				// from an address of its own each, under the per-address login limit
				if apps[0].do("POST", "/api/users/login", map[string]any{"email": "ann@example.com", "password": fmt.Sprintf("ChangedSecret%d", i)},
					"RemoteAddr", fmt.Sprintf("192.0.2.%d:1234", i+1)).Status == 200 {
					works++
				}
			}
			if works != 1 {
				t.Fatalf("%d of the new passwords work", works)
			}
			// one notice mail for the one change (the mail is sent after the answer)
			smtp.WaitFor(t, 1, 10*time.Second)
			time.Sleep(300 * time.Millisecond)
			if got := smtp.Messages(); len(got) != 1 || !strings.Contains(got[0].Text, "password of your account was changed") {
				t.Fatalf("%d notice mails after one change: %+v", len(got), got)
			}
		})
	}
}

func TestSignUpBurstIsThrottledAcrossInstances(t *testing.T) {
	for _, db := range sharedDatabases(t) {
		t.Run(db.name, func(t *testing.T) {
			limit := 4
			urls, apps := instancePair(t, db.url, func(app *framework.App) {
				app.Boot("sign-up-limit", func(ctx context.Context, app *framework.App) error {
					app.Registry().Model("User").Settings["registerThrottle"] = map[string]any{"max": float64(limit), "window": float64(3600)}
					return nil
				})
			})
			counts := burst(12, func(i int) int {
				return post(t, urls[i%2]+"/api/users", fmt.Sprintf(`{"email":"u%d@example.com","password":"SuperFakePassword"}`, i))
			})
			if counts[200] != limit || counts[429] != 12-limit {
				t.Log(internalErrors(apps))
				t.Fatalf("12 concurrent sign-ups: %v; want %d x 200", counts, limit)
			}
		})
	}
}

// fsOf is a file system of model files (name -> content).
func fsOf(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, src := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(src)}
	}
	return fsys
}

// internalErrors returns the internal error lines both instances logged.
func internalErrors(apps [2]*testApp) string {
	var out []string
	for _, a := range apps {
		for _, line := range strings.Split(a.log.String(), "\n") {
			if strings.Contains(line, "internal error") {
				out = append(out, line)
			}
		}
	}
	return strings.Join(out, "\n")
}
