// Package scaffold is Loopgo's generator: a new project (loopgo new DIR), models, ACL entries
// and remote methods added to an existing one. Templates are embedded (text/template); every
// YAML file it writes or edits is checked with the model reader before it is written.
package scaffold

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"text/template"
)

//go:embed templates
var templates embed.FS

// frameworkModule is the framework's module path.
const frameworkModule = "github.com/loopgo/loopgo"

// develVersion is the version a project requires when a replace directive names the framework.
const develVersion = "v0.0.0-00010101000000-000000000000"

// NewOptions configure New.
type NewOptions struct {
	Dir    string // the project directory: new, or empty
	Module string // the module path; default the directory's base name
	// Framework is the framework module's source directory, written as a replace directive (so
	// the project builds offline); default FrameworkDir(). "" with a released framework
	// version requires that version instead.
	Framework string
	Tidy      bool      // run go mod tidy in the project afterwards
	Log       io.Writer // progress lines; nil = none
}

// projectData fills the templates of a new project.
type projectData struct {
	Module           string
	Name             string
	GoVersion        string
	FrameworkDir     string
	FrameworkVersion string
}

// modulePathRe is a conservative module path: lower-case letters, digits and . _ ~ - / .
var modulePathRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._~-]*(/[A-Za-z0-9][A-Za-z0-9._~-]*)*$`)

// New writes a new project into opts.Dir and returns the files it wrote (relative to it).
func New(opts NewOptions) ([]string, error) {
	if opts.Dir == "" {
		return nil, errors.New("new: give the project directory")
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, err
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("new: %s exists and is not empty; give a new directory", opts.Dir)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("new: %w", err)
	}
	data := projectData{Module: opts.Module, Name: filepath.Base(dir)}
	if data.Module == "" {
		data.Module = strings.ToLower(data.Name)
	}
	if !modulePathRe.MatchString(data.Module) || strings.Contains(data.Module, "..") {
		return nil, fmt.Errorf("new: %q is not a module path; give --module, e.g. example.com/myapp", data.Module)
	}
	if !regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`).MatchString(data.Name) {
		return nil, fmt.Errorf("new: the directory's name %q cannot name the app's binary; use letters, digits, '.', '_' and '-'", data.Name)
	}
	fw := opts.Framework
	if fw == "" {
		fw = FrameworkDir()
	}
	var goSum []byte
	if fw != "" {
		abs, err := filepath.Abs(fw)
		if err != nil {
			return nil, err
		}
		if err := checkFrameworkDir(abs); err != nil {
			return nil, err
		}
		data.FrameworkDir, data.FrameworkVersion = abs, develVersion
		data.GoVersion = goDirective(filepath.Join(abs, "go.mod"))
		// the project's dependencies are the framework's: its go.sum lets the project build
		// without asking the checksum database (offline, from the module cache)
		if goSum, err = os.ReadFile(filepath.Join(abs, "go.sum")); err != nil {
			return nil, fmt.Errorf("new: read the framework's go.sum: %w", err)
		}
	} else {
		v := releasedVersion()
		if v == "" {
			return nil, errors.New("new: the framework's source directory is not known (this binary was built with -trimpath or from elsewhere); give --framework DIR, the directory of the loopgo module")
		}
		data.FrameworkVersion = v
	}
	if data.GoVersion == "" {
		data.GoVersion = strings.TrimPrefix(runtime.Version(), "go")
	}
	var written []string
	err = fs.WalkDir(templates, "templates/new", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel := strings.TrimSuffix(strings.TrimPrefix(p, "templates/new/"), ".tmpl")
		if rel == "gitignore" {
			rel = ".gitignore"
		}
		out, err := render(p, data)
		if err != nil {
			return err
		}
		if err := writeNew(filepath.Join(dir, filepath.FromSlash(rel)), out); err != nil {
			return err
		}
		written = append(written, rel)
		return nil
	})
	if err != nil {
		return written, fmt.Errorf("new: %w", err)
	}
	if goSum != nil {
		if err := writeNew(filepath.Join(dir, "go.sum"), goSum); err != nil {
			return written, fmt.Errorf("new: %w", err)
		}
		written = append(written, "go.sum")
	}
	if opts.Tidy {
		if opts.Log != nil {
			fmt.Fprintln(opts.Log, "running go mod tidy")
		}
		if err := goModTidy(dir); err != nil {
			return written, fmt.Errorf("new: the project is written, but %w; run go mod tidy in %s", err, opts.Dir)
		}
	}
	return written, nil
}

// render executes one embedded template.
func render(name string, data any) ([]byte, error) {
	src, err := templates.ReadFile(name)
	if err != nil {
		return nil, err
	}
	t, err := template.New(path.Base(name)).Option("missingkey=error").Parse(string(src))
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	return buf.Bytes(), nil
}

// writeNew writes a file that must not exist yet, creating its directory.
func writeNew(file string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// FrameworkDir returns the framework module's source directory when this binary was built from
// a checkout of it (go run or go build without -trimpath), or "" (built with -trimpath, or from
// the module cache: a released version).
func FrameworkDir() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok || !filepath.IsAbs(file) {
		return ""
	}
	dir := filepath.Dir(filepath.Dir(filepath.Dir(file))) // framework/scaffold/scaffold.go
	if strings.Contains(filepath.Base(dir), "@") || checkFrameworkDir(dir) != nil {
		return "" // github.com/loopgo/loopgo@vX in the module cache
	}
	return dir
}

// releasedVersion is the framework's version when this binary was built from a released
// module (go install github.com/loopgo/loopgo/cmd/loopgo@vX), or "".
func releasedVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	if bi.Main.Path == frameworkModule && strings.HasPrefix(bi.Main.Version, "v") && !strings.Contains(bi.Main.Version, "+") {
		return bi.Main.Version
	}
	for _, d := range bi.Deps {
		if d.Path == frameworkModule && strings.HasPrefix(d.Version, "v") && d.Replace == nil {
			return d.Version
		}
	}
	return ""
}

// checkFrameworkDir reports whether dir holds the framework module.
func checkFrameworkDir(dir string) error {
	src, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return fmt.Errorf("--framework %s: not the loopgo module's directory: %w", dir, err)
	}
	for _, line := range strings.Split(string(src), "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "module" && strings.Trim(f[1], `"`) == frameworkModule {
			return nil
		}
	}
	return fmt.Errorf("--framework %s: its go.mod is not module %s", dir, frameworkModule)
}

// goDirective returns the go directive of a go.mod file, or "".
func goDirective(file string) string {
	src, err := os.ReadFile(file)
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(src), "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "go" {
			return f[1]
		}
	}
	return ""
}

// goModTidy runs go mod tidy -e in dir (the go command on PATH): -e, because offline the module
// cache may lack what only the tests of dependencies import (gopkg.in/yaml.v3's own tests, say),
// which the project never builds; what the project does need is proved by building it.
func goModTidy(dir string) error {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return fmt.Errorf("the go command is not on PATH (%v)", err)
	}
	cmd := exec.Command(goBin, "mod", "tidy", "-e")
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go mod tidy failed: %v\n%s", err, strings.TrimSpace(out.String()))
	}
	return nil
}
