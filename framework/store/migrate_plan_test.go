package store

import (
	"fmt"
	"strings"
	"testing"

	"github.com/loopgo/loopgo/framework/schema"
)

// stepLines renders steps as "kind table column index" lines, for comparisons.
func stepLines(steps []Step) []string {
	out := make([]string, 0, len(steps))
	for _, st := range steps {
		var cols []string
		for _, c := range st.Columns {
			cols = append(cols, c.Name+":"+c.Type)
		}
		out = append(out, fmt.Sprintf("%s %s (%s) %s", st.Kind, st.Table, strings.Join(cols, ","), st.Index))
	}
	return out
}

func TestPlanMigrationIsWhatMigrateDoes(t *testing.T) {
	eachDialect(t, func(e *testEnv) {
		table := uniqueTable("docs")
		v1 := versioned(table,
			&schema.Property{Name: "code", Type: schema.String, Index: true},
			&schema.Property{Name: "rating", Type: schema.String},
			&schema.Property{Name: "legacy", Type: schema.String},
		)
		// a fresh database: the table and its index, nothing else; nothing is created
		plan, err := e.s.PlanMigration(e.ctx, []*schema.Model{v1})
		if err != nil {
			t.Fatal(err)
		}
		got := stepLines(plan.Steps)
		if len(got) != 2 || !strings.HasPrefix(got[0], "create table "+table+" (id:") ||
			!strings.Contains(got[0], "code:") || !strings.HasPrefix(got[1], "create index "+table+" (code:") ||
			!strings.HasSuffix(got[1], "idx_"+table+"_code") || len(plan.Refusals) != 0 {
			t.Fatalf("plan on a fresh database: %q %v", got, plan.Refusals)
		}
		if has, err := e.s.dl.hasTable(e.ctx, e.s.db, table); err != nil || has {
			t.Fatalf("the plan created the table (%v)", err)
		}
		e.migrate(v1)
		if plan, err := e.s.PlanMigration(e.ctx, []*schema.Model{v1}); err != nil || !plan.Empty() {
			t.Fatalf("plan after migrating: %q %v %v", stepLines(plan.Steps), plan.Refusals, err)
		}
		e.mustCreate(v1, map[string]any{"code": "x", "rating": "five", "legacy": "old"})
		e.mustCreate(v1, map[string]any{"code": "x"})

		// v2: a new column with an index, a retyped column, a unique rule over duplicates, a
		// removed property
		v2 := versioned(table,
			&schema.Property{Name: "code", Type: schema.String, Unique: true},
			&schema.Property{Name: "rating", Type: schema.Number},
			&schema.Property{Name: "note", Type: schema.String, Index: true},
		)
		before := e.columnsOf(table)
		plan, err = e.s.PlanMigration(e.ctx, []*schema.Model{v2})
		if err != nil {
			t.Fatal(err)
		}
		got = stepLines(plan.Steps)
		want := []string{
			"add column " + table + " (note:" + e.s.columnDef(v2, v2.Properties[3]) + ") ",
			"create unique index " + table + " (code:" + before["code"] + ") uq_" + table + "_code",
			"create index " + table + " (note:" + e.s.columnDef(v2, v2.Properties[3]) + ") idx_" + table + "_note",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("plan:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if b := plan.Steps[1].Blocked; !strings.Contains(b, "the value x more than once") {
			t.Errorf("unique index over duplicates not marked blocked: %q", b)
		}
		if plan.Steps[2].Blocked != "" {
			t.Errorf("plain index blocked: %q", plan.Steps[2].Blocked)
		}
		if len(plan.Refusals) != 1 || plan.Refusals[0].Column != "rating" ||
			!strings.Contains(plan.Refusals[0].Reason, "does not change column types") {
			t.Fatalf("refusals: %+v", plan.Refusals)
		}
		if len(plan.Kept) != 1 || plan.Kept[0].Column != "legacy" {
			t.Fatalf("kept: %+v", plan.Kept)
		}
		if after := e.columnsOf(table); len(after) != len(before) {
			t.Fatalf("the plan changed the table: %v -> %v", before, after)
		}

		// Migrate applies exactly the planned steps, in order, and reports each one
		report, err := e.s.MigrateReport(e.ctx, []*schema.Model{v2})
		if err == nil || !strings.Contains(err.Error(), "does not change column types") ||
			!strings.Contains(err.Error(), "remove the duplicates") {
			t.Fatalf("migrate error: %v", err)
		}
		if strings.Join(stepLines(report.Steps), "\n") != strings.Join(want, "\n") {
			t.Fatalf("applied:\n%s\nplanned:\n%s", strings.Join(stepLines(report.Steps), "\n"), strings.Join(want, "\n"))
		}
		if !report.Steps[0].Done || report.Steps[1].Done || report.Steps[1].Err == nil || !report.Steps[2].Done {
			t.Fatalf("done/err: %+v", report.Steps)
		}
		if _, ok := e.columnsOf(table)["note"]; !ok || !e.indexesOf(table)["idx_"+table+"_note"] {
			t.Fatal("planned column or index not applied")
		}
	})
}
