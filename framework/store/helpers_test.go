package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm/clause"

	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/schema"
)

// Each test runs against SQLite (a temporary file) and, when their URLs are set, PostgreSQL
// and MySQL. Tables get a per-run random suffix and are dropped after the test.

var (
	tableSeq   atomic.Int64
	tablePrefx = fmt.Sprintf("t%04x", rand.IntN(0xffff))
)

type dialectCase struct {
	name string
	env  string // environment variable holding the URL ("" = SQLite temp file)
}

var dialectCases = []dialectCase{
	{name: "sqlite"},
	{name: "postgres", env: "LOOPGO_TEST_POSTGRES_URL"},
	{name: "mysql", env: "LOOPGO_TEST_MYSQL_URL"},
}

// logBuffer collects log output of a store for assertions.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testEnv is one store under test and the tables it created.
type testEnv struct {
	t    *testing.T
	s    *Store
	logs *logBuffer
	ctx  context.Context
}

// eachDialect runs fn as a subtest per dialect, skipping the server dialects whose URL is unset.
func eachDialect(t *testing.T, fn func(e *testEnv)) {
	t.Helper()
	for _, dc := range dialectCases {
		t.Run(dc.name, func(t *testing.T) {
			url := "sqlite:" + filepath.Join(t.TempDir(), "sub", "test.db")
			if dc.env != "" {
				url = os.Getenv(dc.env)
				if url == "" {
					t.Skipf("%s not tested: set %s to run this test against %s", dc.name, dc.env, dc.name)
				}
			}
			fn(openEnv(t, url))
		})
	}
}

// openEnv opens a store whose logs are captured.
func openEnv(t *testing.T, url string) *testEnv {
	t.Helper()
	logs := &logBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	ctx := context.Background()
	s, err := Open(ctx, "test", url, Options{Logger: log})
	if err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return &testEnv{t: t, s: s, logs: logs, ctx: ctx}
}

// uniqueTable returns a table name no other test (or test run) uses.
func uniqueTable(base string) string {
	return fmt.Sprintf("%s_%s_%d", tablePrefx, base, tableSeq.Add(1))
}

// migrate migrates models and drops their tables when the test ends.
func (e *testEnv) migrate(models ...*schema.Model) {
	e.t.Helper()
	for _, m := range models {
		table := tableName(m)
		e.t.Cleanup(func() {
			e.s.db.Exec("DROP TABLE IF EXISTS ?", clause.Table{Name: table})
		})
	}
	if err := e.s.Migrate(e.ctx, models); err != nil {
		e.t.Fatalf("migrate: %v", err)
	}
}

// noteModel is a model with every property type; forceId like LoopBack's idInjection default.
func noteModel() *schema.Model {
	return &schema.Model{
		Name: "Note", Persisted: true, Strict: schema.StrictTrue, ForceID: true, IDInjection: true,
		Table: uniqueTable("notes"),
		Properties: []*schema.Property{
			{Name: "id", Type: schema.Number, ID: true, Generated: true},
			{Name: "title", Type: schema.String, Index: true},
			{Name: "body", Type: schema.String},
			{Name: "rating", Type: schema.Number},
			{Name: "published", Type: schema.Boolean},
			{Name: "created", Type: schema.Date},
			{Name: "tags", Type: schema.Array},
			{Name: "meta", Type: schema.Object},
		},
	}
}

// userModel has uniqueness rules (email with LoopBack's message, username) and a hidden password.
func userModel() *schema.Model {
	return &schema.Model{
		Name: "Account", Persisted: true, Strict: schema.StrictTrue, ForceID: true,
		Table:  uniqueTable("accounts"),
		Hidden: []string{"password"},
		Properties: []*schema.Property{
			{Name: "id", Type: schema.Number, ID: true, Generated: true},
			{Name: "email", Type: schema.String},
			{Name: "username", Type: schema.String, Unique: true},
			{Name: "password", Type: schema.String, Unique: true},
		},
		Validations: []schema.Validation{{Property: "email", Kind: "uniqueness", Message: "Email already exists"}},
	}
}

// mustCreate creates a record or fails the test.
func (e *testEnv) mustCreate(m *schema.Model, data map[string]any) schema.Record {
	e.t.Helper()
	rec, err := e.s.Create(e.ctx, m, data)
	if err != nil {
		e.t.Fatalf("create %v: %v", data, err)
	}
	return rec
}

// wantAPIError checks that err maps to status and message (and code when non-empty).
func wantAPIError(t *testing.T, err error, status int, code, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want error %d %q, got nil", status, msg)
	}
	ae := apierr.From(err)
	if ae.StatusCode != status || ae.Message != msg || ae.Code != code {
		t.Fatalf("want %d %q %q, got %d %q %q (%v)", status, code, msg, ae.StatusCode, ae.Code, ae.Message, err)
	}
}

// wantValidation checks a 422 ValidationError with exactly these codes.
func wantValidation(t *testing.T, err error, codes map[string][]string) *apierr.ValidationError {
	t.Helper()
	var verr *apierr.ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("want ValidationError %v, got %v", codes, err)
	}
	if fmt.Sprint(verr.Codes) != fmt.Sprint(codes) {
		t.Fatalf("want codes %v, got %v (%v)", codes, verr.Codes, verr)
	}
	if ae := apierr.From(err); ae.StatusCode != 422 || ae.Name != "ValidationError" {
		t.Fatalf("want 422 ValidationError, got %d %s", ae.StatusCode, ae.Name)
	}
	return verr
}

// titles returns the title of each record, in order.
func titles(recs []schema.Record) []string {
	out := make([]string, 0, len(recs))
	for _, r := range recs {
		s, _ := r["title"].(string)
		out = append(out, s)
	}
	return out
}

func joined(ss []string) string { return strings.Join(ss, ",") }

// day returns a UTC date at noon on day d of January 2024.
func day(d int) time.Time { return time.Date(2024, 1, d, 12, 0, 0, 0, time.UTC) }

// contextT shortens transaction callbacks in tests.
type contextT = context.Context
