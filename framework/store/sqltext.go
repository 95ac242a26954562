package store

import (
	"context"
	"database/sql"
	"errors"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// The reads on the request path (select, count) write their SQL text themselves into a fresh
// GORM statement and hand it to GORM's row processor, instead of chaining Table, Clauses and
// Rows or Count: the chain clones a session with its clause maps and builds the statement from
// clause maps on every call, which cost more than the statement it runs. GORM's Statement is the
// clause builder, so that quoting and bind variables are the dialect's, exactly as GORM writes
// them; every value stays a bound parameter (LIMIT and OFFSET too). The statement still runs
// through GORM's callbacks (the row processor, with its logger trace and any callback
// registered on the store's handle) and the store's cache of prepared statements.

// sqlBuilder writes one statement: SQL text into stmt.SQL, bound values into stmt.Vars.
type sqlBuilder struct {
	stmt *gorm.Statement
}

// builder returns an empty statement bound to ctx's transaction, or else to the session of
// prepared statements.
func (s *Store) builder(ctx context.Context, table string) sqlBuilder {
	base := s.prepared
	if tx, ok := ctx.Value(txKey{s}).(*gorm.DB); ok {
		base = tx
	}
	db := &gorm.DB{Config: base.Config}
	db.Statement = &gorm.Statement{DB: db, ConnPool: base.Statement.ConnPool, Context: ctx, Table: table,
		Clauses: map[string]clause.Clause{}, Vars: make([]any, 0, 4)}
	db.Statement.SQL.Grow(192)
	return sqlBuilder{stmt: db.Statement}
}

// writeSelect writes SELECT cols FROM table WHERE where ORDER BY order [LIMIT ? [OFFSET ?]]
// (no LIMIT when limit and skip are both 0; OFFSET alone is not valid everywhere, so skip
// without limit reads up to the largest limit).
func (b sqlBuilder) writeSelect(table string, cols []clause.Column, where clause.Expression, order clause.Expression, limit, skip int) {
	st := b.stmt
	st.WriteString("SELECT ")
	for i, c := range cols {
		if i > 0 {
			st.WriteByte(',')
		}
		writeColumn(st, c)
	}
	b.writeFromWhere(table, where)
	if order != nil {
		st.WriteString(" ORDER BY ")
		order.Build(st)
	}
	if limit > 0 || skip > 0 {
		if limit <= 0 {
			limit = maxLimit
		}
		st.WriteString(" LIMIT ")
		st.AddVar(st, limit)
		if skip > 0 {
			st.WriteString(" OFFSET ")
			st.AddVar(st, skip)
		}
	}
}

// maxLimit is the LIMIT of a read that skips rows without a limit.
const maxLimit = int(^uint(0) >> 1)

// writeCount writes SELECT count(*) FROM table WHERE where.
func (b sqlBuilder) writeCount(table string, where clause.Expression) {
	b.stmt.WriteString("SELECT count(*)")
	b.writeFromWhere(table, where)
}

// writeFromWhere writes " FROM table WHERE where".
func (b sqlBuilder) writeFromWhere(table string, where clause.Expression) {
	st := b.stmt
	st.WriteString(" FROM ")
	st.DB.Dialector.QuoteTo(&st.SQL, table)
	st.WriteString(" WHERE ")
	where.Build(st)
}

// query runs the statement the builder holds through GORM's row processor (as gorm.DB.Rows).
func (b sqlBuilder) query() (*sql.Rows, error) {
	db := b.stmt.DB
	b.stmt.Settings.Store("rows", true)
	db = db.Callback().Row().Execute(db)
	rows, ok := db.Statement.Dest.(*sql.Rows)
	if db.Error != nil {
		if ok && rows != nil {
			_ = rows.Close()
		}
		return nil, db.Error
	}
	if !ok || rows == nil {
		return nil, errors.New("the statement returned no rows")
	}
	return rows, nil
}

// writeColumn writes a column as Statement.WriteQuoted does, without boxing it.
func writeColumn(b clause.Builder, c clause.Column) {
	st, ok := b.(*gorm.Statement)
	if !ok || c.Raw || c.Alias != "" || c.Name == clause.PrimaryKey || c.Table == clause.CurrentTable {
		b.WriteQuoted(c)
		return
	}
	if c.Table != "" {
		st.DB.Dialector.QuoteTo(&st.SQL, c.Table)
		st.WriteByte('.')
	}
	st.DB.Dialector.QuoteTo(&st.SQL, c.Name)
}
