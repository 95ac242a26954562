package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"
)

// TestReadyAppFlow builds the ready app, starts it on a free port with a fresh database and runs
// the seed tutorial's flow over real HTTP, as README's quick start shows it.
func TestReadyAppFlow(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "loopgo")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		t.Fatalf("build: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	var logs bytes.Buffer
	cmd := exec.Command(bin)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), fmt.Sprintf("PORT=%d", port), "HOST=127.0.0.1",
		"DATABASE_URL=sqlite:"+filepath.Join(dir, "data", "app.db"), "ADMIN_EMAIL=", "ADMIN_PASSWORD=")
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stopped := false
	var exitErr error
	stop := func() {
		if !stopped {
			stopped = true
			_ = cmd.Process.Signal(syscall.SIGTERM)
			exitErr = cmd.Wait()
		}
	}
	t.Cleanup(stop)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	waitFor(t, base)

	call := func(method, path, body string, headers ...string) (int, map[string]any, string) {
		t.Helper()
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		req, _ := http.NewRequest(method, base+path, rd)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var obj map[string]any
		_ = json.Unmarshal(raw, &obj)
		return resp.StatusCode, obj, string(raw)
	}
	creds := `{"email":"ann@example.com","password":"SuperFakePassword"}`
	if st, obj, raw := call("POST", "/api/users", creds); st != 200 || obj["id"] != float64(1) || strings.Contains(raw, "password") {
		t.Fatalf("create user: %d %s", st, raw)
	}
	st, obj, raw := call("POST", "/api/users/login", creds)
	tok, _ := obj["id"].(string)
	if st != 200 || len(tok) != 64 || obj["ttl"] != float64(1209600) || obj["userId"] != float64(1) || obj["created"] == nil {
		t.Fatalf("login: %d %s", st, raw)
	}
	if st, obj, raw := call("GET", "/api/users/1", "", "Authorization", tok); st != 200 || obj["email"] != "ann@example.com" {
		t.Fatalf("get user: %d %s", st, raw)
	}
	if st, _, raw := call("POST", "/api/notes", `{"title":"hi","rating":4}`); st != 401 {
		t.Fatalf("anonymous create: %d %s", st, raw)
	}
	st, obj, raw = call("POST", "/api/notes", `{"title":"hi","rating":4,"ownerId":99}`, "Authorization", tok)
	if st != 200 || obj["ownerId"] != float64(1) {
		t.Fatalf("create note: %d %s", st, raw)
	}
	if st, _, raw := call("GET", `/api/notes?filter={"where":{"rating":{"gte":3}},"order":"title%20DESC","limit":5}`, ""); st != 200 || !strings.Contains(raw, `"title":"hi"`) {
		t.Fatalf("find notes: %d %s", st, raw)
	}
	if st, obj, raw := call("POST", "/api/notes/1/publish", "", "Authorization", tok); st != 200 || obj["published"] != true {
		t.Fatalf("publish: %d %s", st, raw)
	}
	if st, obj, raw := call("GET", "/api/notes/stats", ""); st != 200 || obj["count"] != float64(1) || obj["published"] != float64(1) {
		t.Fatalf("stats: %d %s", st, raw)
	}
	if st, _, raw := call("POST", "/api/users/logout", "", "Authorization", tok); st != 204 || raw != "" {
		t.Fatalf("logout: %d %s", st, raw)
	}
	if st, _, _ := call("GET", "/api/users/1", "", "Authorization", tok); st != 401 {
		t.Fatalf("token alive after logout: %d", st)
	}
	st, obj, raw = call("POST", "/login", creds)
	short, _ := obj["token"].(string)
	if st != 200 || len(short) != 64 || obj["ttl"] != float64(1209600) {
		t.Fatalf("/login: %d %s", st, raw)
	}
	if st, obj, _ := call("POST", "/login", `{"email":"ann@example.com","password":"wrong-password"}`); st != 401 || obj["error"] != "login failed" {
		t.Fatalf("/login wrong password: %d %v", st, obj)
	}
	if st, obj, _ := call("POST", "/logout", ""); st != 400 || obj["error"] != "access token required" {
		t.Fatalf("/logout without token: %d %v", st, obj)
	}
	if st, _, raw := call("POST", "/logout?access_token="+short, ""); st != 204 {
		t.Fatalf("/logout: %d %s", st, raw)
	}
	if st, obj, _ := call("POST", "/logout?access_token="+short, ""); st != 404 || obj["error"] != "logout failed" {
		t.Fatalf("/logout twice: %d %v", st, obj)
	}

	// The audit trail lives in its own database file, and never holds a password.
	db, err := sql.Open("sqlite3", filepath.Join(dir, "data", "audit.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT "action", "outcome" FROM "AuditEvent" ORDER BY "id"`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var a, o string
		if err := rows.Scan(&a, &o); err != nil {
			t.Fatal(err)
		}
		got = append(got, a+":"+o)
	}
	rows.Close()
	want := "login:success,login:failure,logout:failure,logout:success,logout:failure"
	if strings.Join(got, ",") != want {
		t.Fatalf("audit trail %v, want %s", got, want)
	}
	if resp, err := http.Get(base + "/health"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET /health: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	stop() // the log buffer is complete once the process has exited
	if exitErr != nil {
		t.Fatalf("SIGTERM: the app exited with %v, want 0\n%s", exitErr, logs.String())
	}
	for _, secret := range []string{"SuperFakePassword", tok, short, "$2a$", "$2b$"} {
		if strings.Contains(logs.String(), secret) {
			t.Fatalf("the server log contains a secret")
		}
	}
}

func waitFor(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/api/notes")
		if err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("the app did not start listening")
}
