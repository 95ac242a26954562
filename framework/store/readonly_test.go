package store

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// nobody is the unprivileged account the test runs itself as when it runs as root, who may
// write any file whatever its mode.
const nobody = 65534

func TestSQLiteThatCannotBeWrittenIsRefused(t *testing.T) {
	if os.Geteuid() == 0 {
		runAsNobody(t, "TestSQLiteThatCannotBeWrittenIsRefused")
		return
	}
	dir := filepath.Join(t.TempDir(), "data")
	file := filepath.Join(dir, "app.db")
	open := func() error {
		st, err := Open(context.Background(), "db", "sqlite:"+file, Options{})
		if err == nil {
			_ = st.Close()
		}
		return err
	}
	if err := open(); err != nil {
		t.Fatalf("a writable database: %v", err)
	}
	if err := os.Chmod(file, 0o444); err != nil {
		t.Fatal(err)
	}
	err := open()
	if err == nil || !strings.Contains(err.Error(), "cannot be written by this process (permission denied)") {
		t.Fatalf("a read-only file: %v", err)
	}
	if err := os.Chmod(file, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(dir, 0o755) })
	err = open()
	if err == nil || !strings.Contains(err.Error(), "cannot write in the directory") || !strings.Contains(err.Error(), "permission denied") {
		t.Fatalf("a read-only directory: %v", err)
	}
}

// runAsNobody runs the named test of this test binary again as the unprivileged user, and
// fails when it fails there; it skips, saying why, where that cannot be done.
func runAsNobody(t *testing.T, test string) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Skipf("running as root, and the test binary is not found to run as an unprivileged user: %v", err)
	}
	dir, err := os.MkdirTemp("", "loopgo-nobody-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "store.test")
	if err := copyFile(self, bin, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-test.run=^"+test+"$", "-test.v", "-test.count=1")
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "TMPDIR=" + os.TempDir(), "HOME=" + dir}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	out, err := cmd.CombinedOutput()
	if err != nil && !strings.Contains(string(out), "--- FAIL") {
		t.Skipf("running as root, and running the test as uid %d failed: %v\n%s", nobody, err, out)
	}
	if err != nil || !strings.Contains(string(out), "--- PASS: "+test) {
		t.Fatalf("as uid %d: %v\n%s", nobody, err, out)
	}
	t.Logf("ran as uid %d (root may write a read-only file):\n%s", nobody, out)
}

// copyFile copies src to dst with the given mode.
func copyFile(src, dst string, mode os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		_ = out.Close()
		return err
	}
	return out.Close()
}
