package mail

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseSMTPURL(t *testing.T) {
	tests := []struct {
		url  string
		want endpoint
	}{
		{"smtp://mail.example.com", endpoint{host: "mail.example.com", port: 587, mode: tlsOpportunistic}},
		{"SMTP://mail.example.com:2525", endpoint{host: "mail.example.com", port: 2525, mode: tlsOpportunistic}},
		{"smtp://u:p@mail.example.com:587/", endpoint{host: "mail.example.com", port: 587, mode: tlsOpportunistic, user: "u", pass: "p"}},
		{"smtp://mail.example.com?tls=mandatory", endpoint{host: "mail.example.com", port: 587, mode: tlsMandatory}},
		{"smtp://mail.example.com?tls=STARTTLS", endpoint{host: "mail.example.com", port: 587, mode: tlsMandatory}},
		{"smtp://mail.example.com?tls=opportunistic", endpoint{host: "mail.example.com", port: 587, mode: tlsOpportunistic}},
		{"smtp://localhost:1025?tls=none", endpoint{host: "localhost", port: 1025, mode: tlsNone}},
		{"smtps://apikey:s%2Fe%40c%3Ar%23et@smtp.example.com", endpoint{host: "smtp.example.com", port: 465, mode: tlsImplicit, user: "apikey", pass: "s/e@c:r#et"}},
		{"smtp+insecure://127.0.0.1", endpoint{host: "127.0.0.1", port: 25, mode: tlsNone}},
		{"smtp+insecure://[::1]:2525", endpoint{host: "::1", port: 2525, mode: tlsNone}},
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			got, err := parseSMTPURL(tc.url)
			if err != nil {
				t.Fatalf("parseSMTPURL: %v", err)
			}
			got.redacted = ""
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestParseSMTPURLAddr(t *testing.T) {
	ep, err := parseSMTPURL("smtp+insecure://[::1]:2525")
	if err != nil {
		t.Fatal(err)
	}
	if ep.addr() != "[::1]:2525" {
		t.Errorf("addr = %q, want [::1]:2525", ep.addr())
	}
}

func TestParseSMTPURLErrors(t *testing.T) {
	const secret = "hunter2pw"
	tests := []struct {
		url     string
		wantErr string
	}{
		{"", "empty"},
		{"   ", "empty"},
		{"mail.example.com:25", "must look like smtp://host:port"},
		{"//mail.example.com", "missing scheme"},
		{"http://u:" + secret + "@mail.example.com", `unsupported scheme "http"`},
		{"smtp://u:" + secret + "@", "missing host"},
		{"smtp://u:" + secret + "@mail.example.com:0", "port out of range"},
		{"smtp://u:" + secret + "@mail.example.com:70000", "port out of range"},
		{"smtp://u:" + secret + "@mail.example.com:", "empty port"},
		{"smtp://u:" + secret + "@mail.example.com:x25", "invalid port"},
		{"smtp://u:" + secret + "/x@mail.example.com", "invalid port"},
		{"smtp://u:" + secret + "%zz@mail.example.com", "invalid percent-escape"},
		{"smtp://u:" + secret + "@mail.example.com/inbox", "unexpected path"},
		{"smtp://u:" + secret + "@mail.example.com#frag", "unexpected fragment"},
		{"smtp://u:" + secret + "@mail.example.com?tls=maybe", "unknown tls value"},
		{"smtp://u:" + secret + "@mail.example.com?tls=none&tls=mandatory", "tls given 2 times"},
		{"smtp://u:" + secret + "@mail.example.com?auth=plain", "unknown query parameter"},
		{"smtps://u:" + secret + "@mail.example.com?tls=none", "only allowed with smtp://"},
		{"smtp+insecure://u:" + secret + "@mail.example.com?tls=mandatory", "only allowed with smtp://"},
		{"smtp://" + secret + "@mail.example.com", "user name given without a password"},
		{"smtp://:" + secret + "@mail.example.com", "password given without a user name"},
		{"smtp://u:@mail.example.com", "user name given without a password"},
		{"smtp://@mail.example.com", "empty user info"},
		{"smtp://u:" + secret + "@mail.example.com\n", "invalid control character"},
		{"smtp://u:" + secret + "@mail ex.com", "invalid character in host"},
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			_, err := parseSMTPURL(tc.url)
			if err == nil {
				t.Fatal("parseSMTPURL succeeded, want error")
			}
			if !errors.Is(err, ErrInvalidConfig) {
				t.Errorf("error %v does not wrap ErrInvalidConfig", err)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %q does not contain %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error leaks the password: %q", err)
			}
		})
	}
}

func TestNewSMTPConfigErrors(t *testing.T) {
	tests := []struct {
		name    string
		cfg     SMTPConfig
		wantErr string
	}{
		{"no URL", SMTPConfig{From: "a@example.test"}, "SMTP URL: empty"},
		{"no From", SMTPConfig{URL: "smtp://mail.example.com"}, "From is empty"},
		{"bad From", SMTPConfig{URL: "smtp://mail.example.com", From: "not an address"}, `From "not an address"`},
		{"negative timeout", SMTPConfig{URL: "smtp://mail.example.com", From: "a@example.test", Timeout: -time.Second}, "Timeout -1s is negative"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewSMTP(tc.cfg)
			if !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("NewSMTP error = %v, want ErrInvalidConfig", err)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %q does not contain %q", err, tc.wantErr)
			}
		})
	}
}

func TestNewSMTPDefaultsAndString(t *testing.T) {
	m, err := NewSMTP(SMTPConfig{URL: "smtps://user:topsecret@mail.example.com", From: "Acme <no-reply@acme.test>"})
	if err != nil {
		t.Fatalf("NewSMTP: %v", err)
	}
	if m.timeout != DefaultSMTPTimeout {
		t.Errorf("timeout = %s, want %s", m.timeout, DefaultSMTPTimeout)
	}
	if m.tlsConf.ServerName != "mail.example.com" {
		t.Errorf("TLS ServerName = %q, want mail.example.com", m.tlsConf.ServerName)
	}
	if m.from.Address != "no-reply@acme.test" || m.from.Name != "Acme" {
		t.Errorf("from = %+v", m.from)
	}
	s := m.String()
	if strings.Contains(s, "topsecret") {
		t.Errorf("String leaks the password: %q", s)
	}
	if !strings.Contains(s, "mail.example.com") || !strings.Contains(s, "implicit") {
		t.Errorf("String = %q, want host and tls mode", s)
	}
}
