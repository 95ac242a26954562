package scaffold

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// moduleRoot is the framework module's directory (this test's ../..).
func moduleRoot(t *testing.T) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("no caller")
	}
	return filepath.Dir(filepath.Dir(filepath.Dir(file)))
}

// cacheFirst makes go commands work from the module cache: modules the framework was built with are
// found there; a module only the generated project's graph needs (a dependency's old go.mod) is
// fetched through the environment's GOPROXY when the cache lacks it, instead of failing the test.
func cacheFirst(t *testing.T) {
	t.Setenv("GOFLAGS", "-mod=mod -buildvcs=false")
	t.Setenv("GOWORK", "off")
	// the module cache holds what the framework was built with; its checksums came from there
	t.Setenv("GOSUMDB", "off")
}

// goIn runs the go command in dir and fails the test with its output when it fails.
func goIn(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go %s in %s: %v\n%s", strings.Join(args, " "), dir, err, out)
	}
	return string(out)
}

// TestGeneratedProjectBuildsRunsAndPasses writes a project, extends it with every generator
// command, then builds it, runs its own tests and serves it with `make run`, offline, against
// this checkout of the framework.
func TestGeneratedProjectBuildsRunsAndPasses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a generated project")
	}
	cacheFirst(t)
	dir := filepath.Join(t.TempDir(), "notebook")
	var log bytes.Buffer
	code := Execute([]string{"new", dir, "--module", "example.com/notebook", "--framework", moduleRoot(t)}, &log, &log)
	if code != 0 {
		t.Fatalf("new: exit %d\n%s", code, log.String())
	}
	for _, f := range []string{"go.mod", "go.sum", "main.go", "main_test.go", "config.yaml", "Makefile", "README.md", ".gitignore",
		"models/model-config.yaml", "models/todo.yaml", "models/models.go", "boot/boot.go"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("new did not write %s: %v", f, err)
		}
	}
	gomod, _ := os.ReadFile(filepath.Join(dir, "go.mod"))
	if !strings.Contains(string(gomod), "module example.com/notebook") || !strings.Contains(string(gomod), "replace github.com/loopgo/loopgo => "+moduleRoot(t)) {
		t.Fatalf("go.mod:\n%s", gomod)
	}
	readme, _ := os.ReadFile(filepath.Join(dir, "README.md"))
	if !strings.Contains(string(readme), "make run ") || !strings.Contains(string(readme), "make test ") {
		t.Fatalf("README lacks its two commands:\n%s", readme)
	}
	for _, args := range [][]string{
		{"model", "add", "Task", "title:string!", "priority:number", "tags:[string]", "due:date", "--dir", dir},
		{"acl", "add", "Task", "--principal", "$authenticated", "--permission", "ALLOW", "--property", "create", "--dir", dir},
		{"acl", "add", "User", "--principal", "support", "--permission", "ALLOW", "--access", "READ", "--dir", dir},
		{"method", "add", "Task", "prototype.archive", "--http", "post:/archive", "--access", "WRITE", "--dir", dir},
		{"method", "add", "Todo", "stats", "--http", "get:/stats", "--dir", dir},
	} {
		log.Reset()
		if code := Execute(args, &log, &log); code != 0 {
			t.Fatalf("%s: exit %d\n%s", strings.Join(args, " "), code, log.String())
		}
	}
	goIn(t, dir, "vet", "./...")
	goIn(t, dir, "build", "./...")
	if out := goIn(t, dir, "test", "-count=1", "./..."); !strings.Contains(out, "ok  \texample.com/notebook") {
		t.Fatalf("the project's tests did not run:\n%s", out)
	}
	// the project's binary knows the added model and method
	bin := filepath.Join(t.TempDir(), "notebook")
	goIn(t, dir, "build", "-o", bin, ".")
	cmd := exec.Command(bin, "routes", "--database-url", "sqlite:"+filepath.Join(t.TempDir(), "r.db"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("routes: %v\n%s", err, out)
	}
	for _, want := range []string{"POST    /api/tasks/:id/archive", "Task.prototype.archive", "GET     /api/todos/stats", "POST    /api/tasks ",
		"GET     /status"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("routes lacks %q:\n%s", want, out)
		}
	}

	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed: the Makefile is not exercised")
	}
	makeServes(t, dir)
}

// makeServes runs `make run` in dir on a free port and checks that the app answers.
func makeServes(t *testing.T, dir string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	var logs bytes.Buffer
	cmd := exec.Command("make", "run")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), fmt.Sprintf("PORT=%d", port), "HOST=127.0.0.1")
	cmd.Stdout, cmd.Stderr = &logs, &logs
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // make, go run and the app: one group
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	defer func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	}()
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(120 * time.Second)
	for {
		resp, err := http.Get(base + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("/health: %d", resp.StatusCode)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("make run did not serve on %s:\n%s", base, logs.String())
		}
		select {
		case err := <-done:
			t.Fatalf("make run ended (%v):\n%s", err, logs.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
	resp, err := http.Get(base + "/api/todos")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET /api/todos: %d", resp.StatusCode)
	}
	resp, err = http.Post(base+"/api/tasks/1/archive", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("anonymous archive: %d, want 401", resp.StatusCode)
	}
}
