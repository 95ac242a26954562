package schema

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// add stores an unresolved definition after filling its own defaults.
func (r *Registry) add(m *Model) error {
	if prev, dup := r.defs[m.Name]; dup {
		where := ""
		if prev.Pos.File != "" {
			where = " in " + prev.Pos.File
		}
		return &DefinitionError{Pos: m.Pos, Model: m.Name, Field: "name",
			Msg:  "model " + m.Name + " is already defined" + where,
			Hint: "rename one of them, or write base: " + m.Name + " in a model that extends it"}
	}
	fillOwnDefaults(m)
	r.defs[m.Name] = m
	r.order = append(r.order, m.Name)
	return nil
}

// fillOwnDefaults sets the defaults that depend on the definition alone.
func fillOwnDefaults(m *Model) {
	if m.Base == "" {
		m.Base = PersistedModelName
	}
	if m.Plural == "" {
		m.Plural = Plural(m.Name)
	}
	if m.HTTPPath == "" {
		m.HTTPPath = m.Plural
	}
	if m.Table == "" {
		m.Table = m.Name
	}
	if m.Settings == nil {
		m.Settings = map[string]any{}
	}
	if m.Mixins == nil {
		m.Mixins = map[string]any{}
	}
	for _, p := range m.Properties {
		if p.Column == "" {
			p.Column = p.Name
		}
	}
	for _, meth := range m.Methods {
		if len(meth.HTTP) == 0 {
			meth.HTTP = []Route{{Verb: "all"}}
		}
		for i := range meth.HTTP {
			if meth.HTTP[i].Path == "" {
				meth.HTTP[i].Path = "/" + meth.Name
			}
			if meth.HTTP[i].Verb == "" {
				meth.HTTP[i].Verb = "all"
			}
		}
	}
	for i := range m.ACLs {
		if m.ACLs[i].AccessType == "" {
			m.ACLs[i].AccessType = "*"
		}
	}
}

// goErr is a DefinitionError in a Go-built definition.
func goErr(m *Model, pos Pos, field, msg, hint string) *DefinitionError {
	if pos == (Pos{}) {
		pos = m.Pos
	}
	return &DefinitionError{Pos: pos, Model: m.Name, Field: field, Msg: msg, Hint: hint}
}

// checkGoDefinition checks a definition built in Go with the rules the YAML reader applies.
func checkGoDefinition(m *Model) error {
	if !validModelName(m.Name) || m.Name == PersistedModelName || m.Name == ModelName {
		return goErr(m, Pos{}, "name", "invalid model name "+strconv.Quote(m.Name),
			"write a name made of letters, digits and _, starting with a letter")
	}
	if m.Base != "" && (!validModelName(m.Base) || m.Base == m.Name) {
		return goErr(m, Pos{}, "base", "invalid base "+strconv.Quote(m.Base), "write PersistedModel, Model or another model's name")
	}
	if m.HTTPPath != "" && !validHTTPPath(strings.TrimPrefix(m.HTTPPath, "/")) {
		return goErr(m, Pos{}, "http.path", "invalid path "+strconv.Quote(m.HTTPPath), "write URL segments separated by /")
	}
	m.HTTPPath = strings.TrimPrefix(m.HTTPPath, "/")
	if err := checkGoProperties(m); err != nil {
		return err
	}
	for i, v := range m.Validations {
		field := index("validations", i)
		if _, ok := validationKinds[v.Kind]; !ok {
			return goErr(m, v.Pos, join(field, "kind"), "unknown validation kind "+strconv.Quote(v.Kind), kindHint)
		}
		if v.Kind == "format" && v.Pattern == nil {
			return goErr(m, v.Pos, join(field, "with"), "a format rule needs a pattern", "set Pattern")
		}
	}
	for _, rel := range m.Relations {
		switch {
		case rel.Type != BelongsTo && rel.Type != HasOne && rel.Type != HasMany && rel.Type != HasAndBelongsToMany:
			return goErr(m, rel.Pos, join(join("relations", rel.Name), "type"), "unsupported relation type "+strconv.Quote(rel.Type), relationTypeHint)
		case rel.Model == "" && !(rel.Type == BelongsTo && rel.Polymorphic != nil):
			return goErr(m, rel.Pos, join(join("relations", rel.Name), "model"), "missing model", "set Model")
		}
	}
	for i, a := range m.ACLs {
		field := index("acls", i)
		if a.AccessType != "" && !contains(aclAccessTypes, a.AccessType) {
			return goErr(m, a.Pos, join(field, "accessType"), "invalid accessType "+strconv.Quote(a.AccessType), "write one of "+strings.Join(aclAccessTypes, ", "))
		}
		if !contains(aclPermissions, a.Permission) {
			return goErr(m, a.Pos, join(field, "permission"), "invalid permission "+strconv.Quote(a.Permission), "write one of "+strings.Join(aclPermissions, ", "))
		}
		if a.PrincipalType == "" || a.PrincipalID == "" {
			return goErr(m, a.Pos, field, "missing principalType or principalId", "set both")
		}
	}
	for _, meth := range m.Methods {
		if !methodNameRe.MatchString(meth.Name) {
			return goErr(m, meth.Pos, join("methods", meth.Name), "invalid method name "+strconv.Quote(meth.Name), "write a name such as publish")
		}
		for _, rt := range meth.HTTP {
			if _, ok := httpVerbs[rt.Verb]; rt.Verb != "" && !ok {
				return goErr(m, meth.Pos, join(join("methods", meth.Name), "http"), "unknown verb "+strconv.Quote(rt.Verb), "write get, post, put, patch, delete, head or all")
			}
		}
	}
	return nil
}

// checkGoProperties checks the properties of a Go-built definition.
func checkGoProperties(m *Model) error {
	seen := map[string]bool{}
	for i, p := range m.Properties {
		if p == nil {
			return goErr(m, Pos{}, index("properties", i), "nil property", "remove it")
		}
		field := join("properties", p.Name)
		if msg, hint := checkPropertyName(p.Name); msg != "" {
			return goErr(m, p.Pos, field, msg, hint)
		}
		if seen[p.Name] {
			return goErr(m, p.Pos, field, "duplicate property", "keep one of them")
		}
		seen[p.Name] = true
		if !validPropertyType(p.Type) || (p.Items != "" && (p.Items == Array || !validPropertyType(p.Items))) {
			return goErr(m, p.Pos, join(field, "type"), fmt.Sprintf("unknown type %q", describeType(p)), typeHint)
		}
		if p.DefaultFn != "" && !defaultFns[p.DefaultFn] {
			return goErr(m, p.Pos, join(field, "defaultFn"), "unknown defaultFn "+strconv.Quote(p.DefaultFn), "use now, uuid, guid or uuidv4")
		}
		if msg, hint, sub := checkPropertyFlags(p); msg != "" {
			return goErr(m, p.Pos, join(field, sub), msg, hint)
		}
		if p.Default != nil {
			c, err := p.CoerceData(p.Default)
			if err != nil {
				return goErr(m, p.Pos, join(field, "default"), "default "+err.Error(), "set a "+describeType(p)+" value")
			}
			p.Default = c
		}
	}
	return nil
}

// knownModels lists the model names a base may name, for error hints.
func (r *Registry) knownModels() string {
	names := append([]string{PersistedModelName, ModelName}, r.order...)
	sort.Strings(names[2:])
	return strings.Join(names, ", ")
}
