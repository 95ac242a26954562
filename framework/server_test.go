package framework_test

import (
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"

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
