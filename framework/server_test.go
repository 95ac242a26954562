package framework_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/loopgo/loopgo/framework"
)

// serving is an app served over a real listener by App.Serve.
type serving struct {
	*testApp
	base   string
	addr   string
	cancel context.CancelFunc
	done   chan error
}

// serveApp builds a notes app with mod applied to its config and serves it on a free port.
func serveApp(t *testing.T, mod func(*framework.Config), setup ...func(*framework.App)) *serving {
	t.Helper()
	a := newTestAppCfg(t, fsOf(map[string]string{"note.yaml": noteYAML, "model-config.yaml": modelConfig}), t.TempDir(), mod, setup...)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &serving{testApp: a, base: "http://" + ln.Addr().String(), addr: ln.Addr().String(), cancel: cancel, done: make(chan error, 1)}
	go func() { s.done <- a.app.Serve(ctx, ln) }()
	t.Cleanup(cancel)
	return s
}

// closedWithin reports whether the server closed conn before our own deadline; our deadline
// firing means the server would have held the connection.
func closedWithin(t *testing.T, conn net.Conn, d time.Duration) bool {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(d))
	_, err := io.ReadAll(conn)
	var ne net.Error
	return !(errors.As(err, &ne) && ne.Timeout())
}

func TestSlowClientsAreCut(t *testing.T) {
	s := serveApp(t, func(c *framework.Config) {
		c.Timeouts = framework.Timeouts{ReadHeader: 300 * time.Millisecond, Read: 600 * time.Millisecond, Idle: 300 * time.Millisecond}
	})
	cases := []struct {
		name string
		send string
	}{
		{"headers that never end", "GET /api/notes HTTP/1.1\r\nHost: x\r\n"},
		{"a body that never arrives", "POST /api/notes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"title\":"},
		{"an idle kept-alive connection", "GET /api/notes HTTP/1.1\r\nHost: x\r\n\r\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", s.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if _, err := io.WriteString(conn, tc.send); err != nil {
				t.Fatal(err)
			}
			if !closedWithin(t, conn, 10*time.Second) {
				t.Fatal("the server still held the connection after 10 s")
			}
		})
	}
}

func TestTimeoutsFromYAML(t *testing.T) {
	cfg, err := framework.ParseConfig([]byte("timeouts:\n  read: 45s\n  shutdown: 2m\n  startup: 1500ms\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := framework.Timeouts{Read: 45 * time.Second, Shutdown: 2 * time.Minute, Startup: 1500 * time.Millisecond}
	if cfg.Timeouts != want {
		t.Fatalf("timeouts %+v, want %+v", cfg.Timeouts, want)
	}
	if _, err := framework.ParseConfig([]byte("timeouts:\n  read: soon\n")); err == nil {
		t.Fatal("a duration that is not one was accepted")
	}
}

// silentListener accepts TCP connections and never answers on them, like a database server
// that hangs.
func silentListener(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		<-done
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return ln.Addr().String()
}

// setupWith sets up a notes app on the datasource URL with the given timeouts, under ctx.
func setupWith(ctx context.Context, t *testing.T, dbURL string, timeouts framework.Timeouts) error {
	t.Helper()
	app, err := framework.New(framework.Config{
		Datasources: map[string]framework.Datasource{"db": {URL: dbURL}},
		Timeouts:    timeouts,
		Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := app.LoadModels(fsOf(map[string]string{"note.yaml": noteYAML, "model-config.yaml": modelConfig})); err != nil {
		t.Fatal(err)
	}
	err = app.Setup(ctx)
	_ = app.Shutdown(context.Background())
	return err
}

func TestStartUpNeverHangs(t *testing.T) {
	addr := silentListener(t)
	for _, tc := range []struct{ name, url string }{
		{"postgres", "postgres://loopgo:secret-pw@" + addr + "/test?sslmode=disable"},
		{"mysql", "mysql://loopgo:secret-pw@" + addr + "/test"},
	} {
		t.Run(tc.name+" that never answers: the deadline", func(t *testing.T) {
			start := time.Now()
			err := setupWith(context.Background(), t, tc.url, framework.Timeouts{Startup: time.Second})
			took := time.Since(start)
			if err == nil {
				t.Fatal("start-up succeeded against a silent server")
			}
			msg := err.Error()
			for _, want := range []string{`datasource "db"`, "did not answer before the start-up deadline", "xxxxx"} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not say %q", msg, want)
				}
			}
			if strings.Contains(msg, "secret-pw") {
				t.Errorf("error shows the password: %q", msg)
			}
			// generous: the machines are shared; without the deadline it would hang for good
			if took > 15*time.Second {
				t.Errorf("start-up took %s with a 1 s deadline", took)
			}
		})
		t.Run(tc.name+" that never answers: cancelled (SIGTERM)", func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(300*time.Millisecond, cancel)
			start := time.Now()
			err := setupWith(ctx, t, tc.url, framework.Timeouts{Startup: time.Minute})
			if err == nil || !strings.Contains(err.Error(), "cancelled") {
				t.Fatalf("error %v, want a cancellation", err)
			}
			if took := time.Since(start); took > 15*time.Second {
				t.Errorf("a cancelled start-up took %s", took)
			}
		})
	}
}

func TestHealthCheck(t *testing.T) {
	s := serveApp(t, nil)
	get := func(path string) (int, string) {
		resp, err := http.Get(s.base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(raw)
	}
	if st, body := get("/health"); st != 200 || body != `{"status":"ok"}` {
		t.Fatalf("healthy: %d %s", st, body)
	}
	if st, _ := get("/HEALTH"); st != 200 {
		t.Fatalf("/HEALTH: %d (boot routes fold case)", st)
	}
	// the database stops answering
	if err := s.app.Store("db").Close(); err != nil {
		t.Fatal(err)
	}
	st, body := get("/health")
	if st != 503 || !strings.Contains(body, `"code":"DATASOURCE_UNAVAILABLE"`) || !strings.Contains(body, `"statusCode":503`) {
		t.Fatalf("database closed: %d %s", st, body)
	}
	if strings.Contains(s.logs(), "internal error") {
		t.Fatalf("a failed health check was logged as an internal error:\n%s", s.logs())
	}

	off := serveApp(t, func(c *framework.Config) { c.HealthPath = "off" })
	resp, err := http.Get(off.base + "/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Fatalf("healthPath off: %d", resp.StatusCode)
	}
}

// slowRoute adds GET /slow, answering 200 after d unless the client goes away first, and then
// running a query with the request's context as a handler that does not check it would.
func slowRoute(d time.Duration) func(*framework.App) {
	return func(app *framework.App) {
		app.Boot("slow-route", func(ctx context.Context, app *framework.App) error {
			app.Echo().GET("/slow", func(c echo.Context) error {
				select {
				case <-time.After(d):
				case <-c.Request().Context().Done():
				}
				if _, err := app.Model("Note").Find(c.Request().Context(), nil); err != nil {
					return err
				}
				return framework.WriteJSON(c, 200, map[string]string{"done": "yes"})
			})
			return nil
		})
	}
}

func TestGracefulShutdown(t *testing.T) {
	t.Run("in-flight requests finish within the grace period", func(t *testing.T) {
		s := serveApp(t, func(c *framework.Config) { c.Timeouts.Shutdown = 10 * time.Second }, slowRoute(700*time.Millisecond))
		type answer struct {
			status int
			body   string
			err    error
		}
		got := make(chan answer, 1)
		go func() {
			resp, err := http.Get(s.base + "/slow")
			if err != nil {
				got <- answer{err: err}
				return
			}
			defer resp.Body.Close()
			raw, _ := io.ReadAll(resp.Body)
			got <- answer{status: resp.StatusCode, body: string(raw)}
		}()
		time.Sleep(200 * time.Millisecond) // the request is in flight
		s.cancel()                         // SIGTERM
		a := <-got
		if a.err != nil || a.status != 200 || a.body != `{"done":"yes"}` {
			t.Fatalf("in-flight request: %d %q %v", a.status, a.body, a.err)
		}
		if err := <-s.done; err != nil {
			t.Fatalf("Serve returned %v after a clean shutdown", err)
		}
		if _, err := http.Get(s.base + "/health"); err == nil {
			t.Fatal("still accepting connections after shutdown")
		}
	})
	t.Run("a request longer than the grace period is cut without failing the exit", func(t *testing.T) {
		s := serveApp(t, func(c *framework.Config) { c.Timeouts.Shutdown = 300 * time.Millisecond }, slowRoute(time.Minute))
		got := make(chan error, 1)
		go func() {
			resp, err := http.Get(s.base + "/slow")
			if err == nil {
				resp.Body.Close()
			}
			got <- err
		}()
		time.Sleep(200 * time.Millisecond)
		s.cancel()
		select {
		case err := <-s.done:
			if err != nil {
				t.Fatalf("Serve returned %v when the grace period ended", err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("shutdown did not end after its grace period")
		}
		if err := <-got; err == nil {
			t.Fatal("the cut request got an answer")
		}
		if !strings.Contains(s.logs(), "shutdown grace period over") {
			t.Fatalf("the cut was not logged:\n%s", s.logs())
		}
	})
}

func TestClientAbortsAreNotInternalErrors(t *testing.T) {
	s := serveApp(t, nil, slowRoute(time.Minute))
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", s.base+"/slow", nil)
	time.AfterFunc(200*time.Millisecond, cancel)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("the aborted request got an answer")
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(s.logs(), "status=499") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	logs := s.logs()
	if !strings.Contains(logs, "client aborted the request") || !strings.Contains(logs, "status=499") {
		t.Fatalf("the abort was not logged as one:\n%s", logs)
	}
	if strings.Contains(logs, "internal error") || strings.Contains(logs, "status=500") {
		t.Fatalf("the abort was logged as an internal error:\n%s", logs)
	}
}

func TestRequestLogLevel(t *testing.T) {
	for _, tc := range []struct {
		setting string
		logged  bool
	}{{"", true}, {"info", true}, {"debug", true}, {"off", false}} {
		t.Run("requestLog "+tc.setting, func(t *testing.T) {
			a := newTestAppCfg(t, fsOf(map[string]string{"note.yaml": noteYAML, "model-config.yaml": modelConfig}), t.TempDir(),
				func(c *framework.Config) { c.RequestLog = tc.setting })
			if r := a.do("GET", "/api/notes", nil); r.Status != 200 {
				t.Fatalf("GET /api/notes: %d", r.Status)
			}
			if got := strings.Contains(a.logs(), "msg=request method=GET path=/api/notes status=200"); got != tc.logged {
				t.Fatalf("request line logged: %v, want %v\n%s", got, tc.logged, a.logs())
			}
		})
	}
	if _, err := framework.New(framework.Config{RequestLog: "loud"}); err == nil || !strings.Contains(err.Error(), `requestLog "loud"`) {
		t.Fatalf("a bad requestLog: %v", err)
	}
}
