package mail

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

func TestLogMailer(t *testing.T) {
	var buf bytes.Buffer
	m := NewLogMailer(slog.New(slog.NewTextHandler(&buf, nil)))
	msg := Message{
		To:      "ann@example.test",
		Subject: "Confirm your email",
		Text:    "Hello,\n\nopen https://notes.test/confirm?token=abc\n",
		HTML:    "<p>html-only-marker</p>",
	}
	if err := m.Send(context.Background(), msg); err != nil {
		t.Fatalf("Send: %v", err)
	}
	out := buf.String()
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != 1 {
		t.Errorf("logged %d lines, want 1:\n%s", len(lines), out)
	}
	for _, line := range lines {
		if !strings.Contains(line, "level=WARN") || !strings.Contains(line, LogMarker) {
			t.Errorf("line not marked as a WARN development message: %q", line)
		}
	}
	for _, want := range []string{
		"to=ann@example.test",
		`subject="Confirm your email"`,
		`https://notes.test/confirm?token=abc`,
		"has_html=true",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "html-only-marker") {
		t.Errorf("log contains the HTML body:\n%s", out)
	}
}

func TestLogMailerCancelled(t *testing.T) {
	var buf bytes.Buffer
	m := NewLogMailer(slog.New(slog.NewTextHandler(&buf, nil)))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := m.Send(ctx, Message{To: "a@x.test"}); !errors.Is(err, context.Canceled) {
		t.Errorf("Send error = %v, want context.Canceled", err)
	}
	if buf.Len() != 0 {
		t.Errorf("logged after cancellation: %s", buf.String())
	}
}

func TestLogMailerNilLogger(t *testing.T) {
	if NewLogMailer(nil).log == nil {
		t.Fatal("nil logger not replaced by slog.Default")
	}
}
