package store

import (
	"context"

	"github.com/loopgo/loopgo/framework/filter"
	"github.com/loopgo/loopgo/framework/schema"
)

// DeleteByID deletes one record and returns how many were deleted (0 or 1).
func (s *Store) DeleteByID(ctx context.Context, m *schema.Model, id any) (int64, error) {
	if err := checkModel(m); err != nil {
		return 0, s.internal(m, err)
	}
	idp := m.IDProperty()
	idv, ok := normID(idp, id)
	if !ok {
		return 0, nil
	}
	return s.deleteWhere(ctx, m, idCond(idp, idv))
}

// DeleteAll deletes the records matching where and returns the count. Hooks: "access",
// "before delete" (where may be changed), "after delete" (where, count).
func (s *Store) DeleteAll(ctx context.Context, m *schema.Model, where filter.Cond) (int64, error) {
	if err := checkModel(m); err != nil {
		return 0, s.internal(m, err)
	}
	return s.deleteWhere(ctx, m, where)
}

func (s *Store) deleteWhere(ctx context.Context, m *schema.Model, where filter.Cond) (int64, error) {
	var count int64
	err := s.Transaction(ctx, func(ctx context.Context) error {
		state := map[string]any{}
		q, err := s.access(ctx, m, &filter.Filter{Where: where}, state)
		if err != nil {
			return err
		}
		bc := newHC(m, HookBeforeDelete, state)
		bc.Where = q.Where
		if err := s.fire(ctx, bc); err != nil {
			return err
		}
		if count, err = s.deleteMatching(ctx, m, bc.Where); err != nil {
			return err
		}
		ac := newHC(m, HookAfterDelete, state)
		ac.Where, ac.Count = bc.Where, count
		return s.fire(ctx, ac)
	})
	if err != nil {
		return 0, err
	}
	return count, nil
}
