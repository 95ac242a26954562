package schema

import (
	"sort"
	"strconv"
	"strings"
)

// relationResolver checks relation targets, fills LoopBack's default keys (lb3.md 6.3) and adds
// foreign key properties that the models do not declare, as LoopBack's juggler does.
type relationResolver struct {
	r      *Registry
	models map[string]*Model
	list   []*Model
}

// run processes the relations of every model (and of the join models it creates).
func (rs *relationResolver) run() error {
	for i := 0; i < len(rs.list); i++ {
		m := rs.list[i]
		syncParent(m)
		for _, rel := range m.Relations {
			if err := rs.relation(m, rel); err != nil {
				return err
			}
		}
	}
	return nil
}

// relErr is a DefinitionError about a relation key.
func relErr(m *Model, rel *Relation, key, msg, hint string) *DefinitionError {
	return &DefinitionError{Pos: rel.Pos, Model: m.Name, Field: join(join("relations", rel.Name), key), Msg: msg, Hint: hint}
}

// target returns the resolved model a relation key names.
func (rs *relationResolver) target(m *Model, rel *Relation, key, name string) (*Model, error) {
	t := rs.models[name]
	if t == nil {
		names := make([]string, 0, len(rs.models))
		for n := range rs.models {
			names = append(names, n)
		}
		sort.Strings(names)
		return nil, relErr(m, rel, key, "unknown model "+strconv.Quote(name),
			"write the name of a defined model: "+strings.Join(names, ", "))
	}
	return t, nil
}

// relation fills one relation's keys and adds its missing foreign key properties.
func (rs *relationResolver) relation(m *Model, rel *Relation) error {
	if m.Property(rel.Name) != nil {
		return relErr(m, rel, "", "relation "+rel.Name+" has the name of a property",
			"rename the relation or the property (relation data is returned under the relation name)")
	}
	if rel.Polymorphic != nil {
		return rs.polymorphic(m, rel)
	}
	to, err := rs.target(m, rel, "model", rel.Model)
	if err != nil {
		return err
	}
	switch rel.Type {
	case BelongsTo:
		if rel.ForeignKey == "" {
			rel.ForeignKey = DefaultBelongsToKey(rel.Name)
		}
		pk, err := rs.key(m, rel, to, &rel.PrimaryKey)
		if err != nil {
			return err
		}
		addForeignKey(m, rel.ForeignKey, pk, rel.Pos)
	case HasOne, HasMany:
		if rel.Through != "" {
			return rs.through(m, rel, to)
		}
		if rel.ForeignKey == "" {
			rel.ForeignKey = DefaultForeignKey(m.Name)
		}
		pk, err := rs.key(m, rel, m, &rel.PrimaryKey)
		if err != nil {
			return err
		}
		addForeignKey(to, rel.ForeignKey, pk, rel.Pos)
	case HasAndBelongsToMany:
		if rel.Through == "" {
			rel.Through = rs.joinModel(m, to)
		}
		return rs.through(m, rel, to)
	}
	return nil
}

// key returns the property named by *name on owner (default: owner's id) and stores its name.
func (rs *relationResolver) key(m *Model, rel *Relation, owner *Model, name *string) (*Property, error) {
	if *name == "" {
		id := owner.IDProperty()
		if id == nil {
			return nil, relErr(m, rel, "primaryKey", "model "+owner.Name+" has no id property",
				"give "+owner.Name+" an id (idInjection: true or a property with id: true), or write primaryKey")
		}
		*name = id.Name
		return id, nil
	}
	p := owner.Property(*name)
	if p == nil {
		return nil, relErr(m, rel, "primaryKey", "model "+owner.Name+" has no property "+strconv.Quote(*name),
			"write primaryKey: <a property of "+owner.Name+">")
	}
	return p, nil
}

// through fills a hasMany-through (or hasAndBelongsToMany) relation: foreignKey points from the
// join model to m, keyThrough from the join model to the target.
func (rs *relationResolver) through(m *Model, rel *Relation, to *Model) error {
	via, err := rs.target(m, rel, "through", rel.Through)
	if err != nil {
		return err
	}
	if rel.ForeignKey == "" {
		rel.ForeignKey = DefaultForeignKey(m.Name)
	}
	if rel.KeyThrough == "" {
		rel.KeyThrough = DefaultForeignKey(to.Name)
	}
	pk, err := rs.key(m, rel, m, &rel.PrimaryKey)
	if err != nil {
		return err
	}
	toID := to.IDProperty()
	if toID == nil {
		return relErr(m, rel, "model", "model "+to.Name+" has no id property", "give "+to.Name+" an id")
	}
	addForeignKey(via, rel.ForeignKey, pk, rel.Pos)
	addForeignKey(via, rel.KeyThrough, toID, rel.Pos)
	return nil
}

// polymorphic fills a polymorphic relation: belongsTo keeps the key and the discriminator on m;
// hasOne/hasMany put them on the target.
func (rs *relationResolver) polymorphic(m *Model, rel *Relation) error {
	poly := rel.Polymorphic
	if poly.As == "" {
		poly.As = rel.Name
	}
	if poly.ForeignKey == "" {
		poly.ForeignKey = DefaultBelongsToKey(poly.As)
	}
	if poly.Discriminator == "" {
		poly.Discriminator = poly.As + "Type"
	}
	if rel.ForeignKey == "" {
		rel.ForeignKey = poly.ForeignKey
	}
	if rel.Type == BelongsTo {
		if rel.Model != "" {
			if _, err := rs.target(m, rel, "model", rel.Model); err != nil {
				return err
			}
		}
		if m.Property(rel.ForeignKey) == nil {
			return relErr(m, rel, "polymorphic", "the foreign key property "+rel.ForeignKey+" is not declared",
				"declare "+rel.ForeignKey+" with the type of the related models' ids (its type cannot be guessed)")
		}
		addProperty(m, &Property{Name: poly.Discriminator, Type: String, Column: poly.Discriminator, Pos: rel.Pos})
		return nil
	}
	to, err := rs.target(m, rel, "model", rel.Model)
	if err != nil {
		return err
	}
	if rel.Through != "" {
		return rs.through(m, rel, to)
	}
	pk, err := rs.key(m, rel, m, &rel.PrimaryKey)
	if err != nil {
		return err
	}
	addForeignKey(to, rel.ForeignKey, pk, rel.Pos)
	addProperty(to, &Property{Name: poly.Discriminator, Type: String, Column: poly.Discriminator, Pos: rel.Pos})
	return nil
}

// addForeignKey declares fk on owner with the type of the key it references, unless declared.
func addForeignKey(owner *Model, fk string, ref *Property, pos Pos) {
	typ := ref.Type
	if typ != String && typ != Number && typ != Date {
		typ = Any
	}
	addProperty(owner, &Property{Name: fk, Type: typ, Column: fk, Pos: pos})
}

// addProperty appends p to owner unless a property of that name exists.
func addProperty(owner *Model, p *Property) {
	if owner.Property(p.Name) == nil {
		owner.Properties = append(owner.Properties, p)
	}
}

// joinModel returns the join model of a hasAndBelongsToMany relation without through: an
// existing <To><From> or <From><To> model, or a new persisted <From><To> model with belongsTo
// relations to both sides (LoopBack's automatic through model).
func (rs *relationResolver) joinModel(from, to *Model) string {
	if _, ok := rs.models[to.Name+from.Name]; ok {
		return to.Name + from.Name
	}
	name := from.Name + to.Name
	if _, ok := rs.models[name]; ok {
		return name
	}
	j := &Model{Name: name, Base: PersistedModelName, Persisted: true, Strict: StrictTrue,
		IDInjection: true, ForceID: true, ReplaceOnPUT: true, Pos: from.Pos,
		Settings: map[string]any{}, Mixins: map[string]any{}}
	j.decl = declared{hidden: map[string]Pos{}, protected: map[string]Pos{}}
	fillOwnDefaults(j)
	_ = injectID(j)
	for _, side := range []*Model{from, to} {
		relName := lowerFirst(side.Name)
		if j.Relation(relName) == nil {
			j.Relations = append(j.Relations, &Relation{Name: relName, Type: BelongsTo, Model: side.Name, Pos: from.Pos})
		}
	}
	rs.models[name] = j
	rs.list = append(rs.list, j)
	return name
}
