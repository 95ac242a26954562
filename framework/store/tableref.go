package store

import (
	"gorm.io/gorm/clause"

	"github.com/loopgo/loopgo/framework/schema"
)

// tableRef is how the columns of one table are written in a statement: unqualified at the top
// of a single-table statement, qualified by an alias inside subqueries and joins. Correlated
// subqueries refer to the enclosing table by name (its alias, or the table name at the top).
type tableRef struct {
	alias string // qualifier of the table's columns; "" = unqualified
	name  string // how an inner subquery refers to this table
	depth int    // nesting level of relation subqueries (aliases differ per level)
}

// topRef is the unaliased table of m at the top of a statement.
func topRef(m *schema.Model) tableRef { return tableRef{name: tableName(m)} }

// aliasRef is a table written under an alias.
func aliasRef(alias string, depth int) tableRef {
	return tableRef{alias: alias, name: alias, depth: depth}
}

// col is a column of this table as the table's own conditions write it.
func (t tableRef) col(name string) clause.Column { return clause.Column{Table: t.alias, Name: name} }

// expr is col as an expression.
func (t tableRef) expr(name string) clause.Expr {
	return clause.Expr{SQL: "?", Vars: []any{t.col(name)}}
}

// outer is a column of this table as a correlated subquery refers to it (always qualified).
func (t tableRef) outer(name string) clause.Column { return clause.Column{Table: t.name, Name: name} }

// from is the table in a FROM clause: its name, with the alias when there is one.
func (t tableRef) from(m *schema.Model) clause.Table {
	return clause.Table{Name: tableName(m), Alias: t.alias}
}

// columnList writes quoted columns separated by commas (GORM writes a []clause.Column var in
// parentheses, which a SELECT list cannot have).
type columnList []clause.Column

// Build writes "a", "b", ...
func (l columnList) Build(b clause.Builder) {
	for i, c := range l {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteQuoted(c)
	}
}
