package store

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/loopgo/loopgo/framework/filter"
	"github.com/loopgo/loopgo/framework/schema"
)

func TestMySQLDSN(t *testing.T) {
	tests := []struct {
		url, want, err string
	}{
		{"mysql://root@127.0.0.1:3306/test",
			"root@tcp(127.0.0.1:3306)/test?charset=utf8mb4&clientFoundRows=true&loc=UTC&multiStatements=false&parseTime=true", ""},
		{"mysql://u:p%40ss@db/app?tls=true",
			"u:p@ss@tcp(db:3306)/app?charset=utf8mb4&clientFoundRows=true&loc=UTC&multiStatements=false&parseTime=true&tls=true", ""},
		{"mysql://db:3307/app?parseTime=false",
			"tcp(db:3307)/app?charset=utf8mb4&clientFoundRows=true&loc=UTC&multiStatements=false&parseTime=false", ""},
		{"mysql://root@db:3306/", "", "must name one database"},
		{"mysql:///app", "", "no host"},
	}
	for _, tc := range tests {
		got, err := mysqlDSN(tc.url)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: err %v, want %q", tc.url, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s:\n got %s, %v\nwant %s", tc.url, got, err, tc.want)
		}
	}
}

func TestSQLiteDSN(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	dsn, memory, err := sqliteDSN(filepath.Join(dir, "app.db"))
	if err != nil || memory {
		t.Fatal(err)
	}
	for _, p := range []string{"_journal_mode=WAL", "_busy_timeout=10000", "_foreign_keys=on", "_txlock=immediate"} {
		if !strings.Contains(dsn, p) {
			t.Errorf("dsn %s lacks %s", dsn, p)
		}
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		t.Errorf("parent directory not created: %v", err)
	}
	m1, memory, _ := sqliteDSN(":memory:")
	m2, _, _ := sqliteDSN(":memory:")
	if !memory || m1 == m2 || !strings.Contains(m1, "mode=memory") {
		t.Errorf("memory DSNs %q %q", m1, m2)
	}
	for _, bad := range []string{"", "a?b.db", "x#y"} {
		if _, _, err := sqliteDSN(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, err := Open(context.Background(), "x", "oracle://db", Options{}); err == nil || !strings.Contains(err.Error(), "unsupported datasource URL") {
		t.Errorf("unknown scheme: %v", err)
	}
}

func TestSeparateMemoryStoresDoNotShareTables(t *testing.T) {
	a, b := openEnv(t, "sqlite::memory:"), openEnv(t, "sqlite::memory:")
	m := noteModel()
	a.migrate(m)
	if ok, _ := b.s.dl.hasTable(b.ctx, b.s.db, tableName(m)); ok {
		t.Fatal("second in-memory store sees the first one's table")
	}
	if a.s.Dialect() != "sqlite" || a.s.Name() != "test" {
		t.Fatalf("dialect %q name %q", a.s.Dialect(), a.s.Name())
	}
}

func TestPatternConversion(t *testing.T) {
	tests := []struct{ like, glob, re string }{
		{"abc", "abc", "(?s)^abc$"},
		{"a%b_c", "a*b?c", "(?s)^a.*b.c$"},
		{`a\%b\_c\\`, `a%b_c\`, `(?s)^a%b_c\\$`},
		{"*?[x]", "[*][?][[]x]", `(?s)^\*\?\[x\]$`},
		{`end\`, `end\`, `(?s)^end\\$`},
		{"é.%", "é.*", `(?s)^é\..*$`},
	}
	for _, tc := range tests {
		if got := likeToGlob(tc.like); got != tc.glob {
			t.Errorf("glob(%q) = %q, want %q", tc.like, got, tc.glob)
		}
		if got := likeToRegexp(tc.like, false); got != tc.re {
			t.Errorf("regexp(%q) = %q, want %q", tc.like, got, tc.re)
		}
	}
	if got := likeToRegexp("a", true); got != "(?s)(?i)^a$" {
		t.Errorf("case-insensitive: %q", got)
	}
	for flags, want := range map[string]string{"": "", "g": "", "i": "(?i)", "gim": "(?im)", "m": "(?m)"} {
		if got := inlineFlags(flags); got != want {
			t.Errorf("inlineFlags(%q) = %q, want %q", flags, got, want)
		}
	}
}

func TestIndexName(t *testing.T) {
	if got := indexName("uq", "users", "email"); got != "uq_users_email" {
		t.Fatalf("short name %q", got)
	}
	long1 := indexName("idx", strings.Repeat("t", 40), strings.Repeat("c", 40)+"1")
	long2 := indexName("idx", strings.Repeat("t", 40), strings.Repeat("c", 40)+"2")
	if len(long1) > maxIdentLen || long1 == long2 || long1 != indexName("idx", strings.Repeat("t", 40), strings.Repeat("c", 40)+"1") {
		t.Fatalf("long names %q %q", long1, long2)
	}
}

func TestTypeFamilies(t *testing.T) {
	tests := []struct {
		d    sqlDialect
		typ  string
		want string
	}{
		{sqliteDialect{}, "INTEGER PRIMARY KEY AUTOINCREMENT", famInt},
		{sqliteDialect{}, "TEXT", famText},
		{sqliteDialect{}, "VARCHAR(255)", famText},
		{sqliteDialect{}, "REAL", famReal},
		{sqliteDialect{}, "DATETIME", famTime},
		{sqliteDialect{}, "JSONTEXT", famJSON},
		{postgresDialect{}, "timestamp with time zone", famTime},
		{postgresDialect{}, "TIMESTAMPTZ", famTime},
		{postgresDialect{}, "double precision", famReal},
		{postgresDialect{}, "character varying", famText},
		{postgresDialect{}, `TEXT COLLATE "C"`, famText},
		{postgresDialect{}, "jsonb", famJSON},
		{postgresDialect{}, "boolean", famBool},
		{postgresDialect{}, "bigint", famInt},
		{mysqlDialect{}, "tinyint(1)", famBool},
		{mysqlDialect{}, "TINYINT(1)", famBool},
		{mysqlDialect{}, "bigint(20)", famInt},
		{mysqlDialect{}, "longtext", famJSON},
		{mysqlDialect{}, "text", famText},
		{mysqlDialect{}, "varchar(255)", famText},
		{mysqlDialect{}, "datetime(3)", famTime},
		{mysqlDialect{}, "double", famReal},
		{mysqlDialect{}, "blob", famOther},
	}
	for _, tc := range tests {
		if got := tc.d.family(tc.typ); got != tc.want {
			t.Errorf("%T.family(%q) = %s, want %s", tc.d, tc.typ, got, tc.want)
		}
	}
	// Every column type a dialect creates is recognised as the family of its property type.
	for _, d := range []sqlDialect{sqliteDialect{}, postgresDialect{}, mysqlDialect{}} {
		for _, typ := range []schema.Type{schema.String, schema.Number, schema.Boolean, schema.Date, schema.Object, schema.Array, schema.Any, schema.GeoPoint} {
			for _, indexed := range []bool{false, true} {
				if f := d.family(d.columnType(&schema.Property{Type: typ}, indexed)); f == famOther {
					t.Errorf("%T: column type for %s not classified", d, typ)
				}
			}
		}
	}
}

func TestValueConversion(t *testing.T) {
	s := &Store{dl: sqliteDialect{}}
	id := &schema.Property{Name: "id", Type: schema.Number, ID: true, Generated: true}
	num := &schema.Property{Name: "n", Type: schema.Number}
	str := &schema.Property{Name: "s", Type: schema.String}
	boo := &schema.Property{Name: "b", Type: schema.Boolean}
	date := &schema.Property{Name: "d", Type: schema.Date}
	obj := &schema.Property{Name: "o", Type: schema.Object}
	anyp := &schema.Property{Name: "a", Type: schema.Any}
	when := time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC)

	toDBCases := []struct {
		p    *schema.Property
		in   any
		want any
		err  bool
	}{
		{id, 5.0, int64(5), false},
		{id, "7", int64(7), false},
		{id, 2.5, 2.5, false},
		{id, "x", nil, true},
		{num, int64(3), 3.0, false},
		{num, "x", nil, true},
		{str, "a", "a", false},
		{str, 1.5, "1.5", false},
		{str, map[string]any{}, nil, true},
		{boo, true, true, false},
		{boo, "true", nil, true},
		{date, when, "2024-05-06T07:08:09.123Z", false},
		{date, "2024-05-06T07:08:09.123Z", "2024-05-06T07:08:09.123Z", false},
		{date, 5.0, nil, true},
		{obj, map[string]any{"b": 1.0, "a": []any{true}}, `{"a":[true],"b":1}`, false},
		{anyp, "text", `"text"`, false},
		{num, nil, nil, false},
	}
	for _, tc := range toDBCases {
		got, err := s.toDB(tc.p, tc.in)
		if (err != nil) != tc.err || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("toDB(%s, %#v) = %#v, %v; want %#v (err %v)", tc.p.Name, tc.in, got, err, tc.want, tc.err)
		}
	}

	fromDBCases := []struct {
		p    *schema.Property
		raw  any
		want any
	}{
		{id, int64(4), int64(4)},
		{id, []byte("4"), int64(4)},
		{&schema.Property{Name: "code", Type: schema.Number, ID: true}, int64(4), 4.0},
		{num, []byte("2.5"), 2.5},
		{num, int64(2), 2.0},
		{str, []byte("x"), "x"},
		{boo, int64(1), true},
		{boo, []byte("0"), false},
		{boo, true, true},
		{date, "2024-05-06T07:08:09.123Z", time.Date(2024, 5, 6, 7, 8, 9, 123000000, time.UTC)},
		{date, when.In(time.FixedZone("X", 7200)), time.Date(2024, 5, 6, 7, 8, 9, 123000000, time.UTC)},
		{obj, []byte(`{"a":1}`), map[string]any{"a": 1.0}},
		{anyp, `"s"`, "s"},
		{anyp, nil, nil},
	}
	for _, tc := range fromDBCases {
		got, err := fromDB(tc.p, tc.raw)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("fromDB(%s, %#v) = %#v, %v; want %#v", tc.p.Name, tc.raw, got, err, tc.want)
		}
	}
	for _, bad := range []struct {
		p   *schema.Property
		raw any
	}{{num, "x"}, {boo, "maybe"}, {date, "yesterday"}, {obj, "{"}} {
		if _, err := fromDB(bad.p, bad.raw); err == nil {
			t.Errorf("fromDB(%s, %#v) accepted", bad.p.Name, bad.raw)
		}
	}
}

func TestNormID(t *testing.T) {
	num := &schema.Property{Name: "id", Type: schema.Number, ID: true}
	str := &schema.Property{Name: "id", Type: schema.String, ID: true}
	tests := []struct {
		p    *schema.Property
		in   any
		want any
		ok   bool
	}{
		{num, "12", int64(12), true},
		{num, 12.0, int64(12), true},
		{num, "12.0", int64(12), true},
		{num, 12.5, nil, false},
		{num, "abc", nil, false},
		{num, math.Inf(1), nil, false},
		{num, nil, nil, false},
		{str, "abc", "abc", true},
		{str, 12.0, "12", true},
	}
	for _, tc := range tests {
		got, ok := normID(tc.p, tc.in)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("normID(%s, %#v) = %#v, %v", tc.p.Type, tc.in, got, ok)
		}
	}
	if !sameID(num, "3", 3.0) || sameID(num, 3.0, 4.0) {
		t.Error("sameID")
	}
}

// TestValuesAreNeverInlined checks that hostile values end up as bound parameters only.
func TestValuesAreNeverInlined(t *testing.T) {
	for _, url := range []string{"sqlite::memory:", "postgres://u@127.0.0.1:1/x", "mysql://u@127.0.0.1:1/x"} {
		s := &Store{}
		e := openEnv(t, "sqlite::memory:")
		s.db, s.dl, s.name = e.s.db, e.s.dl, "dry"
		switch {
		case strings.HasPrefix(url, "postgres"):
			s.dl = postgresDialect{}
		case strings.HasPrefix(url, "mysql"):
			s.dl = mysqlDialect{}
		}
		m := noteModel()
		evil := `x'); DROP TABLE notes; --`
		where := filter.Or{
			cmp("title", filter.Eq, evil), cmp("title", filter.Like, evil), cmp("title", filter.ILike, evil),
			cmp("title", filter.Regexp, "a"), cmpVals("title", filter.Inq, evil, "b"),
			path("meta", []string{"k"}, filter.Eq, evil), path("meta", []string{"k"}, filter.Gt, 1.0),
		}
		expr, err := s.whereExpr(m, where)
		if err != nil {
			t.Fatal(err)
		}
		stmt := s.db.Session(&gorm.Session{DryRun: true}).Table(tableName(m)).
			Clauses(clause.Where{Exprs: []clause.Expression{expr}}).Find(&[]map[string]any{}).Statement
		sqlText := stmt.SQL.String()
		if strings.Contains(sqlText, "DROP") || strings.Contains(sqlText, "'k'") {
			t.Errorf("%s: value inlined in %s", url, sqlText)
		}
		found := false
		for _, v := range stmt.Vars {
			if v == evil {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: value not bound: %v", url, stmt.Vars)
		}
	}
}
