package store

import (
	"context"

	"github.com/loopgo/loopgo/framework/filter"
	"github.com/loopgo/loopgo/framework/schema"
)

// Find returns the records matching f (nil = all). It fires "access" (the query may be changed)
// and "loaded" for every record (the data may be changed). f.Include attaches related records
// under each relation's name (include.go): one query per relation and nesting level.
func (s *Store) Find(ctx context.Context, m *schema.Model, f *filter.Filter) ([]schema.Record, error) {
	if err := checkModel(m); err != nil {
		return nil, s.internal(m, err)
	}
	return s.find(ctx, m, copyFilter(f), map[string]any{})
}

// FindOne returns the first record matching f, or nil when none.
func (s *Store) FindOne(ctx context.Context, m *schema.Model, f *filter.Filter) (schema.Record, error) {
	if err := checkModel(m); err != nil {
		return nil, s.internal(m, err)
	}
	q := copyFilter(f)
	q.Limit = 1
	return first(s.find(ctx, m, q, map[string]any{}))
}

// FindByID returns the record with that id (f may add fields/include), or nil when none.
func (s *Store) FindByID(ctx context.Context, m *schema.Model, id any, f *filter.Filter) (schema.Record, error) {
	if err := checkModel(m); err != nil {
		return nil, s.internal(m, err)
	}
	idp := m.IDProperty()
	idv, ok := normID(idp, id)
	if !ok {
		return nil, nil
	}
	q := copyFilter(f)
	q.Where = andCond(idCond(idp, idv), q.Where)
	q.Limit, q.Skip = 1, 0
	return first(s.find(ctx, m, q, map[string]any{}))
}

// Exists reports whether a record with that id exists (fires "access").
func (s *Store) Exists(ctx context.Context, m *schema.Model, id any) (bool, error) {
	if err := checkModel(m); err != nil {
		return false, s.internal(m, err)
	}
	idp := m.IDProperty()
	idv, ok := normID(idp, id)
	if !ok {
		return false, nil
	}
	n, err := s.count(ctx, m, idCond(idp, idv))
	return n > 0, err
}

// Count counts the records matching where (nil = all); fires "access" with a query holding
// only the where clause.
func (s *Store) Count(ctx context.Context, m *schema.Model, where filter.Cond) (int64, error) {
	if err := checkModel(m); err != nil {
		return 0, s.internal(m, err)
	}
	return s.count(ctx, m, where)
}

func (s *Store) count(ctx context.Context, m *schema.Model, where filter.Cond) (int64, error) {
	q, err := s.access(ctx, m, &filter.Filter{Where: where}, map[string]any{})
	if err != nil {
		return 0, err
	}
	return s.countWhere(ctx, m, q.Where)
}

// find fires "access", selects, includes related records, and fires "loaded" per record.
func (s *Store) find(ctx context.Context, m *schema.Model, q *filter.Filter, state map[string]any) ([]schema.Record, error) {
	recs, _, err := s.findRows(ctx, m, q, state, nil)
	return recs, err
}

// findRows is find, restricted to the records related to a batch of parent keys when b is set;
// it then also returns the parent key of each record. Key properties that includes (or the
// batch) need are read even when q.Fields leaves them out, and removed again afterwards.
func (s *Store) findRows(ctx context.Context, m *schema.Model, q *filter.Filter, state map[string]any, b *batch) ([]schema.Record, []any, error) {
	q, err := s.access(ctx, m, q, state)
	if err != nil {
		return nil, nil, err
	}
	need, err := includeKeys(m, q.Include)
	if err != nil {
		return nil, nil, err
	}
	if b != nil && b.key != nil {
		need = append(need, b.key.Name)
	}
	fields, added := withFields(m, q.Fields, need)
	sel := selectionFor(m, fields)
	var (
		recs    []schema.Record
		parents []any
	)
	if b == nil {
		recs, err = s.selectWith(ctx, m, q, sel)
	} else {
		recs, parents, err = s.selectBatch(ctx, m, q, sel, b)
	}
	if err != nil {
		return nil, nil, err
	}
	if err := s.include(ctx, m, recs, q.Include); err != nil {
		return nil, nil, err
	}
	loaded := s.hooks.chain(m, HookLoaded)
	for i, rec := range recs {
		for _, k := range added {
			delete(rec, k)
		}
		if len(loaded) == 0 {
			continue
		}
		lc := newHC(m, HookLoaded, state)
		lc.Data = rec
		if err := fireHooks(ctx, loaded, lc); err != nil {
			return nil, nil, err
		}
		recs[i] = lc.Data
	}
	return recs, parents, nil
}

// access fires the "access" hooks and returns the (possibly replaced) query.
func (s *Store) access(ctx context.Context, m *schema.Model, q *filter.Filter, state map[string]any) (*filter.Filter, error) {
	hooks := s.hooks.chain(m, HookAccess)
	if len(hooks) == 0 {
		if q == nil {
			return &filter.Filter{}, nil
		}
		return q, nil
	}
	hc := newHC(m, HookAccess, state)
	hc.Query = q
	if err := fireHooks(ctx, hooks, hc); err != nil {
		return nil, err
	}
	if hc.Query == nil {
		return &filter.Filter{}, nil
	}
	return hc.Query, nil
}

// copyFilter returns a copy of f that hooks may change without touching the caller's filter.
func copyFilter(f *filter.Filter) *filter.Filter {
	if f == nil {
		return &filter.Filter{}
	}
	c := *f
	c.Order = append([]filter.Order(nil), f.Order...)
	c.Include = append([]filter.Include(nil), f.Include...)
	return &c
}

// first returns the first record of a result, or nil.
func first(recs []schema.Record, err error) (schema.Record, error) {
	if err != nil || len(recs) == 0 {
		return nil, err
	}
	return recs[0], nil
}
