package store

import "github.com/loopgo/loopgo/framework/schema"

// allModels is what *schema.Registry offers besides Model: every model.
type allModels interface {
	Models() []*schema.Model
}

// foreignKeys names, per model, the properties that hold a relation's foreign key (belongsTo on
// the model itself, hasOne/hasMany on the related model, both keys on a through model), so that
// Migrate indexes them. Relations of the models being migrated count, and so do those of every
// model the store's links know (a relation may point into this store from another).
func (s *Store) foreignKeys(models []*schema.Model) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	add := func(model, prop string) {
		if out[model] == nil {
			out[model] = map[string]bool{}
		}
		out[model][prop] = true
	}
	all := models
	if l := s.links.Load(); l != nil {
		if am, ok := l.Models.(allModels); ok {
			all = append(append([]*schema.Model(nil), models...), am.Models()...)
		}
	}
	for _, m := range all {
		if m == nil {
			continue
		}
		for _, rel := range m.Relations {
			switch {
			case rel.Type == schema.BelongsTo:
				add(m.Name, rel.ForeignKeyName(m.Name))
			case rel.Through != "":
				add(rel.Through, rel.ForeignKeyName(m.Name))
				add(rel.Through, rel.KeyThroughName())
			case rel.Type == schema.HasMany || rel.Type == schema.HasOne:
				add(rel.Model, rel.ForeignKeyName(m.Name))
			}
		}
	}
	return out
}
