package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loopgo/loopgo/framework/cli"
)

// TestReadyAppCommandLine runs the ready app's own command line in-process on fresh databases:
// the plan names its models' tables, and routes lists the boot routes beside the REST API.
func TestReadyAppCommandLine(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("AUDIT_DATABASE_URL", "sqlite:"+filepath.Join(dir, "audit.db"))
	t.Setenv("ADMIN_EMAIL", "")
	db := "sqlite:" + filepath.Join(dir, "app.db")
	run := func(args ...string) (int, string) {
		var out, errs bytes.Buffer
		a := app
		a.Stdin, a.Stdout, a.Stderr = strings.NewReader("Long-Enough-Passphrase\n"), &out, &errs
		code := cli.Execute(context.Background(), a, append(args, "--database-url", db))
		return code, out.String() + errs.String()
	}
	if code, out := run("migrate", "--plan"); code != 0 || !strings.Contains(out, "datasource audit (sqlite):") ||
		!strings.Contains(out, "would:   create table Note for model Note") || !strings.Contains(out, "would:   create table AuditEvent") {
		t.Fatalf("migrate --plan: %d\n%s", code, out)
	}
	if code, out := run("users", "create", "--email", "admin@example.com", "--password-stdin", "--role", "admin"); code != 0 || !strings.Contains(out, "created User 1 (admin@example.com)") {
		t.Fatalf("users create: %d\n%s", code, out)
	}
	code, out := run("routes")
	for _, want := range []string{"POST    /api/notes/:id/publish", "Note.prototype.publish", "$owner, admin", "POST    /login", "GET     /health"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Fatalf("routes: %d, lacks %q\n%s", code, want, out)
		}
	}
	if code, out := run("acl", "explain", "--user", "1", "POST", "/api/notes/update"); code != 0 || !strings.Contains(out, "ALLOWED") {
		t.Fatalf("acl explain: %d\n%s", code, out)
	}
}

// TestPasswordPrompt runs users create on a terminal (a pseudo-terminal from script(1)): the
// password is asked twice, without echo, and never printed.
func TestPasswordPrompt(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	scriptBin, err := exec.LookPath("script")
	if err != nil {
		t.Skip("script(1) is not installed: no pseudo-terminal to prompt on")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "loopgo")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	const pw = "Prompted-Long-Passphrase"
	cmd := exec.Command(scriptBin, "-qec", bin+" users create --email prompt@example.com --database-url sqlite:"+filepath.Join(dir, "app.db"), "/dev/null")
	cmd.Env = append(os.Environ(), "AUDIT_DATABASE_URL=sqlite:"+filepath.Join(dir, "audit.db"), "ADMIN_EMAIL=")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var out lockedOutput
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	answer := func(prompt string) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); !strings.Contains(out.String(), prompt); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("no %q prompt:\n%s", prompt, out.String())
			}
		}
		time.Sleep(200 * time.Millisecond) // the prompt is written just before echo is turned off
		if _, err := io.WriteString(stdin, pw+"\r"); err != nil {
			t.Fatal(err)
		}
	}
	answer("Password: ")
	answer("Repeat the password: ")
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("users create: %v\n%s", err, out.String())
		}
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("users create did not end:\n%s", out.String())
	}
	if got := out.String(); !strings.Contains(got, "created User 1 (prompt@example.com)") || strings.Contains(got, pw) {
		t.Fatalf("output (the password must not appear):\n%s", got)
	}
}

// lockedOutput collects a process's output for a reader in another goroutine.
type lockedOutput struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedOutput) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedOutput) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
