package framework_test

import (
	"strings"
	"testing"

	"github.com/loopgo/loopgo/framework"
)

func TestParseConfig(t *testing.T) {
	t.Setenv("LOOPGO_TEST_DB", "sqlite:/tmp/x.db")
	t.Setenv("PORT", "4100")
	t.Setenv("DATABASE_URL", "")
	cfg, err := framework.ParseConfig([]byte(`
# a comment with ${UNSET_IN_COMMENT} is ignored
port: 3000
restApiRoot: /v1
datasources:
  db: {url: "${LOOPGO_TEST_DB}"}
  other: {url: "${LOOPGO_UNSET:-sqlite:data/other.db}"}
`))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Port != 4100 || cfg.RestAPIRoot != "/v1" || cfg.Datasources["db"].URL != "sqlite:/tmp/x.db" || cfg.Datasources["other"].URL != "sqlite:data/other.db" {
		t.Fatalf("%+v", cfg)
	}
	t.Setenv("DATABASE_URL", "postgres://x")
	cfg, _ = framework.ParseConfig([]byte("port: 1\n"))
	if cfg.Datasources["db"].URL != "postgres://x" {
		t.Fatalf("DATABASE_URL: %+v", cfg.Datasources)
	}
	for src, want := range map[string]string{
		"prot: 3000\n":                       "field prot not found",
		"datasources:\n  db: {url: ${NOPE}}": "NOPE not set",
	} {
		if _, err := framework.ParseConfig([]byte(src)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err %v, want %q", src, err, want)
		}
	}
	t.Setenv("PORT", "eighty")
	if _, err := framework.ParseConfig([]byte("")); err == nil {
		t.Error("bad PORT accepted")
	}
}
