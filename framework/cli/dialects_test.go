package cli_test

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/loopgo/loopgo/framework/cli"
	"github.com/loopgo/loopgo/framework/store"
)

// databases returns an empty database URL per dialect: a SQLite file, and a fresh PostgreSQL
// schema and MySQL database where LOOPGO_TEST_POSTGRES_URL / LOOPGO_TEST_MYSQL_URL are set.
func databases(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{"sqlite": "sqlite:" + filepath.Join(t.TempDir(), "d.db")}
	name := fmt.Sprintf("lg_cli_%d", rand.Uint32())
	admin := func(u string) *store.Store {
		st, err := store.Open(context.Background(), "admin", u, store.Options{Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatalf("open %s: %v", u, err)
		}
		t.Cleanup(func() { _ = st.Close() })
		return st
	}
	if base := os.Getenv("LOOPGO_TEST_POSTGRES_URL"); base != "" {
		st := admin(base)
		if err := st.DB(context.Background()).Exec("CREATE SCHEMA " + name).Error; err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.DB(context.Background()).Exec("DROP SCHEMA " + name + " CASCADE") })
		sep := "?"
		if strings.Contains(base, "?") {
			sep = "&"
		}
		out["postgres"] = base + sep + "search_path=" + name
	}
	if base := os.Getenv("LOOPGO_TEST_MYSQL_URL"); base != "" {
		st := admin(base)
		if err := st.DB(context.Background()).Exec("CREATE DATABASE " + name).Error; err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.DB(context.Background()).Exec("DROP DATABASE " + name) })
		u, err := url.Parse(base)
		if err != nil {
			t.Fatal(err)
		}
		u.Path = "/" + name
		out["mysql"] = u.String()
	}
	return out
}

// TestCommandsOnEveryDialect runs migrate --plan, migrate and users create through
// --database-url on each dialect the machine has.
func TestCommandsOnEveryDialect(t *testing.T) {
	for dialect, dbURL := range databases(t) {
		t.Run(dialect, func(t *testing.T) {
			e := newEnv(t)
			db := []string{"--database-url", dbURL}
			r := e.run("", append([]string{"migrate", "--plan"}, db...)...)
			r.want(t, cli.ExitOK, "datasource db ("+dialect+"):", "would:   create table Doc for model Doc", "would:   create unique index uq_User_email")
			e.run("", append([]string{"migrate"}, db...)...).want(t, cli.ExitOK, "done:    create table Doc", "done:    create unique index uq_User_email")
			e.run("", append([]string{"migrate", "--plan"}, db...)...).want(t, cli.ExitOK, "nothing to do")
			e.doc = docModelV2
			e.run("", append([]string{"migrate", "--plan"}, db...)...).want(t, cli.ExitFailure,
				"would:   add column Doc.subtitle", "REFUSED: Doc.code:", "does not change column types")
			e.doc = docModel
			e.run("Long-Enough-Passphrase\n", append([]string{"users", "create", "--email", "ann@example.com", "--password-stdin", "--role", "admin"}, db...)...).
				want(t, cli.ExitOK, "created User 1 (ann@example.com)", "granted role admin to User 1")
			e.run("", append([]string{"acl", "explain", "--user", "1", "POST", "/api/docs/update"}, db...)...).
				want(t, cli.ExitOK, "ROLE admin ALLOW * Doc.*", "ALLOWED")
			if _, err := os.Stat(e.dbPath); dialect != "sqlite" && err == nil {
				t.Fatal("--database-url was not used: the config's SQLite file exists")
			}
		})
	}
}
