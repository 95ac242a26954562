package schema

import (
	"math"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// maxNodeVisits bounds the work done on one file, so that nested aliases cannot blow up.
const maxNodeVisits = 200000

// parser reads one model file's YAML nodes and reports errors with file, line and field.
type parser struct {
	file   string
	model  string
	visits int
}

// entry is one key/value pair of a YAML mapping.
type entry struct {
	key     string
	keyNode *yaml.Node
	val     *yaml.Node
}

// fail returns a DefinitionError positioned at n.
func (p *parser) fail(n *yaml.Node, field, msg, hint string) *DefinitionError {
	e := &DefinitionError{Pos: Pos{File: p.file}, Model: p.model, Field: field, Msg: msg, Hint: hint}
	if n != nil {
		e.Pos.Line, e.Pos.Column = n.Line, n.Column
	}
	return e
}

// pos returns the position of n in the file.
func (p *parser) pos(n *yaml.Node) Pos {
	if n == nil {
		return Pos{File: p.file}
	}
	return Pos{File: p.file, Line: n.Line, Column: n.Column}
}

// deref follows aliases and counts node visits against the budget.
func (p *parser) deref(n *yaml.Node) (*yaml.Node, error) {
	for i := 0; n != nil && n.Kind == yaml.AliasNode; i++ {
		if i > 100 {
			return nil, p.fail(n, "", "alias chain too long", "write the value out instead of using aliases")
		}
		n = n.Alias
	}
	p.visits++
	if p.visits > maxNodeVisits {
		return nil, p.fail(n, "", "the model file is too large or expands too many aliases",
			"split the file or write values out instead of nesting aliases")
	}
	return n, nil
}

// isNull reports whether n is absent or an explicit YAML null.
func isNull(n *yaml.Node) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

// kindName names a node's kind for error messages.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "empty"
		case "!!bool":
			return "a boolean"
		case "!!int", "!!float":
			return "a number"
		default:
			return "a string"
		}
	}
	return "an unsupported YAML node"
}

// mapping returns the entries of a mapping node; null is an empty mapping. Keys must be unique
// scalars; YAML merge keys (<<) are refused.
func (p *parser) mapping(n *yaml.Node, at *yaml.Node, field, hint string) ([]entry, error) {
	n, err := p.deref(n)
	if err != nil {
		return nil, err
	}
	if isNull(n) {
		return nil, nil
	}
	if n.Kind != yaml.MappingNode {
		return nil, p.fail(at, field, "must be a mapping, not "+kindName(n), hint)
	}
	out := make([]entry, 0, len(n.Content)/2)
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, err := p.deref(n.Content[i])
		if err != nil {
			return nil, err
		}
		if k.Kind != yaml.ScalarNode {
			return nil, p.fail(k, field, "mapping keys must be plain names, not "+kindName(k), "write key: value")
		}
		if k.ShortTag() == "!!merge" {
			return nil, p.fail(k, field, "YAML merge keys (<<) are not supported", "write the keys out")
		}
		if line, dup := seen[k.Value]; dup {
			return nil, p.fail(k, join(field, k.Value), "duplicate key (first written on line "+strconv.Itoa(line)+")",
				"keep one of them")
		}
		seen[k.Value] = k.Line
		out = append(out, entry{key: k.Value, keyNode: k, val: n.Content[i+1]})
	}
	return out, nil
}

// sequence returns the items of a sequence node; null is an empty list.
func (p *parser) sequence(n *yaml.Node, at *yaml.Node, field, hint string) ([]*yaml.Node, error) {
	n, err := p.deref(n)
	if err != nil {
		return nil, err
	}
	if isNull(n) {
		return nil, nil
	}
	if n.Kind != yaml.SequenceNode {
		return nil, p.fail(at, field, "must be a list, not "+kindName(n), hint)
	}
	return n.Content, nil
}

// str returns a YAML string scalar.
func (p *parser) str(n *yaml.Node, at *yaml.Node, field, hint string) (string, error) {
	n, err := p.deref(n)
	if err != nil {
		return "", err
	}
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		return "", p.fail(at, field, "must be a string, not "+kindName(n), hint)
	}
	return n.Value, nil
}

// text returns a string, or the lines of a list of strings joined with newlines (descriptions).
func (p *parser) text(n *yaml.Node, at *yaml.Node, field string) (string, error) {
	d, err := p.deref(n)
	if err != nil {
		return "", err
	}
	if isNull(d) {
		return "", nil
	}
	if d.Kind != yaml.SequenceNode {
		return p.str(d, at, field, "write a string")
	}
	lines := make([]string, 0, len(d.Content))
	for _, it := range d.Content {
		s, err := p.str(it, it, field, "write a string or a list of strings")
		if err != nil {
			return "", err
		}
		lines = append(lines, s)
	}
	return strings.Join(lines, "\n"), nil
}

// scalarString returns any scalar (string, number, boolean) as its text.
func (p *parser) scalarString(n *yaml.Node, at *yaml.Node, field, hint string) (string, error) {
	n, err := p.deref(n)
	if err != nil {
		return "", err
	}
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		return "", p.fail(at, field, "must be a string, not "+kindName(n), hint)
	}
	return n.Value, nil
}

// boolean returns a YAML boolean (true/false).
func (p *parser) boolean(n *yaml.Node, at *yaml.Node, field string) (bool, error) {
	n, err := p.deref(n)
	if err != nil {
		return false, err
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!bool" {
		var b bool
		if err := n.Decode(&b); err == nil {
			return b, nil
		}
	}
	return false, p.fail(at, field, "must be true or false, not "+kindName(n)+" "+strconv.Quote(n.Value), "write true or false")
}

// number returns a finite YAML number.
func (p *parser) number(n *yaml.Node, at *yaml.Node, field string) (float64, error) {
	n, err := p.deref(n)
	if err != nil {
		return 0, err
	}
	if n.Kind == yaml.ScalarNode {
		if v, ok := scalarValue(n).(int); ok {
			return float64(v), nil
		}
		if v, ok := scalarValue(n).(float64); ok && !math.IsInf(v, 0) && !math.IsNaN(v) {
			return v, nil
		}
	}
	return 0, p.fail(at, field, "must be a number, not "+kindName(n)+" "+strconv.Quote(n.Value), "write a number such as 3")
}

// stringList returns a list of strings with the node of each item.
func (p *parser) stringList(n *yaml.Node, at *yaml.Node, field, hint string) ([]string, []*yaml.Node, error) {
	items, err := p.sequence(n, at, field, hint)
	if err != nil {
		return nil, nil, err
	}
	out := make([]string, 0, len(items))
	nodes := make([]*yaml.Node, 0, len(items))
	for i, it := range items {
		s, err := p.str(it, it, index(field, i), hint)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, s)
		nodes = append(nodes, it)
	}
	return out, nodes, nil
}

// value converts a node to a plain Go value: map[string]any, []any, string, int, float64, bool, nil.
func (p *parser) value(n *yaml.Node, field string) (any, error) {
	n, err := p.deref(n)
	if err != nil {
		return nil, err
	}
	switch n.Kind {
	case yaml.MappingNode:
		entries, err := p.mapping(n, n, field, "")
		if err != nil {
			return nil, err
		}
		m := make(map[string]any, len(entries))
		for _, e := range entries {
			v, err := p.value(e.val, join(field, e.key))
			if err != nil {
				return nil, err
			}
			m[e.key] = v
		}
		return m, nil
	case yaml.SequenceNode:
		list := make([]any, 0, len(n.Content))
		for i, it := range n.Content {
			v, err := p.value(it, index(field, i))
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
		return list, nil
	case yaml.ScalarNode:
		return scalarValue(n), nil
	}
	return nil, p.fail(n, field, "unsupported YAML node", "write a plain value, list or mapping")
}

// scalarValue converts a scalar by its resolved tag; timestamps and unknown tags stay strings.
func scalarValue(n *yaml.Node) any {
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		var b bool
		if n.Decode(&b) == nil {
			return b
		}
	case "!!int":
		var i int64
		if n.Decode(&i) == nil {
			return int(i)
		}
		var f float64
		if n.Decode(&f) == nil {
			return f
		}
	case "!!float":
		var f float64
		if n.Decode(&f) == nil {
			return f
		}
	}
	return n.Value
}

// join appends a key to a dotted field path.
func join(field, key string) string {
	if key == "" {
		return field
	}
	if field == "" {
		return key
	}
	return field + "." + key
}

// index appends a list index to a field path.
func index(field string, i int) string {
	return field + "[" + strconv.Itoa(i) + "]"
}
