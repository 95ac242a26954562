package store

import (
	"sort"
	"strings"
	"testing"
)

func TestMigrateIndexesForeignKeys(t *testing.T) {
	eachDialect(t, func(e *testEnv) {
		t := e.t
		w := newRelWorld(e)
		want := map[string][]string{
			"Person":    {"mentorId", "teamId"},
			"Profile":   {"personId"},
			"Note":      {"ownerId"},
			"Comment":   {"noteId"},
			"Tagging":   {"noteId", "tagRef"},
			"NoteLabel": {"labelId", "noteId"},
			"Tag":       nil,
		}
		for model, cols := range want {
			table := tableName(w.m(model))
			got, err := e.s.dl.indexes(e.ctx, e.s.db, table)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for n := range got {
				if strings.HasPrefix(n, "idx_") {
					names = append(names, n)
				}
			}
			sort.Strings(names)
			var exp []string
			for _, c := range cols {
				exp = append(exp, strings.ToLower(indexName("idx", table, c)))
			}
			if strings.Join(names, ",") != strings.Join(exp, ",") {
				t.Errorf("%s indexes = %v, want %v", model, names, exp)
			}
		}
		// Migrating again creates nothing new and reports nothing.
		if err := e.s.Migrate(e.ctx, w.reg.Models()); err != nil {
			t.Errorf("second migrate: %v", err)
		}
	})
}
