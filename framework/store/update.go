package store

import (
	"context"

	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/filter"
	"github.com/loopgo/loopgo/framework/schema"
)

// PatchByID applies a partial update to one record (patchAttributes) and returns it; 404 when missing.
func (s *Store) PatchByID(ctx context.Context, m *schema.Model, id any, data map[string]any) (schema.Record, error) {
	return s.writeOne(ctx, m, func(ctx context.Context) (schema.Record, error) {
		return s.patchByID(ctx, m, id, data)
	})
}

// ReplaceByID replaces one record's data (replaceById) and returns it; 404 when missing.
func (s *Store) ReplaceByID(ctx context.Context, m *schema.Model, id any, data map[string]any) (schema.Record, error) {
	return s.writeOne(ctx, m, func(ctx context.Context) (schema.Record, error) {
		return s.replaceByID(ctx, m, id, data)
	})
}

// writeOne checks the model and runs a single-record write in a transaction.
func (s *Store) writeOne(ctx context.Context, m *schema.Model, fn func(ctx context.Context) (schema.Record, error)) (schema.Record, error) {
	if err := checkModel(m); err != nil {
		return nil, s.internal(m, err)
	}
	var out schema.Record
	err := s.Transaction(ctx, func(ctx context.Context) error {
		var err error
		out, err = fn(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// current loads the record an update targets (nil when the id names none).
func (s *Store) current(ctx context.Context, m *schema.Model, id any) (any, schema.Record, error) {
	idv, ok := normID(m.IDProperty(), id)
	if !ok {
		return nil, nil, nil
	}
	cur, err := s.readByID(ctx, m, idv)
	return idv, cur, err
}

// patchByID is LoopBack's patchAttributes inside the caller's transaction.
func (s *Store) patchByID(ctx context.Context, m *schema.Model, id any, data map[string]any) (schema.Record, error) {
	idp := m.IDProperty()
	idv, cur, err := s.current(ctx, m, id)
	if err != nil {
		return nil, err
	}
	if cur == nil {
		return nil, apierr.NotFound(msgNotFoundPatch, id)
	}
	rec, err := prepare(m, data, true)
	if err != nil {
		return nil, err
	}
	if v, has := rec[idp.Name]; has {
		if v != nil && !sameID(idp, v, idv) {
			return nil, apierr.BadRequest("", msgIDPatch, idv, v)
		}
		delete(rec, idp.Name)
	}

	state := map[string]any{}
	bc := newHC(m, HookBeforeSave, state)
	bc.Where, bc.Data, bc.CurrentInstance = idCond(idp, idv), rec, cur
	if err := s.fire(ctx, bc); err != nil {
		return nil, err
	}
	rec = bc.Data
	if err := s.validate(ctx, m, rec, cur, true, idv); err != nil {
		return nil, err
	}
	pc := newHC(m, HookPersist, state)
	pc.Where, pc.Data, pc.CurrentInstance = idCond(idp, idv), rec, cur
	if err := s.fire(ctx, pc); err != nil {
		return nil, err
	}
	rec = pc.Data
	delete(rec, idp.Name)
	if err := s.updateByID(ctx, m, idv, rec, cur, false); err != nil {
		return nil, err
	}
	return s.finishWrite(ctx, m, idv, false, state, nil)
}

// replaceByID is LoopBack's replaceById inside the caller's transaction: properties absent
// from data become NULL (or their defaults).
func (s *Store) replaceByID(ctx context.Context, m *schema.Model, id any, data map[string]any) (schema.Record, error) {
	idp := m.IDProperty()
	idv, cur, err := s.current(ctx, m, id)
	if err != nil {
		return nil, err
	}
	if cur == nil {
		return nil, apierr.NotFound(msgNotFoundReplace, id)
	}
	rec, err := prepare(m, data, false)
	if err != nil {
		return nil, err
	}
	if v, has := rec[idp.Name]; has && v != nil && !sameID(idp, v, idv) {
		return nil, apierr.BadRequest("", msgIDReplace, idp.Name, idv, v)
	}
	rec[idp.Name] = idv
	m.ApplyDefaults(rec, s.now())

	state := map[string]any{}
	bc := newHC(m, HookBeforeSave, state)
	bc.Instance = rec
	if err := s.fire(ctx, bc); err != nil {
		return nil, err
	}
	rec = bc.Instance
	if err := s.validate(ctx, m, rec, nil, false, idv); err != nil {
		return nil, err
	}
	pc := newHC(m, HookPersist, state)
	pc.Data, pc.CurrentInstance = rec, cur
	if err := s.fire(ctx, pc); err != nil {
		return nil, err
	}
	rec = pc.Data
	if err := s.updateByID(ctx, m, idv, rec, cur, true); err != nil {
		return nil, err
	}
	return s.finishWrite(ctx, m, idv, false, state, rec)
}

// updateByID writes rec to the record with id idv (replace: every column).
func (s *Store) updateByID(ctx context.Context, m *schema.Model, idv any, rec, cur schema.Record, replace bool) error {
	sets, err := s.updateSets(m, rec, cur, replace)
	if err != nil || len(sets) == 0 {
		return err
	}
	_, err = s.execUpdate(ctx, m, sets, idCond(m.IDProperty(), idv), rec)
	return err
}

// UpdateAll applies data to every record matching where and returns the count. Hooks:
// "access", "before save" (where, data), "persist", "after save" (where, data, count).
func (s *Store) UpdateAll(ctx context.Context, m *schema.Model, where filter.Cond, data map[string]any) (int64, error) {
	if err := checkModel(m); err != nil {
		return 0, s.internal(m, err)
	}
	var count int64
	err := s.Transaction(ctx, func(ctx context.Context) error {
		var err error
		count, err = s.updateAll(ctx, m, where, data)
		return err
	})
	if err != nil {
		return 0, err
	}
	return count, nil
}

func (s *Store) updateAll(ctx context.Context, m *schema.Model, where filter.Cond, data map[string]any) (int64, error) {
	idp := m.IDProperty()
	rec, err := prepare(m, data, true)
	if err != nil {
		return 0, err
	}
	if _, has := rec[idp.Name]; has {
		return 0, apierr.BadRequest("", msgIDUpdateAll)
	}
	state := map[string]any{}
	q, err := s.access(ctx, m, &filter.Filter{Where: where}, state)
	if err != nil {
		return 0, err
	}
	bc := newHC(m, HookBeforeSave, state)
	bc.Where, bc.Data = q.Where, rec
	if err := s.fire(ctx, bc); err != nil {
		return 0, err
	}
	where, rec = bc.Where, bc.Data
	if verr := m.Validate(rec, true); !verr.Empty() {
		return 0, verr
	}
	pc := newHC(m, HookPersist, state)
	pc.Where, pc.Data = where, rec
	if err := s.fire(ctx, pc); err != nil {
		return 0, err
	}
	rec = pc.Data
	delete(rec, idp.Name)
	count, err := s.updateAllRecords(ctx, m, where, rec)
	if err != nil {
		return 0, err
	}
	ac := newHC(m, HookAfterSave, state)
	ac.Where, ac.Data, ac.Count = where, rec, count
	if err := s.fire(ctx, ac); err != nil {
		return 0, err
	}
	return count, nil
}

// updateWhere updates the matching rows and returns how many matched. Undeclared properties
// of a non-strict model are merged into each row's _extra, one row at a time.
func (s *Store) updateWhere(ctx context.Context, m *schema.Model, where filter.Cond, rec schema.Record) (int64, error) {
	if len(extraOf(m, rec)) > 0 {
		rows, err := s.selectRecords(ctx, m, &filter.Filter{Where: where})
		if err != nil {
			return 0, err
		}
		idName := m.IDProperty().Name
		for _, cur := range rows {
			if err := s.updateByID(ctx, m, cur[idName], rec, cur, false); err != nil {
				return 0, err
			}
		}
		return int64(len(rows)), nil
	}
	sets, err := s.updateSets(m, rec, nil, false)
	if err != nil {
		return 0, err
	}
	if len(sets) == 0 {
		return s.countWhere(ctx, m, where)
	}
	return s.execUpdate(ctx, m, sets, where, rec)
}
