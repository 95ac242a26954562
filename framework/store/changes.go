package store

import (
	"context"
	"fmt"
	"sync/atomic"

	"gorm.io/gorm/clause"

	"github.com/loopgo/loopgo/framework/filter"
	"github.com/loopgo/loopgo/framework/schema"
)

// Change types, as LoopBack's change streams name them.
const (
	ChangeCreate = "create"
	ChangeUpdate = "update"
	ChangeRemove = "remove"
)

// Change is one change of one record, raised by every write of the store (create, patch,
// replace, upserts, updateAll, deletes) once per affected record, and handed to the
// ChangeListener after the transaction that made it commits.
type Change struct {
	Model *schema.Model
	Type  string        // ChangeCreate, ChangeUpdate or ChangeRemove
	ID    any           // the record's id
	Data  schema.Record // every column as stored after the write; for a removal, as it was before
}

// ChangeListener receives the changes a store commits.
type ChangeListener interface {
	// Wants reports whether changes of m are wanted at all; when it is false the store does no
	// work for them (bulk writes then read no affected records).
	Wants(m *schema.Model) bool
	// Committed receives the changes of one committed transaction, in the order they were made.
	// It is called after the commit, outside the transaction, and must not block for long.
	Committed(changes []Change)
}

// changeHub holds a store's listener.
type changeHub struct {
	l atomic.Pointer[ChangeListener]
}

// changeQueueKey carries the changes of a store's open transaction in a context.
type changeQueueKey struct{ s *Store }

// changeQueue collects the changes of one transaction until it commits.
type changeQueue struct {
	list []Change
}

// SetChangeListener installs l, which receives every committed change from now on; nil removes
// it. Transactions open at that moment deliver the changes they queued after it was set.
func (s *Store) SetChangeListener(l ChangeListener) {
	if l == nil {
		s.changes.l.Store(nil)
		return
	}
	s.changes.l.Store(&l)
}

// listener returns the installed listener, or nil.
func (s *Store) listener() ChangeListener {
	if p := s.changes.l.Load(); p != nil {
		return *p
	}
	return nil
}

// wantsChanges reports whether changes of m must be raised.
func (s *Store) wantsChanges(m *schema.Model) bool {
	l := s.listener()
	return l != nil && l.Wants(m)
}

// withChangeQueue returns ctx carrying a fresh queue for a transaction that starts.
func (s *Store) withChangeQueue(ctx context.Context) (context.Context, *changeQueue) {
	q := &changeQueue{}
	return context.WithValue(ctx, changeQueueKey{s}, q), q
}

// publish hands a committed transaction's changes to the listener.
func (s *Store) publish(q *changeQueue) {
	if q == nil || len(q.list) == 0 {
		return
	}
	if l := s.listener(); l != nil {
		l.Committed(q.list)
	}
}

// raise queues a change in ctx's transaction (every write runs in one); outside a transaction
// it is delivered at once. data is copied, so hooks that change the caller's record later do
// not change the event.
func (s *Store) raise(ctx context.Context, m *schema.Model, typ string, id any, data schema.Record) {
	if !s.wantsChanges(m) {
		return
	}
	c := Change{Model: m, Type: typ, ID: id, Data: copyRecord(data)}
	if q, ok := ctx.Value(changeQueueKey{s}).(*changeQueue); ok {
		q.list = append(q.list, c)
		return
	}
	s.publish(&changeQueue{list: []Change{c}})
}

// copyRecord copies a record, its object and list values too: subscribers read the copy on
// other goroutines while the writer's caller may change the original.
func copyRecord(r schema.Record) schema.Record {
	if r == nil {
		return nil
	}
	out := make(schema.Record, len(r))
	for k, v := range r {
		out[k] = copyValue(v)
	}
	return out
}

func copyValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = copyValue(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = copyValue(e)
		}
		return out
	}
	return v
}

// affectedIDs returns the ids of the records matching where, locking their rows for the rest of
// the transaction on PostgreSQL and MySQL (SELECT ... FOR UPDATE), so that the write that follows
// changes exactly these records; SQLite's write transactions are serialised already.
func (s *Store) affectedIDs(ctx context.Context, m *schema.Model, where filter.Cond) ([]any, error) {
	idp := m.IDProperty()
	expr, err := s.whereExpr(m, where)
	if err != nil {
		return nil, err
	}
	q := s.table(ctx, m).Clauses(clause.Select{Columns: []clause.Column{{Name: colName(idp)}}},
		clause.Where{Exprs: []clause.Expression{expr}})
	if s.dialect != "sqlite" {
		q = q.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate})
	}
	rows, err := q.Rows()
	if err != nil {
		return nil, s.dbError("select affected rows of "+tableName(m), err)
	}
	defer rows.Close()
	var ids []any
	for rows.Next() {
		var raw any
		if err := rows.Scan(&raw); err != nil {
			return nil, s.dbError("read affected rows of "+tableName(m), err)
		}
		id, err := fromDB(idp, raw)
		if err != nil {
			return nil, s.dbError("read affected rows of "+tableName(m), err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, s.dbError("read affected rows of "+tableName(m), err)
	}
	return ids, nil
}

// recordsByIDs reads the full records with these ids, without hooks.
func (s *Store) recordsByIDs(ctx context.Context, m *schema.Model, ids []any) ([]schema.Record, error) {
	var out []schema.Record
	for _, chunk := range chunks(ids) {
		recs, err := s.selectRecords(ctx, m, &filter.Filter{Where: inCond(m.IDProperty(), chunk)})
		if err != nil {
			return nil, err
		}
		out = append(out, recs...)
	}
	return out, nil
}

// updateAllRecords is updateAll's UPDATE. When changes of m are wanted it first reads (and
// locks) the ids of the matching records, updates exactly those, re-reads them and raises one
// update per record; otherwise it is a single UPDATE.
func (s *Store) updateAllRecords(ctx context.Context, m *schema.Model, where filter.Cond, rec schema.Record) (int64, error) {
	if !s.wantsChanges(m) {
		return s.updateWhere(ctx, m, where, rec)
	}
	ids, err := s.affectedIDs(ctx, m, where)
	if err != nil {
		return 0, err
	}
	var count int64
	for _, chunk := range chunks(ids) {
		n, err := s.updateWhere(ctx, m, andCond(inCond(m.IDProperty(), chunk), where), rec)
		if err != nil {
			return 0, err
		}
		count += n
	}
	recs, err := s.recordsByIDs(ctx, m, ids)
	if err != nil {
		return 0, err
	}
	idName := m.IDProperty().Name
	for _, r := range recs {
		s.raise(ctx, m, ChangeUpdate, r[idName], r)
	}
	return count, nil
}

// deleteMatching is the DELETE of deleteById and deleteAll. When changes of m are wanted it
// first reads (and locks) the matching records, deletes exactly those and raises one remove
// per record, with its data as it was; otherwise it is a single DELETE.
func (s *Store) deleteMatching(ctx context.Context, m *schema.Model, where filter.Cond) (int64, error) {
	if !s.wantsChanges(m) {
		return s.execDelete(ctx, m, where)
	}
	ids, err := s.affectedIDs(ctx, m, where)
	if err != nil {
		return 0, err
	}
	recs, err := s.recordsByIDs(ctx, m, ids)
	if err != nil {
		return 0, err
	}
	var count int64
	for _, chunk := range chunks(ids) {
		n, err := s.execDelete(ctx, m, andCond(inCond(m.IDProperty(), chunk), where))
		if err != nil {
			return 0, err
		}
		count += n
	}
	idName := m.IDProperty().Name
	for _, r := range recs {
		s.raise(ctx, m, ChangeRemove, r[idName], r)
	}
	return count, nil
}

// execDelete runs DELETE FROM table WHERE where and returns the deleted row count.
func (s *Store) execDelete(ctx context.Context, m *schema.Model, where filter.Cond) (int64, error) {
	expr, err := s.whereExpr(m, where)
	if err != nil {
		return 0, err
	}
	res := s.DB(ctx).Exec("DELETE FROM ? WHERE ?", clause.Table{Name: tableName(m)}, expr)
	if res.Error != nil {
		return 0, s.dbError(fmt.Sprintf("delete from %s", tableName(m)), res.Error)
	}
	return res.RowsAffected, nil
}
