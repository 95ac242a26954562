package store

import (
	"context"
	"fmt"
	"maps"

	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/filter"
	"github.com/loopgo/loopgo/framework/schema"
)

// include attaches to each record of recs (records of m) the related records of every include:
// belongsTo and hasOne as a record or nil, hasMany (through too) as a list, possibly empty.
func (s *Store) include(ctx context.Context, m *schema.Model, recs []schema.Record, incs []filter.Include) error {
	if len(recs) == 0 {
		return nil
	}
	for _, inc := range incs {
		if err := s.includeOne(ctx, m, recs, inc); err != nil {
			return err
		}
	}
	return nil
}

// includeOne serves one include with one read of the related model (per maxKeysPerQuery
// parents): the related records of every parent at once, stitched to the parents by key. The
// relation's definition scope and the include's scope apply; a hasMany scope's limit and skip
// apply to each parent.
func (s *Store) includeOne(ctx context.Context, m *schema.Model, recs []schema.Record, inc filter.Include) error {
	rel, err := relationOf(m, inc.Relation, inc.Rel)
	if err != nil {
		return err
	}
	if rel.DisableInclude {
		return nil
	}
	if rel.Polymorphic != nil {
		return apierr.BadRequest("", "Relation %q of %s is polymorphic, which include does not support", rel.Name, m.Name)
	}
	to, through, keys, err := s.relatedModels(m, rel, inc.Target, inc.Through)
	if err != nil {
		return s.internal(m, fmt.Errorf("include %s: %w", rel.Name, err))
	}
	ts := s.storeOf(to)
	if through != nil && s.storeOf(through) != ts {
		return s.internal(m, fmt.Errorf("include %s: the through model %s must be stored with %s", rel.Name, through.Name, to.Name))
	}
	def, err := s.relationScope(rel, to)
	if err != nil {
		return s.internal(m, err)
	}
	q := mergeScope(def, inc.Scope)
	b := &batch{keys: distinctKeys(recs, keys.from.Name), perParent: !keys.single}
	if keys.kind == kindThrough {
		b.through = &keys
	} else {
		b.key = keys.to
	}
	if keys.single {
		q.Limit, q.Skip = 0, 0
	}
	var (
		rows    []schema.Record
		parents []any
	)
	if len(b.keys) > 0 {
		if rows, parents, err = ts.findRows(ctx, to, q, map[string]any{}, b); err != nil {
			return err
		}
	}
	byKey := map[string][]schema.Record{}
	for i, r := range rows {
		if k, ok := keyOf(parents[i]); ok {
			byKey[k] = append(byKey[k], r)
		}
	}
	for _, rec := range recs {
		var list []schema.Record
		if k, ok := keyOf(rec[keys.from.Name]); ok {
			list = byKey[k]
		}
		if keys.single {
			if len(list) == 0 {
				rec[rel.Name] = nil
			} else {
				rec[rel.Name] = maps.Clone(list[0])
			}
			continue
		}
		out := make([]schema.Record, len(list))
		for i, r := range list {
			out[i] = maps.Clone(r)
		}
		rec[rel.Name] = out
	}
	return nil
}

// relationOf returns rel when set, else m's relation of that name; an unknown name is the
// client's error, as in filter.Parse.
func relationOf(m *schema.Model, name string, rel *schema.Relation) (*schema.Relation, error) {
	if rel != nil {
		return rel, nil
	}
	if rel = m.Relation(name); rel == nil {
		return nil, apierr.BadRequest("", "Relation %q is not defined for %s model", name, m.Name)
	}
	return rel, nil
}

// includeKeys lists the properties of m that the includes match related records with: the
// foreign key of a belongsTo, the referenced key (default id) of the others.
func includeKeys(m *schema.Model, incs []filter.Include) ([]string, error) {
	var out []string
	for _, inc := range incs {
		rel, err := relationOf(m, inc.Relation, inc.Rel)
		if err != nil {
			return nil, err
		}
		name := rel.PrimaryKey
		if rel.Type == schema.BelongsTo {
			name = rel.ForeignKeyName(m.Name)
		} else if name == "" {
			if idp := m.IDProperty(); idp != nil {
				name = idp.Name
			}
		}
		if name != "" {
			out = append(out, name)
		}
	}
	return out, nil
}

// withFields returns fields changed so that the properties in need are read, and which of them
// the caller's fields left out (to remove from the results again).
func withFields(m *schema.Model, f *filter.Fields, need []string) (*filter.Fields, []string) {
	if f == nil || len(need) == 0 || (len(f.Include) == 0 && len(f.Exclude) == 0) {
		return f, nil
	}
	var added []string
	if len(f.Include) > 0 {
		in := append([]string(nil), f.Include...)
		for _, n := range need {
			if m.Property(n) != nil && !contains(in, n) {
				in = append(in, n)
				added = append(added, n)
			}
		}
		return &filter.Fields{Include: in}, added
	}
	var ex []string
	for _, n := range f.Exclude {
		if contains(need, n) {
			if !contains(added, n) {
				added = append(added, n)
			}
			continue
		}
		ex = append(ex, n)
	}
	if len(ex) == 0 {
		return nil, added
	}
	return &filter.Fields{Exclude: ex}, added
}

// contains reports whether list holds s.
func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
