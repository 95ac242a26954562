package store

import (
	"context"
	"encoding/json"
	"fmt"

	"gorm.io/gorm/clause"

	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/filter"
	"github.com/loopgo/loopgo/framework/schema"
)

// prepare runs schema's PrepareData (strict mode, coercion) and returns a copy the operation
// may change without touching the caller's map.
func prepare(m *schema.Model, data map[string]any, partial bool) (schema.Record, error) {
	rec, err := m.PrepareData(data, partial)
	if err != nil {
		return nil, err
	}
	out := make(schema.Record, len(rec))
	for k, v := range rec {
		out[k] = v
	}
	return out, nil
}

// extraOf returns the undeclared properties of rec that a non-strict model stores in _extra.
func extraOf(m *schema.Model, rec schema.Record) map[string]any {
	if m.Strict != schema.StrictFalse {
		return nil
	}
	var out map[string]any
	for k, v := range rec {
		if m.Property(k) == nil {
			if out == nil {
				out = map[string]any{}
			}
			out[k] = v
		}
	}
	return out
}

// extraValue encodes undeclared properties for the _extra column (nil when there are none).
func (s *Store) extraValue(extra map[string]any) (any, error) {
	if len(extra) == 0 {
		return nil, nil
	}
	text, err := json.Marshal(extra)
	if err != nil {
		return nil, apierr.BadRequest("", "Undeclared properties cannot be stored as JSON").WithCause(err)
	}
	return s.dl.jsonValue(string(text)), nil
}

// validate runs schema validations and the uniqueness checks; it returns a
// *apierr.ValidationError when anything failed.
func (s *Store) validate(ctx context.Context, m *schema.Model, rec, cur schema.Record, partial bool, selfID any) error {
	verr := m.Validate(rec, partial)
	if verr == nil {
		verr = apierr.NewValidation(m.Name)
	}
	if err := s.checkUnique(ctx, m, rec, cur, selfID, verr); err != nil {
		return err
	}
	return verr.Err()
}

// finishWrite re-reads a written record (so types and defaults are as stored), fires "loaded"
// and "after save", and returns the instance.
//
// built is the instance a create or replace wrote: the answer then holds only its properties
// (as LoopBack answers the instance it built, without the properties nobody set) with their
// stored values, and the id. A patch passes nil and answers the whole stored record.
func (s *Store) finishWrite(ctx context.Context, m *schema.Model, id any, isNew bool, state map[string]any, built schema.Record) (schema.Record, error) {
	stored, err := s.readByID(ctx, m, id)
	if err != nil {
		return nil, err
	}
	if stored == nil {
		return nil, s.internal(m, fmt.Errorf("record %v not found right after it was written", id))
	}
	if isNew {
		s.raise(ctx, m, ChangeCreate, id, stored)
	} else {
		s.raise(ctx, m, ChangeUpdate, id, stored)
	}
	if built != nil {
		idName := m.IDProperty().Name
		for k := range stored {
			if _, set := built[k]; !set && k != idName {
				delete(stored, k)
			}
		}
	}
	lc := newHC(m, HookLoaded, state)
	lc.Data, lc.IsNewInstance = stored, isNew
	if err := s.fire(ctx, lc); err != nil {
		return nil, err
	}
	ac := newHC(m, HookAfterSave, state)
	ac.Instance, ac.IsNewInstance = lc.Data, isNew
	if err := s.fire(ctx, ac); err != nil {
		return nil, err
	}
	return ac.Instance, nil
}

// setList is the SET part of an UPDATE: quoted columns, bound values.
type setList []setItem

type setItem struct {
	col string
	val any
}

// Build writes col = ?, ...
func (l setList) Build(b clause.Builder) {
	for i, it := range l {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteQuoted(clause.Column{Name: it.col})
		b.WriteString(" = ")
		b.AddVar(b, it.val)
	}
}

// updateSets converts rec to SET items: present declared properties (every non-id property
// when replace, absent ones as NULL) and the _extra column.
func (s *Store) updateSets(m *schema.Model, rec, cur schema.Record, replace bool) (setList, error) {
	var sets setList
	for _, p := range m.Properties {
		if p.ID {
			continue
		}
		v, has := rec[p.Name]
		if !has && !replace {
			continue
		}
		dbv, err := s.toDB(p, v)
		if err != nil {
			return nil, err
		}
		sets = append(sets, setItem{col: colName(p), val: dbv})
	}
	if m.Strict == schema.StrictFalse {
		extra := extraOf(m, rec)
		if !replace {
			if len(extra) == 0 {
				return sets, nil
			}
			merged := extraOf(m, cur)
			if merged == nil {
				merged = map[string]any{}
			}
			for k, v := range extra {
				merged[k] = v
			}
			extra = merged
		}
		ev, err := s.extraValue(extra)
		if err != nil {
			return nil, err
		}
		sets = append(sets, setItem{col: extraColumn, val: ev})
	}
	return sets, nil
}

// execUpdate runs UPDATE table SET sets WHERE where and returns the matched row count.
func (s *Store) execUpdate(ctx context.Context, m *schema.Model, sets setList, where filter.Cond, rec schema.Record) (int64, error) {
	expr, err := s.whereExpr(m, where)
	if err != nil {
		return 0, err
	}
	res := s.DB(ctx).Exec("UPDATE ? SET ? WHERE ?", clause.Table{Name: tableName(m)}, sets, expr)
	if res.Error != nil {
		return 0, s.translateWriteError(m, rec, "update "+tableName(m), res.Error)
	}
	return res.RowsAffected, nil
}
