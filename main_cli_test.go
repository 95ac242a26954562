package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

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
