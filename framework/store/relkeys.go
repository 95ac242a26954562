package store

import (
	"fmt"

	"github.com/loopgo/loopgo/framework/schema"
)

// relKind classifies relations by where their keys are.
type relKind int

const (
	kindBelongsTo relKind = iota // the parent holds the foreign key
	kindHasMany                  // hasOne, hasMany: the related model holds the foreign key
	kindThrough                  // hasMany through, hasAndBelongsToMany: a join model holds both
)

// relKeys are the properties that join a model's records to the records of a relation.
type relKeys struct {
	kind    relKind
	single  bool             // belongsTo, hasOne: at most one related record
	from    *schema.Property // on the parent: the foreign key (belongsTo), else the referenced key
	to      *schema.Property // on the related model: the foreign key (hasMany), else the referenced key
	through *schema.Model    // the join model (kindThrough)
	viaFrom *schema.Property // on the join model: the key holding the parent's key
	viaTo   *schema.Property // on the join model: the key holding the related record's key
}

// keysOf resolves the keys of rel from model from to model to (through: the join model, needed
// for through relations). Names left empty get LoopBack's defaults, as schema.Resolve fills them.
func keysOf(from *schema.Model, rel *schema.Relation, to, through *schema.Model) (relKeys, error) {
	if rel.Polymorphic != nil {
		return relKeys{}, fmt.Errorf("relation %s.%s is polymorphic, which includes and relation methods do not support", from.Name, rel.Name)
	}
	prop := func(m *schema.Model, name, role string) (*schema.Property, error) {
		if name == "" {
			if p := m.IDProperty(); p != nil {
				return p, nil
			}
			return nil, fmt.Errorf("relation %s.%s: model %s has no id property (%s)", from.Name, rel.Name, m.Name, role)
		}
		if p := m.Property(name); p != nil {
			return p, nil
		}
		return nil, fmt.Errorf("relation %s.%s: model %s has no property %q (%s)", from.Name, rel.Name, m.Name, name, role)
	}
	var (
		k   relKeys
		err error
	)
	switch {
	case rel.Type == schema.BelongsTo:
		k.kind, k.single = kindBelongsTo, true
		if k.from, err = prop(from, rel.ForeignKeyName(from.Name), "foreignKey"); err != nil {
			return k, err
		}
		k.to, err = prop(to, rel.PrimaryKey, "primaryKey")
		return k, err
	case rel.Through != "" || rel.Type == schema.HasAndBelongsToMany:
		if through == nil {
			return k, fmt.Errorf("relation %s.%s: through model %q is unknown", from.Name, rel.Name, rel.Through)
		}
		k.kind, k.through = kindThrough, through
		if k.from, err = prop(from, rel.PrimaryKey, "primaryKey"); err != nil {
			return k, err
		}
		if k.to, err = prop(to, "", "id"); err != nil {
			return k, err
		}
		if k.viaFrom, err = prop(through, rel.ForeignKeyName(from.Name), "foreignKey"); err != nil {
			return k, err
		}
		k.viaTo, err = prop(through, rel.KeyThroughName(), "keyThrough")
		return k, err
	case rel.Type == schema.HasMany || rel.Type == schema.HasOne:
		k.kind, k.single = kindHasMany, rel.Type == schema.HasOne
		if k.from, err = prop(from, rel.PrimaryKey, "primaryKey"); err != nil {
			return k, err
		}
		k.to, err = prop(to, rel.ForeignKeyName(from.Name), "foreignKey")
		return k, err
	}
	return k, fmt.Errorf("relation %s.%s has unsupported type %q", from.Name, rel.Name, rel.Type)
}
