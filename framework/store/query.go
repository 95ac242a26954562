package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/loopgo/loopgo/framework/filter"
	"github.com/loopgo/loopgo/framework/schema"
)

// selection is which columns a read fetches and which properties it returns.
type selection struct {
	props  []*schema.Property // declared properties returned
	extra  bool               // read _extra (undeclared properties of non-strict models)
	keep   func(string) bool  // which undeclared keys to return
	onlyID bool               // nothing selectable was asked for: read the id, return nothing
}

// selectionFor applies LoopBack's fields filter: an include list wins; otherwise the exclude
// list removes properties; nil means every property.
func selectionFor(m *schema.Model, f *filter.Fields) selection {
	nonStrict := m.Strict == schema.StrictFalse
	all := func(string) bool { return true }
	if f == nil || (len(f.Include) == 0 && len(f.Exclude) == 0) {
		return selection{props: m.Properties, extra: nonStrict, keep: all}
	}
	if len(f.Include) > 0 {
		want := setOf(f.Include)
		sel := selection{keep: func(k string) bool { return want[k] }}
		for _, p := range m.Properties {
			if want[p.Name] {
				sel.props = append(sel.props, p)
			}
		}
		if nonStrict && len(sel.props) < len(want) {
			sel.extra = true
		}
		sel.onlyID = len(sel.props) == 0 && !sel.extra
		return sel
	}
	drop := setOf(f.Exclude)
	sel := selection{extra: nonStrict, keep: func(k string) bool { return !drop[k] }}
	for _, p := range m.Properties {
		if !drop[p.Name] {
			sel.props = append(sel.props, p)
		}
	}
	sel.onlyID = len(sel.props) == 0 && !sel.extra
	return sel
}

func setOf(names []string) map[string]bool {
	out := make(map[string]bool, len(names))
	for _, n := range names {
		out[n] = true
	}
	return out
}

// columns returns the selected columns in scan order.
func (sel selection) columns(m *schema.Model) []clause.Column {
	cols := make([]clause.Column, 0, len(sel.props)+1)
	for _, p := range sel.props {
		cols = append(cols, clause.Column{Name: colName(p)})
	}
	if sel.extra {
		cols = append(cols, clause.Column{Name: extraColumn})
	}
	if sel.onlyID {
		cols = append(cols, clause.Column{Name: colName(m.IDProperty())})
	}
	return cols
}

// width is the number of columns sel.columns returns.
func (sel selection) width() int {
	n := len(sel.props)
	if sel.extra {
		n++
	}
	if sel.onlyID {
		n++
	}
	return n
}

// table returns a GORM handle on the model's table, bound to ctx (and its transaction).
func (s *Store) table(ctx context.Context, m *schema.Model) *gorm.DB {
	return s.readDB(ctx).Table(tableName(m))
}

// readDB is the handle for reads: the transaction when ctx carries one, else a session whose
// statements are prepared once per connection and kept (reads repeat the same few SQL texts;
// preparing each again costs more than running it).
func (s *Store) readDB(ctx context.Context) *gorm.DB {
	if tx, ok := ctx.Value(txKey{s}).(*gorm.DB); ok {
		return tx.WithContext(ctx)
	}
	return s.prepared.WithContext(ctx)
}

// selectRecords runs a SELECT for filter f without firing hooks.
func (s *Store) selectRecords(ctx context.Context, m *schema.Model, f *filter.Filter) ([]schema.Record, error) {
	if f == nil {
		f = &filter.Filter{}
	}
	return s.selectWith(ctx, m, f, selectionFor(m, f.Fields))
}

// selectWith runs a SELECT of the columns of sel for filter f (f.Fields is not used).
func (s *Store) selectWith(ctx context.Context, m *schema.Model, f *filter.Filter, sel selection) ([]schema.Record, error) {
	where, err := s.whereExpr(m, f.Where)
	if err != nil {
		return nil, err
	}
	b := s.builder(ctx, tableName(m))
	b.writeSelect(s, m, sel, where, orderExpr{terms: orderColumns(m, f.Order), dl: s.dl}, f.Limit, f.Skip)
	rows, err := b.query()
	if err != nil {
		return nil, s.dbError(fmt.Sprintf("select from %s", tableName(m)), err)
	}
	defer rows.Close()
	recs, _, err := scanRecordsWith(rows, m, sel, 0, f.Limit)
	if err != nil {
		return nil, s.dbError(fmt.Sprintf("read rows of %s", tableName(m)), err)
	}
	return recs, nil
}

// orderColumns is the ORDER BY of a filter: declared properties only, then the id ascending
// (unless already ordered by it) so that results are deterministic.
func orderColumns(m *schema.Model, order []filter.Order) []clause.OrderByColumn {
	idp := m.IDProperty()
	var (
		out  []clause.OrderByColumn
		byID bool
	)
	for _, o := range order {
		p := m.Property(o.Property)
		if p == nil {
			continue
		}
		byID = byID || p == idp
		out = append(out, clause.OrderByColumn{Column: clause.Column{Name: colName(p)}, Desc: o.Desc})
	}
	if !byID {
		out = append(out, clause.OrderByColumn{Column: clause.Column{Name: colName(idp)}})
	}
	return out
}

// orderExpr writes ORDER BY terms with the dialect's NULL placement.
type orderExpr struct {
	terms []clause.OrderByColumn
	dl    sqlDialect
}

// Build writes "col [DESC] [NULLS ...], ...".
func (o orderExpr) Build(b clause.Builder) {
	for i, t := range o.terms {
		if i > 0 {
			b.WriteString(", ")
		}
		writeColumn(b, t.Column)
		if t.Desc {
			b.WriteString(" DESC")
		}
		b.WriteString(o.dl.nullOrder(t.Desc))
	}
}

// maxPresize is the largest result whose slice is sized from the query's limit up front.
const maxPresize = 100

// scanRecordsWith converts rows whose columns are sel.columns followed by extra more columns to
// records, and returns the raw values of the extra columns of each row. limit (0 = none) sizes
// the result. Scanned values are kept as the driver returns them when they already have their
// property's Go type (fromDB), so that a column costs no more allocations than the driver's.
func scanRecordsWith(rows *sql.Rows, m *schema.Model, sel selection, extra, limit int) ([]schema.Record, [][]any, error) {
	n := sel.width()
	raw := make([]any, n+extra)
	ptrs := make([]any, n+extra)
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	recs := make([]schema.Record, 0, min(max(limit, 0), maxPresize))
	var tails [][]any
	for rows.Next() {
		clear(raw)
		if err := rows.Scan(ptrs...); err != nil {
			return nil, nil, fmt.Errorf("scan: %w", err)
		}
		if extra > 0 {
			tails = append(tails, append([]any(nil), raw[n:]...))
		}
		rec := make(schema.Record, len(sel.props))
		for i, p := range sel.props {
			v, err := fromDB(p, raw[i])
			if err != nil {
				return nil, nil, err
			}
			rec[p.Name] = v
		}
		if sel.extra {
			undeclared, err := decodeExtra(raw[len(sel.props)])
			if err != nil {
				return nil, nil, err
			}
			for k, v := range undeclared {
				if m.Property(k) == nil && sel.keep(k) {
					rec[k] = v
				}
			}
		}
		recs = append(recs, rec)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("iterate rows: %w", err)
	}
	return recs, tails, nil
}

// decodeExtra reads the _extra column (NULL = no undeclared properties).
func decodeExtra(raw any) (map[string]any, error) {
	var text string
	switch x := raw.(type) {
	case nil:
		return nil, nil
	case []byte:
		text = string(x)
	case string:
		text = x
	default:
		return nil, fmt.Errorf("column %s: unexpected %T", extraColumn, raw)
	}
	var out map[string]any
	if err := json.Unmarshal([]byte(text), &out); err != nil {
		return nil, fmt.Errorf("column %s: invalid JSON: %w", extraColumn, err)
	}
	return out, nil
}

// countWhere counts rows matching where without firing hooks.
func (s *Store) countWhere(ctx context.Context, m *schema.Model, where filter.Cond) (int64, error) {
	expr, err := s.whereExpr(m, where)
	if err != nil {
		return 0, err
	}
	b := s.builder(ctx, tableName(m))
	b.writeCount(tableName(m), expr)
	rows, err := b.query()
	if err != nil {
		return 0, s.dbError(fmt.Sprintf("count rows of %s", tableName(m)), err)
	}
	defer rows.Close()
	var n int64
	if rows.Next() {
		err = rows.Scan(&n)
	}
	if err == nil {
		err = rows.Err()
	}
	if err != nil {
		return 0, s.dbError(fmt.Sprintf("count rows of %s", tableName(m)), err)
	}
	return n, nil
}

// readByID reads one full record by id without firing hooks (nil when missing).
func (s *Store) readByID(ctx context.Context, m *schema.Model, id any) (schema.Record, error) {
	recs, err := s.selectRecords(ctx, m, &filter.Filter{Where: idCond(m.IDProperty(), id), Limit: 1})
	if err != nil || len(recs) == 0 {
		return nil, err
	}
	return recs[0], nil
}
