package store

import (
	"context"

	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/filter"
	"github.com/loopgo/loopgo/framework/schema"
)

// PatchOrCreate updates the record named by data's id, or creates one (patchOrCreate/upsert).
// Without an id it creates; with an unknown id it creates with that id, unless forceId is set
// (404).
func (s *Store) PatchOrCreate(ctx context.Context, m *schema.Model, data map[string]any) (schema.Record, error) {
	return s.upsertByID(ctx, m, data, s.patchByID, msgNotFoundUpsert)
}

// ReplaceOrCreate replaces the record named by data's id, or creates one.
func (s *Store) ReplaceOrCreate(ctx context.Context, m *schema.Model, data map[string]any) (schema.Record, error) {
	return s.upsertByID(ctx, m, data, s.replaceByID, msgNotFoundReplace)
}

type updateFunc func(ctx context.Context, m *schema.Model, id any, data map[string]any) (schema.Record, error)

func (s *Store) upsertByID(ctx context.Context, m *schema.Model, data map[string]any, update updateFunc, notFound string) (schema.Record, error) {
	return s.writeOne(ctx, m, func(ctx context.Context) (schema.Record, error) {
		idp := m.IDProperty()
		id := data[idp.Name]
		if id == nil {
			return s.create(ctx, m, data)
		}
		exists, err := s.upsertTargetExists(ctx, m, id)
		if err != nil {
			return nil, err
		}
		switch {
		case exists:
			return update(ctx, m, id, data)
		case m.ForceID:
			return nil, apierr.NotFound(notFound, id)
		}
		return s.create(ctx, m, data)
	})
}

// upsertTargetExists looks the id up: through "access" hooks (LoopBack's non-forceId path) or
// directly when forceId is set.
func (s *Store) upsertTargetExists(ctx context.Context, m *schema.Model, id any) (bool, error) {
	idp := m.IDProperty()
	idv, ok := normID(idp, id)
	if !ok {
		return false, nil
	}
	if m.ForceID {
		cur, err := s.readByID(ctx, m, idv)
		return cur != nil, err
	}
	q, err := s.access(ctx, m, &filter.Filter{Where: idCond(idp, idv)}, map[string]any{})
	if err != nil {
		return false, err
	}
	n, err := s.countWhere(ctx, m, q.Where)
	return n > 0, err
}

// UpsertWithWhere patches the single record matching where, or creates one when none matches.
func (s *Store) UpsertWithWhere(ctx context.Context, m *schema.Model, where filter.Cond, data map[string]any) (schema.Record, error) {
	if len(data) == 0 {
		return nil, apierr.BadRequest("", msgEmptyData)
	}
	return s.writeOne(ctx, m, func(ctx context.Context) (schema.Record, error) {
		idName := m.IDProperty().Name
		q, err := s.access(ctx, m, &filter.Filter{Where: where}, map[string]any{})
		if err != nil {
			return nil, err
		}
		matches, err := s.selectRecords(ctx, m, &filter.Filter{
			Where: q.Where, Limit: 2, Fields: &filter.Fields{Include: []string{idName}},
		})
		if err != nil {
			return nil, err
		}
		switch len(matches) {
		case 0:
			return s.create(ctx, m, data)
		case 1:
			if err := s.validateAsInstance(m, data); err != nil {
				return nil, err
			}
			return s.patchByID(ctx, m, matches[0][idName], data)
		}
		return nil, apierr.BadRequest("", msgMultipleUpsert)
	})
}

// validateAsInstance checks upsertWithWhere's data as a whole instance before it patches the
// match, as LoopBack does (unless the model sets validateUpsert: false): a property the model
// requires must be in the data even though the stored record has it.
func (s *Store) validateAsInstance(m *schema.Model, data map[string]any) error {
	if !m.BoolSetting("validateUpsert", true) {
		return nil
	}
	rec, err := prepare(m, data, false)
	if err != nil {
		return err
	}
	m.ApplyDefaults(rec, s.now())
	if verr := m.Validate(rec, false); verr != nil {
		return verr
	}
	return nil
}
