package store

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"gorm.io/gorm/clause"

	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/schema"
)

// uniqueRule is one property whose values must be unique, with its error message.
type uniqueRule struct {
	prop *schema.Property
	msg  string
}

// uniqueRules collects the uniqueness rules of m: UniqueProperties(), `unique: true` and
// uniqueness validations (a validation's message overrides LoopBack's "is not unique").
func uniqueRules(m *schema.Model) []uniqueRule {
	msgs := map[string]string{}
	var order []string
	add := func(name, msg string) {
		if m.Property(name) == nil {
			return
		}
		if _, seen := msgs[name]; !seen {
			order = append(order, name)
			msgs[name] = msgUniqueness
		}
		if msg != "" {
			msgs[name] = msg
		}
	}
	for _, name := range m.UniqueProperties() {
		add(name, "")
	}
	for _, p := range m.Properties {
		if p.Unique && !p.ID {
			add(p.Name, "")
		}
	}
	for _, v := range m.Validations {
		if v.Kind == "uniqueness" {
			add(v.Property, v.Message)
		}
	}
	out := make([]uniqueRule, 0, len(order))
	for _, name := range order {
		if p := m.Property(name); !p.ID {
			out = append(out, uniqueRule{prop: p, msg: msgs[name]})
		}
	}
	return out
}

// checkUnique adds a uniqueness failure to verr for every unique property of rec whose value
// another record already has. Blank values are skipped; selfID (non-nil for updates) excludes
// the record itself; with cur, only values that differ from cur are checked.
func (s *Store) checkUnique(ctx context.Context, m *schema.Model, rec, cur schema.Record, selfID any, verr *apierr.ValidationError) error {
	idp := m.IDProperty()
	for _, r := range uniqueRules(m) {
		v, ok := rec[r.prop.Name]
		if !ok || isBlank(v) {
			continue
		}
		if cur != nil && reflect.DeepEqual(cur[r.prop.Name], v) {
			continue
		}
		dbv, err := s.toDB(r.prop, v)
		if err != nil {
			return err
		}
		exprs := []clause.Expression{clause.Eq{Column: clause.Column{Name: colName(r.prop)}, Value: dbv}}
		if selfID != nil {
			idv, err := s.toDB(idp, selfID)
			if err != nil {
				return err
			}
			exprs = append(exprs, clause.Neq{Column: clause.Column{Name: colName(idp)}, Value: idv})
		}
		var n int64
		if err := s.table(ctx, m).Clauses(clause.Where{Exprs: []clause.Expression{and(exprs...)}}).Count(&n).Error; err != nil {
			return s.dbError(fmt.Sprintf("check uniqueness of %s.%s", tableName(m), colName(r.prop)), err)
		}
		if n > 0 {
			verr.Add(r.prop.Name, "uniqueness", r.msg, shownValue(m, r.prop.Name, v))
		}
	}
	return nil
}

// shownValue is the value quoted in a ValidationError message (nil for hidden properties).
func shownValue(m *schema.Model, name string, v any) any {
	if m.IsHidden(name) {
		return nil
	}
	return v
}

// translateWriteError turns a unique-index violation (a concurrent writer won the race after
// the uniqueness check) into the same 422 uniqueness error, or a duplicate id into 409; other
// errors are internal.
func (s *Store) translateWriteError(m *schema.Model, rec schema.Record, op string, err error) error {
	index, column, ok := s.dl.uniqueViolation(err)
	if !ok {
		return s.dbError(op, err)
	}
	table := tableName(m)
	for _, r := range uniqueRules(m) {
		col := colName(r.prop)
		if strings.EqualFold(index, indexName("uq", table, col)) || strings.EqualFold(column, col) {
			verr := apierr.NewValidation(m.Name)
			verr.Add(r.prop.Name, "uniqueness", r.msg, shownValue(m, r.prop.Name, rec[r.prop.Name]))
			return verr
		}
	}
	idp := m.IDProperty()
	if strings.EqualFold(column, colName(idp)) || strings.EqualFold(index, "PRIMARY") || strings.HasSuffix(strings.ToLower(index), "_pkey") {
		return apierr.New(409, "", msgDuplicateID, m.Name, idp.Name)
	}
	return s.dbError(op, err)
}
