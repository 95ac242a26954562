package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenAPICommand(t *testing.T) {
	e := newEnv(t)
	r := e.run("", "openapi")
	r.want(t, 0, `"openapi"`)
	var doc struct {
		OpenAPI string         `json:"openapi"`
		Paths   map[string]any `json:"paths"`
	}
	if err := json.Unmarshal([]byte(r.out), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, r.out)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") || len(doc.Paths) == 0 {
		t.Fatalf("openapi %q with %d paths", doc.OpenAPI, len(doc.Paths))
	}
	if _, err := os.Stat(e.dbPath); !os.IsNotExist(err) {
		t.Fatalf("the document touched the database file: %v", err)
	}
	file := filepath.Join(e.dir, "api.yaml")
	e.run("", "openapi", file).want(t, 0)
	raw, err := os.ReadFile(file)
	if err != nil || !strings.HasPrefix(string(raw), "openapi: 3.1") {
		t.Fatalf("YAML file: %v %.60q", err, raw)
	}
	e.run("", "openapi", "a.json", "b.json").wantErr(t, 2, "one file at most")
}
