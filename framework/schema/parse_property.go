package schema

import (
	"encoding/json"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// defaultFns are the accepted defaultFn values.
var defaultFns = map[string]bool{"now": true, "uuid": true, "guid": true, "uuidv4": true}

// properties reads the properties mapping, in file order.
func (p *parser) properties(m *Model, e entry) error {
	entries, err := p.mapping(e.val, e.keyNode, "properties",
		"write properties as name: type, or name: {type: ..., required: true}")
	if err != nil {
		return err
	}
	for _, pe := range entries {
		prop, err := p.property(pe)
		if err != nil {
			return err
		}
		m.Properties = append(m.Properties, prop)
	}
	return nil
}

// checkPropertyName refuses names that cannot be properties.
func checkPropertyName(name string) (msg, hint string) {
	switch {
	case strings.TrimSpace(name) == "":
		return "empty property name", "write a name such as title"
	case strings.Contains(name, "."):
		return "property name " + strconv.Quote(name) + " contains a dot",
			"rename it without dots (dots address nested values in filters), e.g. " + strings.ReplaceAll(name, ".", "_")
	}
	return "", ""
}

// property reads one property in short (`title: string`) or long form.
func (p *parser) property(e entry) (*Property, error) {
	field := join("properties", e.key)
	if msg, hint := checkPropertyName(e.key); msg != "" {
		return nil, p.fail(e.keyNode, field, msg, hint)
	}
	prop := &Property{Name: e.key, Column: e.key, Pos: p.pos(e.keyNode)}
	v, err := p.deref(e.val)
	if err != nil {
		return nil, err
	}
	if v.Kind != yaml.MappingNode {
		prop.Type, prop.Items, err = p.propertyType(v, e.keyNode, field)
		return prop, err
	}
	entries, err := p.mapping(v, e.keyNode, field, "")
	if err != nil {
		return nil, err
	}
	var typeSeen bool
	var defNode, defKey *yaml.Node
	for _, pe := range entries {
		f := join(field, pe.key)
		switch pe.key {
		case "type":
			prop.Type, prop.Items, err = p.propertyType(pe.val, pe.keyNode, f)
			typeSeen = true
		case "required":
			prop.Required, err = p.boolean(pe.val, pe.keyNode, f)
		case "default":
			defNode, defKey = pe.val, pe.keyNode
		case "defaultFn":
			prop.DefaultFn, err = p.str(pe.val, pe.keyNode, f, "write defaultFn: now, uuid, guid or uuidv4")
			if err == nil && !defaultFns[prop.DefaultFn] {
				err = p.fail(pe.keyNode, f, "unknown defaultFn "+strconv.Quote(prop.DefaultFn), "write defaultFn: now, uuid, guid or uuidv4")
			}
		case "id":
			prop.ID, err = p.idFlag(pe, f)
		case "generated":
			prop.Generated, err = p.boolean(pe.val, pe.keyNode, f)
		case "index":
			prop.Index, err = p.boolean(pe.val, pe.keyNode, f)
		case "unique":
			prop.Unique, err = p.boolean(pe.val, pe.keyNode, f)
		case "description":
			prop.Description, err = p.text(pe.val, pe.keyNode, f)
		case "column":
			prop.Column, err = p.str(pe.val, pe.keyNode, f, "write column: my_column")
			if err == nil && strings.TrimSpace(prop.Column) == "" {
				err = p.fail(pe.keyNode, f, "empty column name", "write a column name or leave column out")
			}
		default:
			err = p.fail(pe.keyNode, f, "unknown property key "+strconv.Quote(pe.key),
				"write one of type, required, default, defaultFn, id, generated, index, unique, description, column")
		}
		if err != nil {
			return nil, err
		}
	}
	if !typeSeen {
		return nil, p.fail(e.keyNode, join(field, "type"), "missing type", typeHint)
	}
	if msg, hint, sub := checkPropertyFlags(prop); msg != "" {
		return nil, p.fail(e.keyNode, join(field, sub), msg, hint)
	}
	if defNode != nil {
		if err := p.propertyDefault(prop, defNode, defKey, join(field, "default")); err != nil {
			return nil, err
		}
	}
	return prop, nil
}

// idFlag reads id: true/false, or a positive number (LoopBack's composite key order; only one
// id property is supported).
func (p *parser) idFlag(e entry, field string) (bool, error) {
	d, err := p.deref(e.val)
	if err != nil {
		return false, err
	}
	if d.Kind == yaml.ScalarNode && d.ShortTag() == "!!int" {
		if n, ok := scalarValue(d).(int); ok && n >= 1 {
			return true, nil
		}
	}
	return p.boolean(d, e.keyNode, field)
}

// checkPropertyFlags checks the combinations of a property's flags; sub is the offending key.
func checkPropertyFlags(prop *Property) (msg, hint, sub string) {
	switch {
	case prop.Generated && !prop.ID:
		return "generated applies to id properties only", "add id: true or remove generated", "generated"
	case prop.Generated && prop.Type != Number:
		return "a generated id must be a number", "write type: number, or drop generated and write defaultFn: uuid for a string id", "generated"
	case prop.ID && prop.Type != String && prop.Type != Number && prop.Type != Date:
		return "an id property must be a string, number or date, not " + string(prop.Type), "write type: number or type: string", "id"
	case prop.DefaultFn != "" && prop.Generated:
		return "a generated id gets its value from the database", "remove defaultFn or generated", "defaultFn"
	case prop.DefaultFn == "now" && prop.Type != Date && prop.Type != Any:
		return "defaultFn: now needs a date property", "write type: date, or use a fixed default", "defaultFn"
	case prop.DefaultFn != "" && prop.DefaultFn != "now" && prop.Type != String && prop.Type != Any:
		return "defaultFn: " + prop.DefaultFn + " needs a string property", "write type: string", "defaultFn"
	}
	return "", "", ""
}

// propertyDefault reads default and coerces it to the property's type; "$now" on a date means
// defaultFn: now as in LoopBack.
func (p *parser) propertyDefault(prop *Property, n, at *yaml.Node, field string) error {
	v, err := p.value(n, field)
	if err != nil {
		return err
	}
	if v == nil {
		return nil
	}
	if prop.DefaultFn != "" {
		return p.fail(at, field, "default and defaultFn are both set", "keep one of them")
	}
	if s, ok := v.(string); ok && s == "$now" && prop.Type == Date {
		prop.DefaultFn = "now"
		return nil
	}
	c, err := prop.CoerceData(v)
	if err != nil {
		return p.fail(at, field, "default "+renderYAMLValue(v)+" "+err.Error(),
			"write a "+describeType(prop)+" value, or leave default out")
	}
	prop.Default = c
	return nil
}

// describeType names a property's type for hints ("number", "array of string").
func describeType(prop *Property) string {
	if prop.Type == Array && prop.Items != "" {
		return "array of " + string(prop.Items)
	}
	return string(prop.Type)
}

// renderYAMLValue renders a decoded value for an error message.
func renderYAMLValue(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "value"
	}
	if len(b) > 40 {
		return string(b[:37]) + "..."
	}
	return string(b)
}
