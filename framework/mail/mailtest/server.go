// Package mailtest runs a real, in-memory SMTP server on 127.0.0.1 for tests: send mail to
// it with mail.NewSMTP(mail.SMTPConfig{URL: srv.URL(), ...}) and read back what arrived,
// parsed into subject, text and HTML.
package mailtest

import (
	"crypto/tls"
	"io"
	"log"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Option configures Start.
type Option func(*config)

// config is what the options set.
type config struct {
	user, pass  string
	startTLS    bool
	implicitTLS bool
}

// WithAuth makes the server require AUTH PLAIN with user and pass before MAIL FROM; AUTH
// is allowed without TLS. URL then carries the credentials.
func WithAuth(user, pass string) Option {
	return func(c *config) { c.user, c.pass = user, pass }
}

// WithStartTLS makes the server offer STARTTLS with a fresh self-signed certificate; trust it
// through ClientTLSConfig. URL then uses smtp://...?tls=mandatory.
func WithStartTLS() Option {
	return func(c *config) { c.startTLS = true }
}

// WithImplicitTLS makes the server speak TLS from the first byte; trust it through
// ClientTLSConfig. URL then uses smtps://.
func WithImplicitTLS() Option {
	return func(c *config) { c.implicitTLS = true }
}

// Server is a running test SMTP server; it stops when the test that started it ends.
type Server struct {
	cfg       config
	addr      string
	clientTLS *tls.Config

	mu       sync.Mutex
	messages []Received
	changed  chan struct{} // closed and replaced whenever a message arrives
}

// Start runs a server on 127.0.0.1:0 and registers its shutdown with t.Cleanup. It fails
// the test if the server cannot start.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{changed: make(chan struct{})}
	for _, opt := range opts {
		opt(&s.cfg)
	}
	srv := smtp.NewServer(backend{s})
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.MaxMessageBytes = 10 << 20
	srv.MaxRecipients = 100
	srv.ErrorLog = log.New(io.Discard, "", 0)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("mailtest: listen: %v", err)
	}
	s.addr = ln.Addr().String()
	if s.cfg.startTLS || s.cfg.implicitTLS {
		serverTLS, clientTLS, err := selfSignedTLS()
		if err != nil {
			_ = ln.Close()
			t.Fatalf("mailtest: %v", err)
		}
		s.clientTLS = clientTLS
		if s.cfg.implicitTLS {
			ln = tls.NewListener(ln, serverTLS)
		} else {
			srv.TLSConfig = serverTLS
		}
	}
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = srv.Serve(ln)
	}()
	t.Cleanup(func() {
		_ = srv.Close() // closes open connections
		_ = ln.Close()  // in case Serve had not registered ln yet
		<-served
	})
	return s
}

// Addr is the server's host:port.
func (s *Server) Addr() string {
	return s.addr
}

// URL is the server's address as an SMTPConfig URL: smtp+insecure:// by default,
// smtp://...?tls=mandatory with WithStartTLS, smtps:// with WithImplicitTLS, with the
// WithAuth credentials (percent-encoded) when set.
func (s *Server) URL() string {
	u := url.URL{Scheme: "smtp+insecure", Host: s.addr}
	switch {
	case s.cfg.implicitTLS:
		u.Scheme = "smtps"
	case s.cfg.startTLS:
		u.Scheme = "smtp"
		u.RawQuery = "tls=mandatory"
	}
	if s.cfg.user != "" {
		u.User = url.UserPassword(s.cfg.user, s.cfg.pass)
	}
	return u.String()
}

// ClientTLSConfig returns a client TLS config trusting the server's self-signed certificate
// (for SMTPConfig.TLSConfig), or nil when the server has no TLS.
func (s *Server) ClientTLSConfig() *tls.Config {
	if s.clientTLS == nil {
		return nil
	}
	return s.clientTLS.Clone()
}

// Messages returns a copy of the messages received so far, oldest first.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return cloneAll(s.messages)
}

// Reset forgets the messages received so far.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages = nil
}

// WaitFor waits until at least n messages have arrived and returns them all; it fails the
// test (t.Fatalf) when they have not after timeout. Call it from the test's goroutine.
func (s *Server) WaitFor(t testing.TB, n int, timeout time.Duration) []Received {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		if len(s.messages) >= n {
			msgs := cloneAll(s.messages)
			s.mu.Unlock()
			return msgs
		}
		got, changed := len(s.messages), s.changed
		s.mu.Unlock()
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("mailtest: %d message(s) received after %s, want %d", got, timeout, n)
			return nil
		}
	}
}

// add stores one received message and wakes WaitFor.
func (s *Server) add(r Received) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages = append(s.messages, r)
	close(s.changed)
	s.changed = make(chan struct{})
}

// cloneAll deep-copies messages so callers cannot race with the server.
func cloneAll(msgs []Received) []Received {
	out := make([]Received, len(msgs))
	for i, m := range msgs {
		out[i] = m.clone()
	}
	return out
}
