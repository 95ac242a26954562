package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/loopgo/loopgo/framework/schema"
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

// writeSelect writes SELECT cols FROM table WHERE where ORDER BY order [LIMIT ? [OFFSET ?]] for
// the columns of sel (no LIMIT when limit and skip are both 0; OFFSET alone is not valid
// everywhere, so skip without limit reads up to the largest limit).
func (b sqlBuilder) writeSelect(s *Store, m *schema.Model, sel selection, where clause.Expression, order clause.Expression, limit, skip int) {
	st := b.stmt
	st.WriteString(s.selectHead(m, sel))
	where.Build(st)
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

// selectKey names the SELECT list of a model's whole selection (every declared property): the
// model's property slice (its first element and length) and its table, so that a model changed
// during set-up (a mixin adding a property) gets an entry of its own.
type selectKey struct {
	first **schema.Property
	n     int
	table string
	extra bool
}

// maxSelectHeads bounds the cache of SELECT heads of a store (one per model in practice).
const maxSelectHeads = 1024

// selectHead returns "SELECT cols FROM table WHERE " for sel, from the store's cache when sel
// is every property of m (the common read), else written anew.
func (s *Store) selectHead(m *schema.Model, sel selection) string {
	cacheable := !sel.onlyID && len(sel.props) > 0 && len(sel.props) == len(m.Properties) && &sel.props[0] == &m.Properties[0]
	var key selectKey
	if cacheable {
		key = selectKey{first: &m.Properties[0], n: len(m.Properties), table: tableName(m), extra: sel.extra}
		if head, ok := s.selectHeads.Load(key); ok {
			return head.(string)
		}
	}
	var sb strings.Builder
	sb.WriteString("SELECT ")
	for i, c := range sel.columns(m) {
		if i > 0 {
			sb.WriteByte(',')
		}
		s.db.Dialector.QuoteTo(&sb, c.Name)
	}
	sb.WriteString(" FROM ")
	s.db.Dialector.QuoteTo(&sb, tableName(m))
	sb.WriteString(" WHERE ")
	head := sb.String()
	if cacheable && s.selectHeadsN.Load() < maxSelectHeads {
		if _, loaded := s.selectHeads.LoadOrStore(key, head); !loaded {
			s.selectHeadsN.Add(1)
		}
	}
	return head
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
