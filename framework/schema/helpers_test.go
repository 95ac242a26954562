package schema

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// yamlText turns a test literal indented with tabs into YAML (tabs are not YAML indentation).
func yamlText(s string) []byte {
	return []byte(strings.ReplaceAll(s, "\t", "  "))
}

// resolveFiles parses name -> source pairs (in order) and resolves them.
func resolveFiles(t *testing.T, files ...string) (*Registry, error) {
	t.Helper()
	r := NewRegistry()
	for i := 0; i+1 < len(files); i += 2 {
		if err := r.ParseFile(files[i], yamlText(files[i+1])); err != nil {
			return r, err
		}
	}
	return r, r.Resolve()
}

// mustResolve is resolveFiles failing the test on error.
func mustResolve(t *testing.T, files ...string) *Registry {
	t.Helper()
	r, err := resolveFiles(t, files...)
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	return r
}

// mustModel returns a resolved model or fails.
func mustModel(t *testing.T, r *Registry, name string) *Model {
	t.Helper()
	m := r.Model(name)
	if m == nil {
		t.Fatalf("model %s not resolved", name)
	}
	return m
}

// asDefErr returns err as a *DefinitionError or fails.
func asDefErr(t *testing.T, err error) *DefinitionError {
	t.Helper()
	var de *DefinitionError
	if !errors.As(err, &de) {
		t.Fatalf("want *DefinitionError, got %T: %v", err, err)
	}
	return de
}

// testdataRegistry loads every testdata/*.yaml file.
func testdataRegistry(t *testing.T) *Registry {
	t.Helper()
	files, err := filepath.Glob("testdata/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	r := NewRegistry()
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.ParseFile("models/"+filepath.Base(f), b); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Resolve(); err != nil {
		t.Fatal(err)
	}
	return r
}
