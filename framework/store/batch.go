package store

import (
	"context"
	"fmt"

	"gorm.io/gorm/clause"

	"github.com/loopgo/loopgo/framework/filter"
	"github.com/loopgo/loopgo/framework/schema"
)

// Names used inside batch statements.
const (
	rowNumberCol = "lg__rn"     // ROW_NUMBER() of a row within its parent's partition
	parentCol    = "lg__parent" // the parent key a joined row belongs to
	targetAlias  = "lg_t"       // the related table in a through join
	joinAlias    = "lg_j"       // the join table in a through join
	windowAlias  = "lg_p"       // the derived table of a windowed read
)

// batch restricts a read to the records related to a set of parent keys (one include level).
type batch struct {
	keys      []any            // distinct parent key values
	key       *schema.Property // belongsTo, hasOne, hasMany: the read model's column matched with keys
	through   *relKeys         // through relations: the join model and its keys (key is nil)
	perParent bool             // the query's limit and skip apply to each parent key separately
}

// selectBatch reads the records of m matching q that are related to the batch's parent keys, one
// statement per maxKeysPerQuery keys, and returns with each record the parent key it belongs to.
func (s *Store) selectBatch(ctx context.Context, m *schema.Model, q *filter.Filter, sel selection, b *batch) ([]schema.Record, []any, error) {
	keyProp := b.key
	if b.through != nil {
		keyProp = b.through.viaFrom
	}
	var (
		recs    []schema.Record
		parents []any
	)
	for _, chunk := range chunks(s.bindableKeys(keyProp, b.keys)) {
		stmt, vars, err := s.batchStatement(m, q, sel, b, chunk)
		if err != nil {
			return nil, nil, err
		}
		rs, ps, err := s.queryBatch(ctx, m, sel, b, stmt, vars)
		if err != nil {
			return nil, nil, err
		}
		recs = append(recs, rs...)
		parents = append(parents, ps...)
	}
	if recs == nil {
		recs = []schema.Record{}
	}
	return recs, parents, nil
}

// batchStatement builds the SELECT of one chunk of parent keys:
//
//	SELECT cols FROM t WHERE key IN (...) AND (where) ORDER BY order
//	SELECT t.cols, j.fk AS lg__parent FROM t lg_t JOIN j lg_j ON lg_j.kt = lg_t.id WHERE ...
//
// With per-parent paging the rows are numbered per parent key with ROW_NUMBER() in a derived
// table, and only the rows of each parent's page are kept.
func (s *Store) batchStatement(m *schema.Model, q *filter.Filter, sel selection, b *batch, keys []any) (string, []any, error) {
	t := topRef(m)
	var (
		from      any = clause.Table{Name: tableName(m)}
		partition clause.Column
		inner     clause.Expression
	)
	if b.through != nil {
		k := b.through
		t = aliasRef(targetAlias, 0)
		j := aliasRef(joinAlias, 0)
		from = clause.Expr{SQL: "? JOIN ? ON ?", Vars: []any{t.from(m), j.from(k.through),
			clause.Eq{Column: j.col(colName(k.viaTo)), Value: t.col(colName(k.to))}}}
		partition = j.col(colName(k.viaFrom))
		in, err := s.condExpr(j, k.through, inCond(k.viaFrom, keys))
		if err != nil {
			return "", nil, err
		}
		inner = in
	} else {
		partition = t.col(colName(b.key))
		in, err := s.condExpr(t, m, inCond(b.key, keys))
		if err != nil {
			return "", nil, err
		}
		inner = in
	}
	where, err := s.condExpr(t, m, q.Where)
	if err != nil {
		return "", nil, err
	}
	cols := qualify(t, sel.columns(m))
	if b.through != nil {
		p := partition
		p.Alias = parentCol
		cols = append(cols, p)
	}
	order := orderExpr{terms: qualifyOrder(t, orderColumns(m, q.Order)), dl: s.dl}
	cond := and(inner, where)
	if !b.perParent || (q.Limit <= 0 && q.Skip <= 0) {
		return "SELECT ? FROM ? WHERE ? ORDER BY ?", []any{columnList(cols), from, cond, order}, nil
	}
	outer := sel.columns(m)
	if b.through != nil {
		outer = append(outer, clause.Column{Name: parentCol})
	}
	rn := clause.Column{Name: rowNumberCol}
	bounds := clause.Expression(clause.Gt{Column: rn, Value: q.Skip})
	if q.Limit > 0 {
		bounds = and(bounds, clause.Lte{Column: rn, Value: q.Skip + q.Limit})
	}
	return "SELECT ? FROM (SELECT ?, ROW_NUMBER() OVER (PARTITION BY ? ORDER BY ?) AS ? FROM ? WHERE ?) ? WHERE ? ORDER BY ?",
		[]any{columnList(outer), columnList(cols), partition, order, rn, from, cond, clause.Table{Name: windowAlias}, bounds, rn}, nil
}

// queryBatch runs a batch statement and returns the records and their parent keys.
func (s *Store) queryBatch(ctx context.Context, m *schema.Model, sel selection, b *batch, stmt string, vars []any) ([]schema.Record, []any, error) {
	rows, err := s.DB(ctx).Raw(stmt, vars...).Rows()
	if err != nil {
		return nil, nil, s.dbError(fmt.Sprintf("select related rows from %s", tableName(m)), err)
	}
	defer rows.Close()
	extra := 0
	if b.through != nil {
		extra = 1
	}
	recs, tail, err := scanRecordsWith(rows, m, sel, extra, 0)
	if err != nil {
		return nil, nil, s.dbError(fmt.Sprintf("read related rows of %s", tableName(m)), err)
	}
	parents := make([]any, len(recs))
	for i, r := range recs {
		if b.through == nil {
			parents[i] = r[b.key.Name]
			continue
		}
		if parents[i], err = fromDB(b.through.viaFrom, tail[i][0]); err != nil {
			return nil, nil, s.dbError(fmt.Sprintf("read related rows of %s", tableName(m)), err)
		}
	}
	return recs, parents, nil
}

// inCond is {p: {inq: keys}}.
func inCond(p *schema.Property, keys []any) filter.Cond {
	return &filter.Cmp{Property: p.Name, Prop: p, Op: filter.Inq, Values: keys}
}

// qualify returns cols written as columns of table t.
func qualify(t tableRef, cols []clause.Column) []clause.Column {
	out := make([]clause.Column, len(cols))
	for i, c := range cols {
		c.Table = t.alias
		out[i] = c
	}
	return out
}

// qualifyOrder returns the ORDER BY terms written as columns of table t.
func qualifyOrder(t tableRef, terms []clause.OrderByColumn) []clause.OrderByColumn {
	for i := range terms {
		terms[i].Column.Table = t.alias
	}
	return terms
}
