package mailtest_test

import (
	"fmt"
	"net/smtp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loopgo/loopgo/framework/mail/mailtest"
)

// crlf turns a readable test message into SMTP line endings.
func crlf(s string) []byte {
	return []byte(strings.ReplaceAll(s, "\n", "\r\n"))
}

// send delivers raw with net/smtp, the standard library's client.
func send(t *testing.T, srv *mailtest.Server, auth smtp.Auth, to []string, raw string) error {
	t.Helper()
	return smtp.SendMail(srv.Addr(), auth, "sender@example.test", to, crlf(raw))
}

func TestReceivedParsing(t *testing.T) {
	tests := []struct {
		name        string
		raw         string
		wantSubject string
		wantText    string
		wantHTML    string
		wantErr     string
	}{
		{
			name:        "bare text",
			raw:         "Subject: Hi\n\nline 1\nline 2\n",
			wantSubject: "Hi",
			wantText:    "line 1\nline 2\n",
		},
		{
			name: "base64 html with encoded subject",
			raw: "Subject: =?UTF-8?B?R3LDvMOfZQ==?=\nContent-Type: text/html; charset=UTF-8\n" +
				"Content-Transfer-Encoding: base64\n\nPHA+SGk8L3A+\n",
			wantSubject: "Grüße",
			wantHTML:    "<p>Hi</p>",
		},
		{
			name: "nested multipart with quoted-printable and an attachment",
			raw: "Subject: Nested\nContent-Type: multipart/mixed; boundary=outer\n\n" +
				"--outer\nContent-Type: multipart/alternative; boundary=inner\n\n" +
				"--inner\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: quoted-printable\n\n" +
				"https://x.test/a?b=3Dc&d=3D=\nlong\n" +
				"--inner\nContent-Type: text/html; charset=UTF-8\nContent-Transfer-Encoding: quoted-printable\n\n" +
				"<a href=3D\"https://x.test/\">x</a>\n" +
				"--inner--\n" +
				"--outer\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\nAAEC\n" +
				"--outer--\n",
			wantSubject: "Nested",
			wantText:    "https://x.test/a?b=c&d=long",
			wantHTML:    `<a href="https://x.test/">x</a>`,
		},
		{
			name:        "malformed content type",
			raw:         "Subject: Bad\nContent-Type: text/plain; charset\n\nx\n",
			wantSubject: "Bad",
			wantErr:     "Content-Type",
		},
		{
			name:        "multipart without boundary",
			raw:         "Subject: Bad\nContent-Type: multipart/alternative\n\nx\n",
			wantSubject: "Bad",
			wantErr:     "without boundary",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := mailtest.Start(t)
			if err := send(t, srv, nil, []string{"rcpt@example.test"}, tc.raw); err != nil {
				t.Fatalf("send: %v", err)
			}
			r := srv.WaitFor(t, 1, 5*time.Second)[0]
			if r.Subject != tc.wantSubject {
				t.Errorf("Subject = %q, want %q", r.Subject, tc.wantSubject)
			}
			if tc.wantErr != "" {
				if r.Err == nil || !strings.Contains(r.Err.Error(), tc.wantErr) {
					t.Errorf("Err = %v, want it to contain %q", r.Err, tc.wantErr)
				}
				return
			}
			if r.Err != nil {
				t.Fatalf("Err = %v", r.Err)
			}
			if r.Text != tc.wantText {
				t.Errorf("Text = %q, want %q", r.Text, tc.wantText)
			}
			if r.HTML != tc.wantHTML {
				t.Errorf("HTML = %q, want %q", r.HTML, tc.wantHTML)
			}
			if string(r.Data) != string(crlf(tc.raw)) {
				t.Errorf("Data = %q, want the raw message", r.Data)
			}
		})
	}
}

func TestEnvelopeAndAuth(t *testing.T) {
	srv := mailtest.Start(t, mailtest.WithAuth("bot", "pw"))
	to := []string{"a@example.test", "b@example.test"}
	if err := send(t, srv, nil, to, "Subject: x\n\nx\n"); err == nil {
		t.Error("send without AUTH succeeded, want it refused")
	}
	if err := send(t, srv, smtp.PlainAuth("", "bot", "wrong", "127.0.0.1"), to, "Subject: x\n\nx\n"); err == nil {
		t.Error("send with a wrong password succeeded")
	}
	if err := send(t, srv, smtp.PlainAuth("", "bot", "pw", "127.0.0.1"), to, "Subject: x\n\nx\n"); err != nil {
		t.Fatalf("send with AUTH: %v", err)
	}
	got := srv.Messages()
	if len(got) != 1 {
		t.Fatalf("received %d messages, want 1", len(got))
	}
	r := got[0]
	if r.From != "sender@example.test" || strings.Join(r.To, ",") != "a@example.test,b@example.test" {
		t.Errorf("envelope = %q -> %q", r.From, r.To)
	}
	if r.AuthUser != "bot" || r.TLS {
		t.Errorf("AuthUser = %q TLS = %v, want bot, false", r.AuthUser, r.TLS)
	}
}

func TestStartTLS(t *testing.T) {
	srv := mailtest.Start(t, mailtest.WithStartTLS())
	c, err := smtp.Dial(srv.Addr())
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer func() { _ = c.Close() }()
	conf := srv.ClientTLSConfig()
	conf.ServerName = "127.0.0.1"
	if err := c.StartTLS(conf); err != nil {
		t.Fatalf("STARTTLS: %v", err)
	}
	if err := c.Mail("s@example.test"); err != nil {
		t.Fatal(err)
	}
	if err := c.Rcpt("r@example.test"); err != nil {
		t.Fatal(err)
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(crlf("Subject: tls\n\nsecret\n")); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if r := srv.WaitFor(t, 1, 5*time.Second)[0]; !r.TLS || r.Text != "secret\n" {
		t.Errorf("TLS = %v Text = %q, want true, secret", r.TLS, r.Text)
	}
}

func TestURL(t *testing.T) {
	tests := []struct {
		name       string
		opts       []mailtest.Option
		wantPrefix string
		wantSuffix string
		wantTLS    bool
	}{
		{"plain", nil, "smtp+insecure://127.0.0.1:", "", false},
		{"auth", []mailtest.Option{mailtest.WithAuth("u", "p@ss")}, "smtp+insecure://u:p%40ss@127.0.0.1:", "", false},
		{"starttls", []mailtest.Option{mailtest.WithStartTLS()}, "smtp://127.0.0.1:", "?tls=mandatory", true},
		{"implicit", []mailtest.Option{mailtest.WithImplicitTLS()}, "smtps://127.0.0.1:", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := mailtest.Start(t, tc.opts...)
			u := srv.URL()
			if !strings.HasPrefix(u, tc.wantPrefix) || !strings.HasSuffix(u, tc.wantSuffix) || !strings.Contains(u, srv.Addr()) {
				t.Errorf("URL = %q, want %s...%s%s", u, tc.wantPrefix, srv.Addr(), tc.wantSuffix)
			}
			if got := srv.ClientTLSConfig() != nil; got != tc.wantTLS {
				t.Errorf("ClientTLSConfig present = %v, want %v", got, tc.wantTLS)
			}
		})
	}
}

func TestWaitForAndReset(t *testing.T) {
	srv := mailtest.Start(t)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		time.Sleep(50 * time.Millisecond)
		for i := range 2 {
			if err := smtp.SendMail(srv.Addr(), nil, "s@example.test", []string{"r@example.test"},
				crlf(fmt.Sprintf("Subject: m%d\n\nx\n", i))); err != nil {
				t.Errorf("send: %v", err)
			}
		}
	}()
	got := srv.WaitFor(t, 2, 5*time.Second)
	wg.Wait()
	if len(got) != 2 || got[0].Subject != "m0" || got[1].Subject != "m1" {
		t.Fatalf("WaitFor = %d messages %v", len(got), got)
	}
	got[0].To[0] = "mutated"
	if srv.Messages()[0].To[0] != "r@example.test" {
		t.Error("Messages shares memory with the caller's copy")
	}
	srv.Reset()
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("after Reset: %d messages", n)
	}
}

// fatalRecorder is a testing.TB whose Fatalf records the message and ends the goroutine.
type fatalRecorder struct {
	testing.TB
	msg string
}

// Helper does nothing.
func (f *fatalRecorder) Helper() {}

// Fatalf records and exits the calling goroutine, as testing.T does.
func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func TestWaitForTimesOut(t *testing.T) {
	srv := mailtest.Start(t)
	rec := &fatalRecorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.WaitFor(rec, 1, 50*time.Millisecond)
	}()
	<-done
	if !strings.Contains(rec.msg, "0 message(s) received after 50ms, want 1") {
		t.Errorf("Fatalf message = %q", rec.msg)
	}
}
