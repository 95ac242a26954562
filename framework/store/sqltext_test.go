package store

import (
	"fmt"
	"strings"
	"testing"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/loopgo/loopgo/framework/filter"
)

// The reads write their SQL themselves (sqltext.go): the text and the bound values must be the
// ones GORM's chain (Table, Clauses, Limit, Offset) writes for the same query, except that
// SQLite's LIMIT and OFFSET are bound parameters instead of literals.
func TestSelectTextAsGORMWritesIt(t *testing.T) {
	eachDialect(t, func(e *testEnv) {
		t := e.t
		m := noteModel()
		e.migrate(m)
		tests := []struct {
			name   string
			filter string
		}{
			{"everything", `{}`},
			{"by id", `{"where":{"id":7}}`},
			{"list of 20", `{"where":{"rating":{"gte":2}},"order":"id DESC","limit":20}`},
			{"skip without limit", `{"skip":5}`},
			{"limit and skip", `{"limit":3,"skip":2,"order":["title ASC","rating DESC"]}`},
			{"fields", `{"fields":["title","rating"],"where":{"title":{"neq":null}}}`},
			{"and, or, inq, nin, like", `{"where":{"or":[{"and":[{"title":{"like":"a%"}},{"rating":{"inq":[1,2,null]}}]},{"id":{"nin":[3,4]}},{"published":true}]}}`},
			{"between, ilike, regexp", `{"where":{"rating":{"between":[1,3]},"title":{"ilike":"%x%"},"body":{"regexp":"^a"}}}`},
			{"json path, array member", `{"where":{"meta.kind":"a","tags":"go"}}`},
			{"dates", `{"where":{"created":{"lt":"2024-01-02T00:00:00.000Z"}}}`},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f, err := filter.Parse(decodeJSON(t, tt.filter), m, nil)
				if err != nil {
					t.Fatal(err)
				}
				sel := selectionFor(m, f.Fields)
				where, err := e.s.whereExpr(m, f.Where)
				if err != nil {
					t.Fatal(err)
				}
				order := orderExpr{terms: orderColumns(m, f.Order), dl: e.s.dl}

				b := e.s.builder(e.ctx, tableName(m))
				b.writeSelect(e.s, m, sel, where, order, f.Limit, f.Skip)
				got, gotVars := b.stmt.SQL.String(), b.stmt.Vars

				q := e.s.db.Session(&gorm.Session{DryRun: true}).Table(tableName(m)).
					Clauses(clause.Select{Columns: sel.columns(m)}, clause.Where{Exprs: []clause.Expression{where}},
						clause.OrderBy{Expression: order})
				if f.Limit > 0 || f.Skip > 0 {
					q = q.Limit(max(f.Limit, 0)).Offset(f.Skip)
					if f.Limit <= 0 {
						q = q.Limit(maxLimit)
					}
				}
				var out []map[string]any
				q = q.Find(&out)
				want, wantVars := q.Statement.SQL.String(), q.Statement.Vars

				if e.s.dialect == "sqlite" && (f.Limit > 0 || f.Skip > 0) {
					// GORM's SQLite driver writes LIMIT n OFFSET m; the store binds them
					cut := strings.Index(want, " LIMIT ")
					limit := max(f.Limit, 0)
					if limit == 0 {
						limit = maxLimit
					}
					wantLimit := fmt.Sprintf(" LIMIT %d", limit)
					wantVars = append(wantVars, limit)
					if f.Skip > 0 {
						wantLimit += fmt.Sprintf(" OFFSET %d", f.Skip)
						wantVars = append(wantVars, f.Skip)
					}
					if cut < 0 || want[cut:] != wantLimit {
						t.Fatalf("GORM wrote %q, want it to end with %q", want, wantLimit)
					}
					want = want[:cut] + strings.NewReplacer(fmt.Sprint(limit), "?", fmt.Sprint(f.Skip), "?").Replace(wantLimit)
				}
				if got != want {
					t.Errorf("SQL\n got %s\nwant %s", got, want)
				}
				if len(gotVars)+len(wantVars) > 0 && fmt.Sprintf("%#v", gotVars) != fmt.Sprintf("%#v", wantVars) {
					t.Errorf("vars\n got %#v\nwant %#v", gotVars, wantVars)
				}
				// the count of the same where
				cb := e.s.builder(e.ctx, tableName(m))
				cb.writeCount(tableName(m), where)
				var n int64
				cq := e.s.db.Session(&gorm.Session{DryRun: true}).Table(tableName(m)).
					Clauses(clause.Where{Exprs: []clause.Expression{where}}).Count(&n)
				if got, want := cb.stmt.SQL.String(), cq.Statement.SQL.String(); got != want {
					t.Errorf("count SQL\n got %s\nwant %s", got, want)
				}
				// and the statements run
				if _, err := e.s.countWhere(e.ctx, m, f.Where); err != nil {
					t.Errorf("run count: %v", err)
				}
				if _, err := e.s.selectWith(e.ctx, m, f, sel); err != nil {
					t.Errorf("run: %v", err)
				}
			})
		}
	})
}
