package store

import (
	"fmt"

	"github.com/loopgo/loopgo/framework/filter"
	"github.com/loopgo/loopgo/framework/schema"
)

// Links tells a store where the models its relations reach are defined and stored. Filters
// parsed with filter.Parse carry their related models already; Links serves filters built in
// Go and relations whose models live on another datasource.
type Links struct {
	Models  filter.Models             // related models by name (*schema.Registry fits)
	StoreOf func(model string) *Store // the store holding a model; nil, or a nil result, = this store
}

// SetLinks installs the lookups of related models; call it before the store serves requests.
func (s *Store) SetLinks(l Links) { s.links.Store(&l) }

// lookupModel returns the model of that name from the links, or nil.
func (s *Store) lookupModel(name string) *schema.Model {
	if l := s.links.Load(); l != nil && l.Models != nil {
		return l.Models.Model(name)
	}
	return nil
}

// storeOf returns the store holding m: the one the links name, else s.
func (s *Store) storeOf(m *schema.Model) *Store {
	if l := s.links.Load(); l != nil && l.StoreOf != nil && m != nil {
		if other := l.StoreOf(m.Name); other != nil {
			return other
		}
	}
	return s
}

// modelOr returns m when set, else the model named name from the links; an error when neither.
func (s *Store) modelOr(m *schema.Model, name string) (*schema.Model, error) {
	if m != nil {
		return m, nil
	}
	if m = s.lookupModel(name); m == nil {
		return nil, fmt.Errorf("related model %q is unknown (parse the filter with filter.Parse or call Store.SetLinks)", name)
	}
	return m, nil
}

// oneModel is a filter.Models knowing a single model (to parse a relation scope without links).
type oneModel struct{ m *schema.Model }

// Model returns the model when the name is its own.
func (o oneModel) Model(name string) *schema.Model {
	if o.m != nil && o.m.Name == name {
		return o.m
	}
	return nil
}

// relationScope returns the parsed `scope` of a relation definition (nil when it has none),
// parsed once against the related model and cached.
func (s *Store) relationScope(rel *schema.Relation, target *schema.Model) (*filter.Filter, error) {
	if len(rel.Scope) == 0 {
		return nil, nil
	}
	if f, ok := s.scopes.Load(rel); ok {
		return f.(*filter.Filter), nil
	}
	var models filter.Models = oneModel{target}
	if l := s.links.Load(); l != nil && l.Models != nil {
		models = l.Models
	}
	f, err := filter.Parse(rel.Scope, target, models)
	if err != nil {
		return nil, fmt.Errorf("scope of relation %s: %w", rel.Name, err)
	}
	s.scopes.Store(rel, f)
	return f, nil
}

// mergeScope combines a relation's definition scope with a caller's filter, as LoopBack does:
// the where clauses are ANDed, the caller's order, paging and fields win when given, and the
// includes of both apply. The result is a new filter.
func mergeScope(def, user *filter.Filter) *filter.Filter {
	out := copyFilter(user)
	if def == nil {
		return out
	}
	out.Where = andCond(def.Where, out.Where)
	if len(out.Order) == 0 {
		out.Order = append([]filter.Order(nil), def.Order...)
	}
	if out.Limit == 0 && out.Skip == 0 {
		out.Limit, out.Skip = def.Limit, def.Skip
	}
	if out.Fields == nil {
		out.Fields = def.Fields
	}
	out.Include = append(append([]filter.Include(nil), def.Include...), out.Include...)
	return out
}
