package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"html"
	"net"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loopgo/loopgo/framework/mail/mailtest"
)

// testFrom is the sender every SMTP test uses.
const testFrom = "Loopgo Test <no-reply@example.test>"

// testLink is long enough to be soft-wrapped by quoted-printable and holds characters HTML
// must escape.
const testLink = "https://app.example.test/api/Users/confirm?uid=42&redirect=%2Fwelcome&token=" +
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// newTestSMTP builds a mailer for srv, failing the test on error.
func newTestSMTP(t *testing.T, url string, tlsConf *tls.Config) *SMTP {
	t.Helper()
	m, err := NewSMTP(SMTPConfig{URL: url, From: testFrom, Timeout: 5 * time.Second, TLSConfig: tlsConf})
	if err != nil {
		t.Fatalf("NewSMTP(%q): %v", url, err)
	}
	return m
}

// verifyMessage renders the default verify template to rcpt.
func verifyMessage(t *testing.T, rcpt string) Message {
	t.Helper()
	tpl, err := NewTemplates("")
	if err != nil {
		t.Fatalf("NewTemplates: %v", err)
	}
	r, err := tpl.Render(TemplateVerify, TemplateData{AppName: "Notes", Link: testLink, Email: rcpt, TTL: "2 days"})
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	return r.Message(rcpt)
}

// hrefs returns the unescaped href values of the a elements in an HTML body.
func hrefs(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`<a href="([^"]*)"`).FindAllStringSubmatch(body, -1) {
		out = append(out, html.UnescapeString(m[1]))
	}
	return out
}

func TestSMTPSendDelivers(t *testing.T) {
	const user, pass = "mailer", "p@ss:w/rd?#"
	tests := []struct {
		name     string
		opts     []mailtest.Option
		url      func(srv *mailtest.Server) string
		wantTLS  bool
		wantAuth string
	}{
		{name: "plain no auth", url: (*mailtest.Server).URL},
		{
			name:     "plain with auth",
			opts:     []mailtest.Option{mailtest.WithAuth(user, pass)},
			url:      (*mailtest.Server).URL,
			wantAuth: user,
		},
		{
			name:     "mandatory STARTTLS with auth",
			opts:     []mailtest.Option{mailtest.WithStartTLS(), mailtest.WithAuth(user, pass)},
			url:      (*mailtest.Server).URL,
			wantTLS:  true,
			wantAuth: user,
		},
		{
			name: "opportunistic STARTTLS upgrades when offered",
			opts: []mailtest.Option{mailtest.WithStartTLS()},
			url: func(srv *mailtest.Server) string {
				return "smtp://" + srv.Addr()
			},
			wantTLS: true,
		},
		{
			name: "opportunistic STARTTLS stays plain when not offered",
			url: func(srv *mailtest.Server) string {
				return "smtp://" + srv.Addr()
			},
		},
		{
			name:     "implicit TLS with auth",
			opts:     []mailtest.Option{mailtest.WithImplicitTLS(), mailtest.WithAuth(user, pass)},
			url:      (*mailtest.Server).URL,
			wantTLS:  true,
			wantAuth: user,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := mailtest.Start(t, tc.opts...)
			m := newTestSMTP(t, tc.url(srv), srv.ClientTLSConfig())
			msg := verifyMessage(t, "ann@example.test")
			if err := m.Send(context.Background(), msg); err != nil {
				t.Fatalf("Send: %v", err)
			}
			got := srv.WaitFor(t, 1, 5*time.Second)
			if len(got) != 1 {
				t.Fatalf("received %d messages, want 1", len(got))
			}
			r := got[0]
			if r.Err != nil {
				t.Fatalf("parse received message: %v", r.Err)
			}
			if r.From != "no-reply@example.test" {
				t.Errorf("envelope From = %q, want no-reply@example.test", r.From)
			}
			if len(r.To) != 1 || r.To[0] != "ann@example.test" {
				t.Errorf("envelope To = %q, want [ann@example.test]", r.To)
			}
			if h := r.Header.Get("From"); !strings.Contains(h, "<no-reply@example.test>") || !strings.Contains(h, "Loopgo Test") {
				t.Errorf("From header = %q", h)
			}
			if h := r.Header.Get("To"); !strings.Contains(h, "ann@example.test") {
				t.Errorf("To header = %q", h)
			}
			if r.Header.Get("Message-Id") == "" || r.Header.Get("Date") == "" {
				t.Errorf("missing Message-Id or Date header: %v", r.Header)
			}
			if r.Subject != "Confirm your email address for Notes" {
				t.Errorf("Subject = %q", r.Subject)
			}
			if !strings.Contains(r.Text, "\n"+testLink+"\n") {
				t.Errorf("text body lacks the link on its own line:\n%s", r.Text)
			}
			links := hrefs(r.HTML)
			if len(links) != 2 || links[0] != testLink || links[1] != testLink {
				t.Errorf("HTML hrefs = %q, want the link twice", links)
			}
			if !strings.Contains(r.HTML, "uid=42&amp;redirect") {
				t.Errorf("HTML does not escape & in the link:\n%s", r.HTML)
			}
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "multipart/alternative") {
				t.Errorf("Content-Type = %q, want multipart/alternative", ct)
			}
			if r.TLS != tc.wantTLS {
				t.Errorf("TLS = %v, want %v", r.TLS, tc.wantTLS)
			}
			if r.AuthUser != tc.wantAuth {
				t.Errorf("AuthUser = %q, want %q", r.AuthUser, tc.wantAuth)
			}
		})
	}
}

func TestSMTPSendTextOnly(t *testing.T) {
	srv := mailtest.Start(t)
	m := newTestSMTP(t, srv.URL(), nil)
	msg := Message{To: "bob@example.test", Subject: "Grüße, Bob", Text: "Hello Bob,\nplain only.\n"}
	if err := m.Send(context.Background(), msg); err != nil {
		t.Fatalf("Send: %v", err)
	}
	r := srv.WaitFor(t, 1, 5*time.Second)[0]
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type = %q, want text/plain", ct)
	}
	if r.Subject != msg.Subject {
		t.Errorf("Subject = %q, want %q", r.Subject, msg.Subject)
	}
	if r.Text != msg.Text {
		t.Errorf("Text = %q, want %q", r.Text, msg.Text)
	}
	if r.HTML != "" {
		t.Errorf("HTML = %q, want empty", r.HTML)
	}
}

func TestSMTPSendSubjectInjection(t *testing.T) {
	srv := mailtest.Start(t)
	m := newTestSMTP(t, srv.URL(), nil)
	msg := Message{To: "bob@example.test", Subject: "Hi\r\nBcc: eve@example.test\r\n\r\nbody", Text: "x"}
	if err := m.Send(context.Background(), msg); err != nil {
		t.Fatalf("Send: %v", err)
	}
	r := srv.WaitFor(t, 1, 5*time.Second)[0]
	if r.Subject != "Hi Bcc: eve@example.test body" {
		t.Errorf("Subject = %q, want line breaks folded", r.Subject)
	}
	if len(r.Header["Bcc"]) != 0 || len(r.To) != 1 {
		t.Errorf("injected recipient: Bcc=%q envelope To=%q", r.Header["Bcc"], r.To)
	}
}

func TestSMTPSendErrors(t *testing.T) {
	const pass = "s3cret-pass"
	tests := []struct {
		name    string
		opts    []mailtest.Option
		url     func(srv *mailtest.Server) string
		msg     Message
		wantErr string
	}{
		{
			name:    "wrong password",
			opts:    []mailtest.Option{mailtest.WithAuth("mailer", "other")},
			url:     func(srv *mailtest.Server) string { return "smtp+insecure://mailer:" + pass + "@" + srv.Addr() },
			msg:     Message{To: "a@example.test", Text: "x"},
			wantErr: "AUTH",
		},
		{
			name:    "credentials but server has no AUTH",
			url:     func(srv *mailtest.Server) string { return "smtp+insecure://mailer:" + pass + "@" + srv.Addr() },
			msg:     Message{To: "a@example.test", Text: "x"},
			wantErr: "does not support SMTP AUTH",
		},
		{
			name:    "mandatory STARTTLS not offered",
			url:     func(srv *mailtest.Server) string { return "smtp://" + srv.Addr() + "?tls=mandatory" },
			msg:     Message{To: "a@example.test", Text: "x"},
			wantErr: "STARTTLS",
		},
		{
			name:    "no recipient",
			url:     (*mailtest.Server).URL,
			msg:     Message{Text: "x"},
			wantErr: "no recipient",
		},
		{
			name:    "bad recipient",
			url:     (*mailtest.Server).URL,
			msg:     Message{To: "not an address", Text: "x"},
			wantErr: `recipient "not an address"`,
		},
		{
			name:    "two recipients in one string",
			url:     (*mailtest.Server).URL,
			msg:     Message{To: "a@example.test, b@example.test", Text: "x"},
			wantErr: "recipient",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := mailtest.Start(t, tc.opts...)
			m := newTestSMTP(t, tc.url(srv), nil)
			err := m.Send(context.Background(), tc.msg)
			if err == nil {
				t.Fatal("Send succeeded, want error")
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %q does not contain %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), pass) {
				t.Errorf("error leaks the password: %q", err)
			}
			if n := len(srv.Messages()); n != 0 {
				t.Errorf("server received %d messages, want 0", n)
			}
		})
	}
}

// silentServer accepts connections and never answers, like a hung SMTP server.
func silentServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
		done  = make(chan struct{})
	)
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return ln.Addr().String()
}

func TestSMTPSendHonoursContext(t *testing.T) {
	addr := silentServer(t)
	m, err := NewSMTP(SMTPConfig{URL: "smtp+insecure://" + addr, From: testFrom, Timeout: 30 * time.Second})
	if err != nil {
		t.Fatalf("NewSMTP: %v", err)
	}
	msg := Message{To: "a@example.test", Text: "x"}

	t.Run("deadline while waiting for the greeting", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := m.Send(ctx, msg)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Send error = %v, want context.DeadlineExceeded", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("Send took %s after the context ended", d)
		}
	})
	t.Run("already cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := m.Send(ctx, msg); !errors.Is(err, context.Canceled) {
			t.Fatalf("Send error = %v, want context.Canceled", err)
		}
	})
}

func TestSMTPSendTimeout(t *testing.T) {
	addr := silentServer(t)
	m, err := NewSMTP(SMTPConfig{URL: "smtp+insecure://" + addr, From: testFrom, Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatalf("NewSMTP: %v", err)
	}
	start := time.Now()
	if err := m.Send(context.Background(), Message{To: "a@example.test", Text: "x"}); err == nil {
		t.Fatal("Send to a silent server succeeded")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Send took %s with a 200ms timeout", d)
	}
}

func TestSMTPSendConcurrent(t *testing.T) {
	srv := mailtest.Start(t)
	m := newTestSMTP(t, srv.URL(), nil)
	const n = 6
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			msg := Message{To: "user@example.test", Subject: "n" + string(rune('0'+i)), Text: "x"}
			errs <- m.Send(context.Background(), msg)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("Send: %v", err)
		}
	}
	if got := len(srv.WaitFor(t, n, 5*time.Second)); got != n {
		t.Errorf("received %d messages, want %d", got, n)
	}
}
