package schema

import (
	"sort"
	"strconv"
	"strings"
)

// check verifies the facts of a resolved model that depend on inheritance or on other models.
func (r *Registry) check(m *Model, models map[string]*Model) error {
	for _, list := range []struct {
		key string
		pos map[string]Pos
	}{{"hidden", m.decl.hidden}, {"protected", m.decl.protected}} {
		names := make([]string, 0, len(list.pos))
		for n := range list.pos {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			if m.Property(n) == nil {
				return &DefinitionError{Pos: list.pos[n], Model: m.Name, Field: list.key,
					Msg:  "unknown property " + strconv.Quote(n),
					Hint: "list properties of this model (" + propertyNames(m) + ")"}
			}
		}
	}
	if err := checkValidations(m); err != nil {
		return err
	}
	for i, a := range m.ACLs {
		if contains(aclPrincipalTypes, a.PrincipalType) {
			continue
		}
		if _, ok := models[a.PrincipalType]; !ok {
			return &DefinitionError{Pos: a.Pos, Model: m.Name, Field: join(index("acls", i), "principalType"),
				Msg:  "principalType " + strconv.Quote(a.PrincipalType) + " is neither ROLE, USER, APP, SCOPE nor a model",
				Hint: "write ROLE, USER, APP, SCOPE or the name of a user model"}
		}
	}
	for _, meth := range m.Methods {
		for _, group := range []struct {
			key  string
			args []Arg
		}{{"accepts", meth.Accepts}, {"returns", meth.Returns}} {
			for i, a := range group.args {
				for _, t := range []Type{a.Type, a.Items} {
					if t == "" || isBuiltinArgType(t) {
						continue
					}
					if _, ok := models[string(t)]; !ok {
						return &DefinitionError{Pos: meth.Pos, Model: m.Name, Field: join(index(join(methodKey(meth), group.key), i), "type"),
							Msg:  "unknown type " + strconv.Quote(string(t)),
							Hint: "write string, number, integer, boolean, date, object, array, any, [type] or a model name"}
					}
				}
			}
		}
	}
	return nil
}

// methodKey is a method's key in the methods mapping.
func methodKey(meth *Method) string {
	if meth.Static {
		return join("methods", meth.Name)
	}
	return join("methods", "prototype."+meth.Name)
}

// propertyNames lists a model's property names for hints.
func propertyNames(m *Model) string {
	names := make([]string, 0, len(m.Properties))
	for _, p := range m.Properties {
		names = append(names, p.Name)
	}
	return strings.Join(names, ", ")
}

// ruleTypes lists, per validation kind, the property types it can check (nil = every type).
var ruleTypes = map[string][]Type{
	"length":       {String, Array, Any},
	"format":       {String, Number, Any},
	"email":        {String, Any},
	"numericality": {Number, Any},
	"inclusion":    {String, Number, Boolean, Date, Any},
	"exclusion":    {String, Number, Boolean, Date, Any},
}

// checkValidations checks that each rule names a property of a fitting type, and coerces the
// values of inclusion/exclusion lists to the property's type.
func checkValidations(m *Model) error {
	for i := range m.Validations {
		v := &m.Validations[i]
		fail := func(key, msg, hint string) error {
			return &DefinitionError{Pos: v.Pos, Model: m.Name, Field: join("validations", key), Msg: msg, Hint: hint}
		}
		p := m.Property(v.Property)
		if p == nil {
			return fail("property", "unknown property "+strconv.Quote(v.Property),
				"name a property of this model ("+propertyNames(m)+")")
		}
		if types := ruleTypes[v.Kind]; types != nil && !containsType(types, p.Type) {
			return fail("kind", "a "+v.Kind+" rule cannot check "+v.Property+", a "+string(p.Type)+" property",
				"use it on a "+typeList(types)+" property")
		}
		v.In = append([]any(nil), v.In...)
		for j, x := range v.In {
			c, err := p.CoerceData(x)
			if err != nil {
				return fail("in", "value "+renderYAMLValue(x)+" at in["+strconv.Itoa(j)+"] "+err.Error(),
					"list "+describeType(p)+" values")
			}
			v.In[j] = c
		}
	}
	return nil
}

// containsType reports whether list holds t.
func containsType(list []Type, t Type) bool {
	for _, x := range list {
		if x == t {
			return true
		}
	}
	return false
}

// typeList renders types as "string, array or any".
func typeList(types []Type) string {
	s := make([]string, len(types))
	for i, t := range types {
		s[i] = string(t)
	}
	if len(s) == 1 {
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}
