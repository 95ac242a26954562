package store

import (
	"context"
	"fmt"

	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/filter"
	"github.com/loopgo/loopgo/framework/schema"
)

// Relation is one relation of a model resolved for the operations its REST routes need
// (relation_ops.go): the related model, the join model of a through relation, and the stores
// holding each. The operations go through the stores' CRUD, so operation hooks fire.
type Relation struct {
	From         *schema.Model
	Rel          *schema.Relation
	To           *schema.Model
	Through      *schema.Model // hasMany through and hasAndBelongsToMany; else nil
	FromStore    *Store
	ToStore      *Store
	ThroughStore *Store // nil unless Through is set

	keys    relKeys
	linkRel *schema.Relation // To -> Through (for "linked to the parent" conditions)
}

// ResolveRelation resolves relation name of model from, whose records are in st. models finds the
// related models and storeOf the stores holding them; nil (or a nil result) means st's links, and
// st itself for the stores.
func ResolveRelation(st *Store, from *schema.Model, name string, models filter.Models, storeOf func(model string) *Store) (*Relation, error) {
	rel := from.Relation(name)
	if rel == nil {
		return nil, fmt.Errorf("store: model %s has no relation %q", from.Name, name)
	}
	lookup := func(model string) *schema.Model {
		if models != nil {
			if m := models.Model(model); m != nil {
				return m
			}
		}
		return st.lookupModel(model)
	}
	storeFor := func(m *schema.Model) *Store {
		if storeOf != nil {
			if s := storeOf(m.Name); s != nil {
				return s
			}
		}
		return st.storeOf(m)
	}
	var through *schema.Model
	if rel.Through != "" {
		if through = lookup(rel.Through); through == nil {
			return nil, fmt.Errorf("store: relation %s.%s: through model %q is unknown", from.Name, name, rel.Through)
		}
	}
	to := lookup(rel.Model)
	if to == nil {
		return nil, fmt.Errorf("store: relation %s.%s: model %q is unknown", from.Name, name, rel.Model)
	}
	for _, m := range []*schema.Model{from, to, through} {
		if m != nil {
			if err := checkModel(m); err != nil {
				return nil, fmt.Errorf("store: relation %s.%s: %w", from.Name, name, err)
			}
		}
	}
	keys, err := keysOf(from, rel, to, through)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	r := &Relation{From: from, Rel: rel, To: to, Through: through, FromStore: st, ToStore: storeFor(to), keys: keys}
	if through != nil {
		r.ThroughStore = storeFor(through)
		r.linkRel = &schema.Relation{Name: rel.Name + "Links", Type: schema.HasMany, Model: through.Name,
			ForeignKey: keys.viaTo.Name, PrimaryKey: keys.to.Name}
	}
	return r, nil
}

// Single reports whether the relation has at most one related record (belongsTo, hasOne).
func (r *Relation) Single() bool { return r.keys.single }

// IsThrough reports whether the relation goes through a join model.
func (r *Relation) IsThrough() bool { return r.keys.kind == kindThrough }

// wrongKind is the error of an operation the relation's type does not have.
func (r *Relation) wrongKind(op string) error {
	return r.FromStore.internal(r.From, fmt.Errorf("%s is not an operation of %s relation %s", op, r.Rel.Type, r.Rel.Name))
}

// parentKey returns the parent's value of the key the relation joins on (its foreign key for a
// belongsTo, the referenced key otherwise); nil when the parent or the value is missing.
func (r *Relation) parentKey(ctx context.Context, parentID any) (any, error) {
	idp := r.From.IDProperty()
	if r.keys.from == idp {
		id, ok := normID(idp, parentID)
		if !ok {
			return nil, nil
		}
		return id, nil
	}
	id, ok := normID(idp, parentID)
	if !ok {
		return nil, nil
	}
	rec, err := r.FromStore.readByID(ctx, r.From, id)
	if err != nil || rec == nil {
		return nil, err
	}
	return rec[r.keys.from.Name], nil
}

// related is the condition on To selecting the records related to a parent whose key is key.
func (r *Relation) related(ctx context.Context, key any) (filter.Cond, error) {
	if r.keys.kind != kindThrough {
		return eqCond(r.keys.to, key), nil
	}
	viaParent := eqCond(r.keys.viaFrom, key)
	if r.ThroughStore == r.ToStore {
		return &filter.Related{Relation: r.linkRel.Name, Rel: r.linkRel, Target: r.Through, Where: viaParent}, nil
	}
	links, err := r.ThroughStore.selectRecords(ctx, r.Through, &filter.Filter{Where: viaParent,
		Fields: &filter.Fields{Include: []string{r.keys.viaTo.Name}}})
	if err != nil {
		return nil, err
	}
	return inCond(r.keys.to, distinctKeys(links, r.keys.viaTo.Name)), nil
}

// scoped merges the relation's definition scope, the caller's filter and the condition selecting
// the parent's related records.
func (r *Relation) scoped(ctx context.Context, parentKey any, f *filter.Filter) (*filter.Filter, error) {
	def, err := r.ToStore.relationScope(r.Rel, r.To)
	if err != nil {
		return nil, r.ToStore.internal(r.To, err)
	}
	q := mergeScope(def, f)
	cond, err := r.related(ctx, parentKey)
	if err != nil {
		return nil, err
	}
	q.Where = andCond(cond, q.Where)
	return q, nil
}

// eqCond is {p: v}.
func eqCond(p *schema.Property, v any) filter.Cond {
	return &filter.Cmp{Property: p.Name, Prop: p, Op: filter.Eq, Value: v}
}

// keepForeignKey refuses data that would move a related record to another parent, as LoopBack's
// preventFkOverride does.
func keepForeignKey(fk *schema.Property, data map[string]any, current any) error {
	v, has := data[fk.Name]
	if !has {
		return nil
	}
	a, okA := keyOf(v)
	b, okB := keyOf(current)
	if okA != okB || a != b {
		return apierr.BadRequest("", "Cannot override foreign key %s from %v to %v", fk.Name, current, v)
	}
	return nil
}

// withValue returns a copy of data with key set to v.
func withValue(data map[string]any, key string, v any) map[string]any {
	out := make(map[string]any, len(data)+1)
	for k, x := range data {
		out[k] = x
	}
	out[key] = v
	return out
}
