package schema

// Property returns the declared property with that name, or nil.
func (m *Model) Property(name string) *Property {
	for _, p := range m.Properties {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// IDProperty returns the id property, or nil for models without one.
func (m *Model) IDProperty() *Property {
	for _, p := range m.Properties {
		if p.ID {
			return p
		}
	}
	return nil
}

// IsHidden reports whether a property is hidden from every JSON output and REST query.
func (m *Model) IsHidden(name string) bool { return contains(m.Hidden, name) }

// IsProtected reports whether a property is removed when the instance is nested in another.
func (m *Model) IsProtected(name string) bool { return contains(m.Protected, name) }

// IsA reports whether the model is, or extends, the named model; every model IsA "Model" and
// persisted models IsA "PersistedModel" (the implicit roots).
func (m *Model) IsA(name string) bool {
	for x := m; x != nil; x = x.Parent {
		if x.Name == name {
			return true
		}
	}
	return (name == PersistedModelName && m.Persisted) || name == ModelName
}

// Relation returns the relation with that name, or nil.
func (m *Model) Relation(name string) *Relation {
	for _, r := range m.Relations {
		if r.Name == name {
			return r
		}
	}
	return nil
}

// Setting returns a model setting.
func (m *Model) Setting(key string) (any, bool) {
	v, ok := m.Settings[key]
	return v, ok
}

// BoolSetting returns a boolean model setting, or def.
func (m *Model) BoolSetting(key string, def bool) bool {
	if b, ok := m.Settings[key].(bool); ok {
		return b
	}
	return def
}

// IntSetting returns an integer model setting, or def (also when the value is not a whole number).
func (m *Model) IntSetting(key string, def int) int {
	switch v := m.Settings[key].(type) {
	case int:
		return v
	case int64:
		return int(v)
	case float64:
		if v == float64(int(v)) {
			return int(v)
		}
	}
	return def
}

// StringSetting returns a string model setting, or def.
func (m *Model) StringSetting(key, def string) string {
	if s, ok := m.Settings[key].(string); ok {
		return s
	}
	return def
}

// Method returns the declared remote method, or nil.
func (m *Model) Method(name string, static bool) *Method {
	for _, x := range m.Methods {
		if x.Name == name && x.Static == static {
			return x
		}
	}
	return nil
}

// UniqueProperties lists the properties with a uniqueness rule (unique: true or a validation),
// in property order.
func (m *Model) UniqueProperties() []string {
	var out []string
	for _, p := range m.Properties {
		if p.Unique || m.hasRule(p.Name, "uniqueness") {
			out = append(out, p.Name)
		}
	}
	return out
}

// UniqueMessage returns the message of prop's uniqueness rule: the validation's message when it
// sets one, else LoopBack's "is not unique".
func (m *Model) UniqueMessage(prop string) string {
	for _, v := range m.Validations {
		if v.Property == prop && v.Kind == "uniqueness" && v.Message != "" {
			return v.Message
		}
	}
	return "is not unique"
}

// hasRule reports whether prop has a validation of that kind.
func (m *Model) hasRule(prop, kind string) bool {
	for _, v := range m.Validations {
		if v.Property == prop && v.Kind == kind {
			return true
		}
	}
	return false
}

// RemoveValidations drops every rule of a property on this model only: required (presence),
// unique, and every declared validation (format, email, uniqueness, ...). It is LoopBack's
// `delete User.validations.email` recipe; call it on the resolved model (or a Clone).
func (m *Model) RemoveValidations(prop string) {
	kept := m.Validations[:0:0]
	for _, v := range m.Validations {
		if v.Property != prop {
			kept = append(kept, v)
		}
	}
	m.Validations = kept
	for i, p := range m.Properties {
		if p.Name == prop {
			c := *p
			c.Required, c.Unique = false, false
			m.Properties[i] = &c
		}
	}
}

// Clone returns a copy whose properties, validations, relations, methods, ACLs and settings can
// change without touching m. Parent is shared.
func (m *Model) Clone() *Model {
	c := *m
	c.Properties = make([]*Property, len(m.Properties))
	for i, p := range m.Properties {
		if p != nil {
			c.Properties[i] = p.clone()
		}
	}
	c.Validations = append([]Validation(nil), m.Validations...)
	c.Relations = make([]*Relation, len(m.Relations))
	for i, r := range m.Relations {
		if r != nil {
			c.Relations[i] = r.clone()
		}
	}
	c.ACLs = make([]ACL, len(m.ACLs))
	for i, a := range m.ACLs {
		a.Property = append([]string(nil), a.Property...)
		c.ACLs[i] = a
	}
	c.Methods = make([]*Method, len(m.Methods))
	for i, x := range m.Methods {
		if x != nil {
			c.Methods[i] = x.clone()
		}
	}
	c.Hidden = append([]string(nil), m.Hidden...)
	c.Protected = append([]string(nil), m.Protected...)
	c.Settings = copyMap(m.Settings)
	c.Mixins = copyMap(m.Mixins)
	c.decl.hidden = copyPosMap(m.decl.hidden)
	c.decl.protected = copyPosMap(m.decl.protected)
	return &c
}

// clone copies a property, including a composite default value.
func (p *Property) clone() *Property {
	c := *p
	c.Default = copyValue(p.Default)
	return &c
}

// clone copies a relation with its scope and options.
func (r *Relation) clone() *Relation {
	c := *r
	c.Scope = copyMap(r.Scope)
	c.Options = copyMap(r.Options)
	if r.Polymorphic != nil {
		poly := *r.Polymorphic
		c.Polymorphic = &poly
	}
	return &c
}

// clone copies a method declaration.
func (x *Method) clone() *Method {
	c := *x
	c.Accepts = append([]Arg(nil), x.Accepts...)
	c.Returns = append([]Arg(nil), x.Returns...)
	c.HTTP = append([]Route(nil), x.HTTP...)
	c.AccessScopes = append([]string(nil), x.AccessScopes...)
	return &c
}

// copyMap deep-copies a JSON-like map (nil stays nil).
func copyMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = copyValue(v)
	}
	return out
}

// copyValue deep-copies JSON-like maps and lists; other values are returned as they are.
func copyValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return copyMap(x)
	case []any:
		out := make([]any, len(x))
		for i, it := range x {
			out[i] = copyValue(it)
		}
		return out
	}
	return v
}

// copyPosMap copies a name -> position map.
func copyPosMap(m map[string]Pos) map[string]Pos {
	out := make(map[string]Pos, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
