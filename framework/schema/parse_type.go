package schema

import (
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// typeHint says which property types exist.
const typeHint = "write one of string, number, boolean, date, object, array, any, geopoint, or [type]"

// propertyTypes maps the property type names accepted in YAML (case-insensitive) to types;
// text and json are LoopBack's aliases of string and any.
var propertyTypes = map[string]Type{
	"string":   String,
	"text":     String,
	"number":   Number,
	"boolean":  Boolean,
	"date":     Date,
	"object":   Object,
	"array":    Array,
	"any":      Any,
	"json":     Any,
	"geopoint": GeoPoint,
}

// lookupPropertyType returns the property type written as s.
func lookupPropertyType(s string) (Type, bool) {
	t, ok := propertyTypes[strings.ToLower(s)]
	return t, ok
}

// validPropertyType reports whether t is a canonical property type (for Go-built definitions).
func validPropertyType(t Type) bool {
	switch t {
	case String, Number, Boolean, Date, Object, Array, Any, GeoPoint:
		return true
	}
	return false
}

// propertyType parses a property type: a name, or a one-item list `[name]` for a typed array.
func (p *parser) propertyType(n, at *yaml.Node, field string) (Type, Type, error) {
	n, err := p.deref(n)
	if err != nil {
		return "", "", err
	}
	switch {
	case n.Kind == yaml.SequenceNode:
		switch len(n.Content) {
		case 0:
			return Array, "", nil
		case 1:
			it, err := p.deref(n.Content[0])
			if err != nil {
				return "", "", err
			}
			if it.Kind != yaml.ScalarNode || it.ShortTag() != "!!str" {
				return "", "", p.fail(at, field, "the item type of a typed array must be a type name",
					"write [string], [number], ... (arrays of arrays are not supported)")
			}
			items, ok := lookupPropertyType(it.Value)
			if !ok {
				return "", "", p.fail(at, field, "unknown item type "+strconv.Quote(it.Value), typeHint)
			}
			if items == Array {
				return "", "", p.fail(at, field, "arrays of arrays are not supported", "write [any] or [object]")
			}
			return Array, items, nil
		default:
			return "", "", p.fail(at, field, "a typed array lists exactly one item type", "write [string] style, e.g. tags: [string]")
		}
	case n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" && isBracketed(n.Value):
		items, ok := lookupPropertyType(strings.TrimSpace(n.Value[1 : len(n.Value)-1]))
		if !ok || items == Array {
			return "", "", p.fail(at, field, "unknown item type in "+strconv.Quote(n.Value), typeHint)
		}
		return Array, items, nil
	case n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str":
		t, ok := lookupPropertyType(n.Value)
		if !ok {
			return "", "", p.fail(at, field, "unknown type "+strconv.Quote(n.Value), typeHint)
		}
		return t, "", nil
	case isNull(n):
		return "", "", p.fail(at, field, "missing type", typeHint)
	}
	return "", "", p.fail(at, field, "a type must be a name, not "+kindName(n), typeHint)
}

// argTypes are the type names of remote method arguments (lb3.md 6.4) besides model names.
var argTypes = map[string]Type{
	"string":   String,
	"number":   Number,
	"integer":  Integer,
	"boolean":  Boolean,
	"date":     Date,
	"object":   Object,
	"array":    Array,
	"any":      Any,
	"geopoint": GeoPoint,
	"buffer":   "buffer",
	"file":     "file",
}

// argType parses an argument type: a built-in name (case-insensitive), `[name]`, or a model name
// (checked by Resolve).
func (p *parser) argType(n, at *yaml.Node, field string) (Type, Type, error) {
	n, err := p.deref(n)
	if err != nil {
		return "", "", err
	}
	const hint = "write string, number, integer, boolean, date, object, array, any, [type] or a model name"
	switch {
	case isNull(n):
		return Any, "", nil
	case n.Kind == yaml.SequenceNode:
		if len(n.Content) == 0 {
			return Array, "", nil
		}
		if len(n.Content) > 1 {
			return "", "", p.fail(at, field, "a typed array lists exactly one item type", hint)
		}
		it, err := p.str(n.Content[0], at, field, hint)
		if err != nil {
			return "", "", err
		}
		items := argTypeName(it)
		if items == Array || items == "" {
			return "", "", p.fail(at, field, "invalid item type "+strconv.Quote(it), hint)
		}
		return Array, items, nil
	case n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" && isBracketed(n.Value):
		items := argTypeName(strings.TrimSpace(n.Value[1 : len(n.Value)-1]))
		if items == Array || items == "" {
			return "", "", p.fail(at, field, "invalid item type in "+strconv.Quote(n.Value), hint)
		}
		return Array, items, nil
	case n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str":
		t := argTypeName(n.Value)
		if t == "" {
			return "", "", p.fail(at, field, "invalid type "+strconv.Quote(n.Value), hint)
		}
		return t, "", nil
	}
	return "", "", p.fail(at, field, "a type must be a name, not "+kindName(n), hint)
}

// argTypeName returns the built-in argument type written as s, s itself when it looks like a
// model name, or "" when it is neither.
func argTypeName(s string) Type {
	if t, ok := argTypes[strings.ToLower(s)]; ok {
		return t
	}
	if validModelName(s) {
		return Type(s)
	}
	return ""
}

// isBuiltinArgType reports whether t is a built-in argument type rather than a model name.
func isBuiltinArgType(t Type) bool {
	_, ok := argTypes[string(t)]
	return ok
}

// isBracketed reports whether a type was written as the string "[name]" (a quoted typed array).
func isBracketed(s string) bool {
	return len(s) > 2 && s[0] == '[' && s[len(s)-1] == ']'
}
