package schema

import (
	"strconv"
	"strings"
)

// resolve builds every resolved model from the definitions: inheritance, id injection, relation
// keys, and the checks that need other models. On error the registry keeps no resolved model.
func (r *Registry) resolve() error {
	r.models, r.resolved = map[string]*Model{}, nil
	order, err := r.baseOrder()
	if err != nil {
		return err
	}
	models := make(map[string]*Model, len(order))
	list := make([]*Model, 0, len(order))
	for _, name := range order {
		m, err := r.merge(r.defs[name], models)
		if err != nil {
			return err
		}
		models[name] = m
		list = append(list, m)
	}
	rs := &relationResolver{r: r, models: models, list: list}
	if err := rs.run(); err != nil {
		return err
	}
	for _, m := range rs.list {
		syncParent(m)
	}
	for _, m := range rs.list {
		if err := r.check(m, models); err != nil {
			return err
		}
	}
	r.models, r.resolved = models, rs.list
	return nil
}

// baseOrder orders the definitions bases first, otherwise in the order they were added, and
// reports unknown bases and cycles.
func (r *Registry) baseOrder() ([]string, error) {
	const (
		visiting = 1
		done     = 2
	)
	state := map[string]int{}
	order := make([]string, 0, len(r.order))
	var visit func(name string, chain []string) error
	visit = func(name string, chain []string) error {
		switch state[name] {
		case done:
			return nil
		case visiting:
			m := r.defs[name]
			cycle := append(chain, name)
			for i, c := range cycle {
				if c == name {
					cycle = cycle[i:]
					break
				}
			}
			return &DefinitionError{Pos: declPos(m.decl.base, m.Pos), Model: name, Field: "base",
				Msg:  "base models form a cycle: " + strings.Join(cycle, " -> "),
				Hint: "make one of these models extend PersistedModel or Model"}
		}
		state[name] = visiting
		m := r.defs[name]
		if m.Base != PersistedModelName && m.Base != ModelName {
			if _, ok := r.defs[m.Base]; !ok {
				return &DefinitionError{Pos: declPos(m.decl.base, m.Pos), Model: name, Field: "base",
					Msg:  "unknown base model " + strconv.Quote(m.Base),
					Hint: "write base: one of " + r.knownModels()}
			}
			if err := visit(m.Base, append(chain, name)); err != nil {
				return err
			}
		}
		state[name] = done
		order = append(order, name)
		return nil
	}
	for _, name := range r.order {
		if err := visit(name, nil); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// declPos returns p when it was recorded, else the fallback.
func declPos(p, fallback Pos) Pos {
	if p.Line == 0 {
		return fallback
	}
	return p
}

// merge copies a definition and merges its (already resolved) base into it, parent-first.
func (r *Registry) merge(def *Model, models map[string]*Model) (*Model, error) {
	m := def.Clone()
	switch m.Base {
	case PersistedModelName:
		m.Persisted = true
	case ModelName:
		m.Persisted = false
	default:
		parent := models[m.Base]
		m.Parent, m.Persisted = parent, parent.Persisted
		inherit(m, parent)
	}
	for name, v := range m.Mixins {
		if b, ok := v.(bool); ok && !b {
			delete(m.Mixins, name)
		}
	}
	if err := injectID(m); err != nil {
		return nil, err
	}
	if !m.decl.forceID {
		idp := m.IDProperty()
		m.ForceID = idp != nil && idp.Generated
	}
	return m, nil
}

// inherit merges parent into the copy m of a child definition: the parent's parts come first and
// the child's replace same-named ones in place; settings the child did not write are inherited.
func inherit(m, parent *Model) {
	m.Properties = parentFirst(parent.Properties, m.Properties)
	m.Hidden = union(parent.Hidden, m.Hidden)
	m.Protected = union(parent.Protected, m.Protected)
	settings := copyMap(parent.Settings)
	for k, v := range m.Settings {
		settings[k] = v
	}
	m.Settings = settings
	mixins := copyMap(parent.Mixins)
	for k, v := range m.Mixins {
		mixins[k] = v
	}
	m.Mixins = mixins
	m.Validations = append(append([]Validation(nil), parent.Validations...), m.Validations...)
	acls := make([]ACL, 0, len(parent.ACLs)+len(m.ACLs))
	for _, a := range parent.ACLs {
		a.Property = append([]string(nil), a.Property...)
		acls = append(acls, a)
	}
	m.ACLs = append(acls, m.ACLs...)
	m.Relations = mergeRelations(parent.Relations, m.Relations)
	m.Methods = mergeMethods(parent.Methods, m.Methods)
	if !m.decl.strict && parent.decl.strict {
		m.Strict, m.decl.strict = parent.Strict, true
	}
	if !m.decl.idInjection && parent.decl.idInjection {
		m.IDInjection, m.decl.idInjection = parent.IDInjection, true
	}
	if !m.decl.forceID && parent.decl.forceID {
		m.ForceID, m.decl.forceID = parent.ForceID, true
	}
	if !m.decl.replaceOnPUT && parent.decl.replaceOnPUT {
		m.ReplaceOnPUT, m.decl.replaceOnPUT = parent.ReplaceOnPUT, true
	}
}

// parentFirst returns the parent's properties in order, each replaced by the child's property
// of the same name when there is one, followed by the child's other properties.
func parentFirst(parent, own []*Property) []*Property {
	props := make([]*Property, 0, len(parent)+len(own))
	used := make(map[string]bool, len(own))
	for _, p := range parent {
		if i := propIndex(own, p.Name); i >= 0 {
			props = append(props, own[i])
			used[p.Name] = true
		} else {
			props = append(props, p.clone())
		}
	}
	for _, p := range own {
		if !used[p.Name] {
			props = append(props, p)
		}
	}
	return props
}

// syncParent inserts into m the properties its parent gained after the merge (foreign keys added
// by relations), each after the property that precedes it in the parent.
func syncParent(m *Model) {
	if m.Parent == nil {
		return
	}
	parent := m.Parent.Properties
	for i, p := range parent {
		if propIndex(m.Properties, p.Name) >= 0 {
			continue
		}
		at := 0
		for j := i - 1; j >= 0; j-- {
			if k := propIndex(m.Properties, parent[j].Name); k >= 0 {
				at = k + 1
				break
			}
		}
		m.Properties = append(m.Properties[:at], append([]*Property{p.clone()}, m.Properties[at:]...)...)
	}
}

// propIndex returns the index of the property named name, or -1.
func propIndex(props []*Property, name string) int {
	for i, p := range props {
		if p.Name == name {
			return i
		}
	}
	return -1
}

// union returns a's names followed by b's names not in a.
func union(a, b []string) []string {
	out := append([]string(nil), a...)
	for _, s := range b {
		if !contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// mergeRelations returns the parent's relations with the child's replacing same-named ones.
func mergeRelations(parent, own []*Relation) []*Relation {
	out := make([]*Relation, 0, len(parent)+len(own))
	for _, r := range parent {
		out = append(out, r.clone())
	}
	for _, r := range own {
		replaced := false
		for i, x := range out {
			if x.Name == r.Name {
				out[i], replaced = r, true
			}
		}
		if !replaced {
			out = append(out, r)
		}
	}
	return out
}

// mergeMethods returns the parent's methods with the child's replacing same-named ones.
func mergeMethods(parent, own []*Method) []*Method {
	out := make([]*Method, 0, len(parent)+len(own))
	for _, x := range parent {
		out = append(out, x.clone())
	}
	for _, x := range own {
		replaced := false
		for i, y := range out {
			if y.Name == x.Name && y.Static == x.Static {
				out[i], replaced = x, true
			}
		}
		if !replaced {
			out = append(out, x)
		}
	}
	return out
}

// injectID checks that there is at most one id property and, with idInjection and no id
// property, makes a property named id the id or injects a generated numeric id first.
func injectID(m *Model) error {
	var ids []*Property
	for _, p := range m.Properties {
		if p.ID {
			ids = append(ids, p)
		}
	}
	if len(ids) > 1 {
		return &DefinitionError{Pos: ids[1].Pos, Model: m.Name, Field: join("properties", ids[1].Name),
			Msg:  "more than one id property (" + ids[0].Name + " and " + ids[1].Name + "); composite ids are not supported",
			Hint: "keep id: true on one property and make the other unique: true"}
	}
	if len(ids) == 1 || !m.IDInjection {
		return nil
	}
	if p := m.Property("id"); p != nil {
		if msg, hint, _ := checkPropertyFlags(&Property{ID: true, Type: p.Type}); msg != "" {
			return &DefinitionError{Pos: p.Pos, Model: m.Name, Field: "properties.id", Msg: "property id is used as the model's id but " + msg, Hint: hint}
		}
		c := p.clone()
		c.ID = true
		m.Properties[propIndex(m.Properties, "id")] = c
		return nil
	}
	id := &Property{Name: "id", Type: Number, ID: true, Generated: true, Column: "id", Pos: m.Pos}
	m.Properties = append([]*Property{id}, m.Properties...)
	return nil
}
