package store

import (
	"strings"
	"testing"

	"github.com/loopgo/loopgo/framework/filter"
	"github.com/loopgo/loopgo/framework/schema"
)

// versioned returns a model named Doc on table, with the given properties after the id.
func versioned(table string, props ...*schema.Property) *schema.Model {
	return &schema.Model{
		Name: "Doc", Persisted: true, Strict: schema.StrictTrue, Table: table,
		Properties: append([]*schema.Property{{Name: "id", Type: schema.Number, ID: true, Generated: true}}, props...),
	}
}

func (e *testEnv) columnsOf(table string) map[string]string {
	e.t.Helper()
	cols, err := e.s.dl.columns(e.ctx, e.s.db, table)
	if err != nil {
		e.t.Fatal(err)
	}
	return cols
}

func (e *testEnv) indexesOf(table string) map[string]bool {
	e.t.Helper()
	ix, err := e.s.dl.indexes(e.ctx, e.s.db, table)
	if err != nil {
		e.t.Fatal(err)
	}
	return ix
}

func TestMigrateCreatesTablesAndIndexes(t *testing.T) {
	eachDialect(t, func(e *testEnv) {
		notes, users := noteModel(), userModel()
		plain := &schema.Model{Name: "Plain"} // not persisted: ignored
		e.migrate(notes, users, plain)
		cols := e.columnsOf(tableName(notes))
		for _, c := range []string{"id", "title", "body", "rating", "published", "created", "tags", "meta"} {
			if _, ok := cols[c]; !ok {
				t.Errorf("column %s missing: %v", c, cols)
			}
		}
		if _, ok := cols[extraColumn]; ok {
			t.Errorf("strict model got %s", extraColumn)
		}
		ix := e.indexesOf(tableName(users))
		for _, name := range []string{"uq_" + tableName(users) + "_email", "uq_" + tableName(users) + "_username"} {
			if !ix[name] {
				t.Errorf("index %s missing: %v", name, ix)
			}
		}
		if !e.indexesOf(tableName(notes))["idx_"+tableName(notes)+"_title"] {
			t.Errorf("plain index missing")
		}
		// Migrating again changes nothing.
		before := e.logs.String()
		if err := e.s.Migrate(e.ctx, []*schema.Model{notes, users}); err != nil {
			t.Fatal(err)
		}
		if after := e.logs.String(); after != before {
			t.Errorf("second migration logged changes: %s", strings.TrimPrefix(after, before))
		}
	})
}

func TestMigrateAddsColumnsAndIndexes(t *testing.T) {
	eachDialect(t, func(e *testEnv) {
		table := uniqueTable("docs")
		v1 := versioned(table, &schema.Property{Name: "title", Type: schema.String})
		e.migrate(v1)
		e.mustCreate(v1, map[string]any{"title": "old"})

		v2 := versioned(table,
			&schema.Property{Name: "title", Type: schema.String, Index: true},
			&schema.Property{Name: "rating", Type: schema.Number, Index: true},
			&schema.Property{Name: "code", Type: schema.String, Unique: true},
		)
		v2.Strict = schema.StrictFalse
		e.migrate(v2)
		cols := e.columnsOf(table)
		for _, c := range []string{"rating", "code", extraColumn} {
			if _, ok := cols[c]; !ok {
				t.Errorf("column %s not added: %v", c, cols)
			}
		}
		ix := e.indexesOf(table)
		for _, name := range []string{"idx_" + table + "_title", "idx_" + table + "_rating", "uq_" + table + "_code"} {
			if !ix[name] {
				t.Errorf("index %s not added: %v", name, ix)
			}
		}
		rec, err := e.s.FindByID(e.ctx, v2, 1, nil)
		if err != nil || rec["title"] != "old" || rec["rating"] != nil || rec["code"] != nil {
			t.Fatalf("old row after migration: %#v, %v", rec, err)
		}
		e.mustCreate(v2, map[string]any{"title": "new", "code": "c1", "free": "form"})
		_, err = e.s.Create(e.ctx, v2, map[string]any{"title": "dup", "code": "c1"})
		wantValidation(t, err, map[string][]string{"code": {"uniqueness"}})
	})
}

func TestMigrateRefusesRetype(t *testing.T) {
	eachDialect(t, func(e *testEnv) {
		table := uniqueTable("docs")
		v1 := versioned(table, &schema.Property{Name: "rating", Type: schema.String})
		e.migrate(v1)
		e.mustCreate(v1, map[string]any{"rating": "five"})

		v2 := versioned(table,
			&schema.Property{Name: "rating", Type: schema.Number, Index: true},
			&schema.Property{Name: "note", Type: schema.String},
		)
		err := e.s.Migrate(e.ctx, []*schema.Model{v2})
		if err == nil {
			t.Fatal("retype was accepted")
		}
		msg := err.Error()
		oldType := e.columnsOf(table)["rating"]
		for _, want := range []string{`table "` + table + `"`, `column "rating"`, "has type " + oldType,
			"property Doc.rating (number) needs " + e.s.dl.columnType(v2.Properties[1], true),
			"convert the column by hand", "rename the property"} {
			if !strings.Contains(msg, want) {
				t.Errorf("error %q lacks %q", msg, want)
			}
		}
		// Safe changes are still applied; the retyped column keeps its data and gets no index.
		if _, ok := e.columnsOf(table)["note"]; !ok {
			t.Error("new column not added next to a refused retype")
		}
		if e.indexesOf(table)["idx_"+table+"_rating"] {
			t.Error("index created on a refused retype")
		}
		rec, err := e.s.FindByID(e.ctx, v1, 1, nil)
		if err != nil || rec["rating"] != "five" {
			t.Fatalf("data after refused retype: %#v, %v", rec, err)
		}
	})
}

func TestMigrateLeavesRemovedColumnsAndWarns(t *testing.T) {
	eachDialect(t, func(e *testEnv) {
		table := uniqueTable("docs")
		v1 := versioned(table, &schema.Property{Name: "title", Type: schema.String}, &schema.Property{Name: "legacy", Type: schema.String})
		e.migrate(v1)
		e.mustCreate(v1, map[string]any{"title": "a", "legacy": "kept"})
		v2 := versioned(table, &schema.Property{Name: "title", Type: schema.String})
		if err := e.s.Migrate(e.ctx, []*schema.Model{v2}); err != nil {
			t.Fatal(err)
		}
		logs := e.logs.String()
		if !strings.Contains(logs, "level=WARN") || !strings.Contains(logs, "column=legacy") || !strings.Contains(logs, "table="+table) {
			t.Fatalf("no warning naming the column: %s", logs)
		}
		if _, ok := e.columnsOf(table)["legacy"]; !ok {
			t.Fatal("removed property's column was dropped")
		}
		if rec := e.mustCreate(v2, map[string]any{"title": "b"}); rec["title"] != "b" {
			t.Fatalf("insert after removal: %#v", rec)
		}
		if rec, _ := e.s.FindByID(e.ctx, v1, 1, nil); rec["legacy"] != "kept" {
			t.Fatalf("data in the extra column: %#v", rec)
		}
	})
}

func TestMigrateReportsDuplicatesBlockingAUniqueIndex(t *testing.T) {
	eachDialect(t, func(e *testEnv) {
		table := uniqueTable("docs")
		v1 := versioned(table, &schema.Property{Name: "code", Type: schema.String, Index: true})
		e.migrate(v1)
		e.mustCreate(v1, map[string]any{"code": "x"})
		e.mustCreate(v1, map[string]any{"code": "x"})
		v2 := versioned(table, &schema.Property{Name: "code", Type: schema.String, Unique: true})
		err := e.s.Migrate(e.ctx, []*schema.Model{v2})
		if err == nil || !strings.Contains(err.Error(), `cannot create unique index "uq_`+table+`_code"`) ||
			!strings.Contains(err.Error(), "remove the duplicates") {
			t.Fatalf("got %v", err)
		}
		if n, _ := e.s.Count(e.ctx, v1, &filter.Cmp{Property: "code", Op: filter.Eq, Value: "x"}); n != 2 {
			t.Fatalf("rows %d", n)
		}
	})
}

func TestMigrateChecksIdentifiers(t *testing.T) {
	e := openEnv(t, "sqlite::memory:")
	tests := []struct {
		name string
		m    *schema.Model
		want string
	}{
		{"quote in table", versioned(`x"y`), `invalid table name "x\"y"`},
		{"dot in column", versioned("ok", &schema.Property{Name: "a", Column: "a.b", Type: schema.String}), `property a: invalid column name "a.b"`},
		{"reserved column", versioned("ok2", &schema.Property{Name: "_extra", Type: schema.String}), "reserved for undeclared properties"},
		{"no id", &schema.Model{Name: "NoID", Persisted: true, Table: "noid"}, "has no id property"},
	}
	for _, tc := range tests {
		err := e.s.Migrate(e.ctx, []*schema.Model{tc.m})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.name, err, tc.want)
		}
	}
}
