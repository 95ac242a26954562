package schema

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Implicit root models: every model extends one of them, directly or through its bases.
const (
	PersistedModelName = "PersistedModel"
	ModelName          = "Model"
)

// modelNameRe is what a model name may look like (it becomes a Go-side key, a URL default and a
// table name).
var modelNameRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// validModelName reports whether s can name a model.
func validModelName(s string) bool { return modelNameRe.MatchString(s) }

// structuralKeys are the top-level keys that are not settings; they may not appear in options.
var structuralKeys = map[string]bool{
	"name": true, "base": true, "properties": true, "validations": true, "relations": true,
	"acls": true, "methods": true, "mixins": true, "options": true,
}

// decodeYAML decodes exactly one YAML document and returns its root node.
func decodeYAML(file string, src []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &DefinitionError{Pos: Pos{File: file, Line: 1, Column: 1}, Msg: "empty model file",
				Hint: "write at least name: <ModelName>"}
		}
		return nil, syntaxError(file, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		line := extra.Line
		if err != nil {
			return nil, syntaxError(file, err)
		}
		return nil, &DefinitionError{Pos: Pos{File: file, Line: line}, Msg: "more than one YAML document",
			Hint: "write one model per file, without a second ---"}
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, &DefinitionError{Pos: Pos{File: file, Line: 1, Column: 1}, Msg: "empty model file",
			Hint: "write at least name: <ModelName>"}
	}
	return doc.Content[0], nil
}

// yamlLineRe finds the line number in a yaml.v3 syntax error.
var yamlLineRe = regexp.MustCompile(`^yaml: line (\d+): `)

// syntaxError converts a YAML syntax error to a DefinitionError with its line.
func syntaxError(file string, err error) *DefinitionError {
	msg := err.Error()
	e := &DefinitionError{Pos: Pos{File: file}, Hint: "fix the YAML syntax (indent with spaces, quote values containing ': ' or '#')"}
	if m := yamlLineRe.FindStringSubmatch(msg); m != nil {
		e.Pos.Line, _ = strconv.Atoi(m[1])
		msg = msg[len(m[0]):]
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	e.Msg = "invalid YAML: " + msg
	return e
}

// parseModelFile parses one model file into an unresolved definition.
func parseModelFile(file string, src []byte) (m *Model, err error) {
	defer func() {
		if rec := recover(); rec != nil {
			m, err = nil, &DefinitionError{Pos: Pos{File: file}, Msg: fmt.Sprintf("internal error while reading the model file: %v", rec),
				Hint: "report this file to the Loopgo maintainers"}
		}
	}()
	root, err := decodeYAML(file, src)
	if err != nil {
		return nil, err
	}
	p := &parser{file: file}
	entries, err := p.mapping(root, root, "", "a model file is a mapping such as name: Note, properties: {...}")
	if err != nil {
		return nil, err
	}
	// strict defaults to true, not LoopBack's false: Loopgo stores records in relational tables
	// whose columns come from the declared properties (LoopBack's relational connectors default
	// to true as well), so an undeclared property is rejected with 422 rather than lost.
	m = &Model{Settings: map[string]any{}, Mixins: map[string]any{}, Strict: StrictTrue,
		IDInjection: true, ReplaceOnPUT: true}
	m.decl = declared{hidden: map[string]Pos{}, protected: map[string]Pos{}}
	if err := p.modelName(m, root, entries); err != nil {
		return nil, err
	}
	var options *entry
	for i := range entries {
		e := entries[i]
		switch e.key {
		case "name":
		case "base":
			err = p.base(m, e)
		case "properties":
			err = p.properties(m, e)
		case "validations":
			err = p.validations(m, e)
		case "relations":
			err = p.relations(m, e)
		case "acls":
			err = p.acls(m, e)
		case "methods":
			err = p.methods(m, e)
		case "mixins":
			err = p.mixins(m, e)
		case "options":
			options = &entries[i]
		default:
			err = p.setting(m, e, "")
		}
		if err != nil {
			return nil, err
		}
	}
	if options != nil {
		if err := p.options(m, *options); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// modelName reads the required name key first, so every later error can name the model.
func (p *parser) modelName(m *Model, root *yaml.Node, entries []entry) error {
	for _, e := range entries {
		if e.key != "name" {
			continue
		}
		name, err := p.str(e.val, e.keyNode, "name", "write name: Note")
		if err != nil {
			return err
		}
		if !validModelName(name) {
			return p.fail(e.keyNode, "name", "invalid model name "+strconv.Quote(name),
				"write a name made of letters, digits and _, starting with a letter, e.g. name: BlogPost")
		}
		if name == PersistedModelName || name == ModelName {
			return p.fail(e.keyNode, "name", name+" is a built-in base and cannot be redefined",
				"choose another name and write base: "+name)
		}
		m.Name = name
		m.Pos = p.pos(e.keyNode)
		p.model = name
		return nil
	}
	return p.fail(root, "name", "missing model name", "add name: <ModelName> at the top of the file")
}

// base reads the base model name.
func (p *parser) base(m *Model, e entry) error {
	base, err := p.str(e.val, e.keyNode, "base", "write base: PersistedModel, base: Model, or another model's name")
	if err != nil {
		return err
	}
	if !validModelName(base) {
		return p.fail(e.keyNode, "base", "invalid base model name "+strconv.Quote(base),
			"write base: PersistedModel, base: Model, or another model's name")
	}
	if base == m.Name {
		return p.fail(e.keyNode, "base", "a model cannot extend itself", "write base: PersistedModel or another model's name")
	}
	m.Base = base
	m.decl.base = p.pos(e.keyNode)
	return nil
}

// options merges the options block into the settings; options.x wins over a top-level x.
func (p *parser) options(m *Model, e entry) error {
	entries, err := p.mapping(e.val, e.keyNode, "options", "write options as a mapping, e.g. options: {validateUpsert: true}")
	if err != nil {
		return err
	}
	for _, oe := range entries {
		if structuralKeys[oe.key] {
			return p.fail(oe.keyNode, "options."+oe.key, oe.key+" is not a setting",
				"move "+oe.key+" to the top level of the model file")
		}
		if err := p.setting(m, oe, "options"); err != nil {
			return err
		}
	}
	return nil
}

// setting handles a top-level (or options) key that is not structural.
func (p *parser) setting(m *Model, e entry, prefix string) error {
	field := join(prefix, e.key)
	switch e.key {
	case "plural":
		s, err := p.str(e.val, e.keyNode, field, "write plural: Notes")
		if err != nil {
			return err
		}
		if strings.TrimSpace(s) == "" {
			return p.fail(e.keyNode, field, "empty plural", "write plural: Notes, or leave it out")
		}
		m.Plural = s
		m.decl.plural = true
	case "http":
		return p.httpSetting(m, e, field)
	case "strict":
		return p.strict(m, e, field)
	case "idInjection":
		b, err := p.boolean(e.val, e.keyNode, field)
		if err != nil {
			return err
		}
		m.IDInjection, m.decl.idInjection = b, true
	case "forceId":
		if d, _ := p.deref(e.val); d != nil && d.Kind == yaml.ScalarNode && d.Value == "auto" {
			m.decl.forceID = false
			return nil
		}
		b, err := p.boolean(e.val, e.keyNode, field)
		if err != nil {
			return err
		}
		m.ForceID, m.decl.forceID = b, true
	case "replaceOnPUT":
		b, err := p.boolean(e.val, e.keyNode, field)
		if err != nil {
			return err
		}
		m.ReplaceOnPUT, m.decl.replaceOnPUT = b, true
	case "hidden", "protected":
		return p.propertyNameList(m, e, field)
	default:
		if err := p.nearMiss(e, prefix); err != nil {
			return err
		}
		v, err := p.value(e.val, field)
		if err != nil {
			return err
		}
		m.Settings[e.key] = v
	}
	return nil
}

// httpSetting reads http: {path: ...}; the path is stored without its leading slash.
func (p *parser) httpSetting(m *Model, e entry, field string) error {
	const hint = "write http: {path: notes}"
	entries, err := p.mapping(e.val, e.keyNode, field, hint)
	if err != nil {
		return err
	}
	for _, he := range entries {
		if he.key != "path" {
			return p.fail(he.keyNode, join(field, he.key), "unknown key "+strconv.Quote(he.key), hint)
		}
		s, err := p.str(he.val, he.keyNode, join(field, "path"), hint)
		if err != nil {
			return err
		}
		path := strings.TrimPrefix(s, "/")
		if !validHTTPPath(path) {
			return p.fail(he.keyNode, join(field, "path"), "invalid path "+strconv.Quote(s),
				"write URL segments of letters, digits, - _ . ~ separated by /, e.g. path: blog/posts")
		}
		m.HTTPPath = path
		m.decl.httpPath = true
	}
	return nil
}

// httpPathRe is a model URL path without its leading slash: one or more plain segments.
var httpPathRe = regexp.MustCompile(`^[A-Za-z0-9\-_.~]+(/[A-Za-z0-9\-_.~]+)*$`)

// validHTTPPath reports whether s can be a model's URL path.
func validHTTPPath(s string) bool { return httpPathRe.MatchString(s) }

// strict reads strict: true | false | filter.
func (p *parser) strict(m *Model, e entry, field string) error {
	const hint = "write strict: true (reject unknown properties), strict: filter (drop them) or strict: false (keep them)"
	d, err := p.deref(e.val)
	if err != nil {
		return err
	}
	switch {
	case d.Kind == yaml.ScalarNode && d.ShortTag() == "!!bool":
		b, err := p.boolean(d, e.keyNode, field)
		if err != nil {
			return err
		}
		m.Strict = StrictFalse
		if b {
			m.Strict = StrictTrue
		}
	case d.Kind == yaml.ScalarNode && d.ShortTag() == "!!str" && d.Value == "filter":
		m.Strict = StrictFilter
	default:
		return p.fail(e.keyNode, field, "invalid value "+strconv.Quote(d.Value), hint)
	}
	m.decl.strict = true
	return nil
}

// propertyNameList reads hidden or protected; the names are checked against the resolved
// properties in Resolve (they may be inherited).
func (p *parser) propertyNameList(m *Model, e entry, field string) error {
	names, nodes, err := p.stringList(e.val, e.keyNode, field, "write "+e.key+": [password, secret]")
	if err != nil {
		return err
	}
	pos := map[string]Pos{}
	for i, n := range names {
		pos[n] = p.pos(nodes[i])
	}
	if e.key == "hidden" {
		m.Hidden, m.decl.hidden = names, pos
	} else {
		m.Protected, m.decl.protected = names, pos
	}
	return nil
}

// mixins reads mixins: {Name: true | false | {options}}.
func (p *parser) mixins(m *Model, e entry) error {
	const hint = "write mixins: {TimeStamp: true} or mixins: {TimeStamp: {option: value}}"
	entries, err := p.mapping(e.val, e.keyNode, "mixins", hint)
	if err != nil {
		return err
	}
	for _, me := range entries {
		field := join("mixins", me.key)
		d, err := p.deref(me.val)
		if err != nil {
			return err
		}
		switch {
		case d.Kind == yaml.MappingNode:
			v, err := p.value(d, field)
			if err != nil {
				return err
			}
			m.Mixins[me.key] = v
		case d.Kind == yaml.ScalarNode && d.ShortTag() == "!!bool":
			b, err := p.boolean(d, me.keyNode, field)
			if err != nil {
				return err
			}
			m.Mixins[me.key] = b
		default:
			return p.fail(me.keyNode, field, "must be true, false or a mapping of options, not "+kindName(d), hint)
		}
	}
	return nil
}

// nearMissKeys are keys whose misspelling at the top level is refused rather than silently
// kept as a setting.
var nearMissKeys = []string{"properties", "validations", "relations", "methods", "mixins", "options",
	"hidden", "protected", "idInjection", "forceId", "replaceOnPUT", "strict", "plural"}

// nearMiss refuses a top-level key that is a case variant or a one-letter typo of a known key.
func (p *parser) nearMiss(e entry, prefix string) error {
	if prefix != "" {
		return nil
	}
	for _, k := range nearMissKeys {
		if strings.EqualFold(e.key, k) || (len(k) >= 6 && editDistanceAtMostOne(e.key, k)) {
			return p.fail(e.keyNode, e.key, "unknown key "+strconv.Quote(e.key)+" looks like a misspelt "+strconv.Quote(k),
				"write "+k+" (unknown top-level keys are model settings, so typos would pass silently)")
		}
	}
	if strings.EqualFold(e.key, "acl") || strings.EqualFold(e.key, "acls") || strings.EqualFold(e.key, "base") ||
		strings.EqualFold(e.key, "name") {
		want := strings.ToLower(e.key)
		if want == "acl" {
			want = "acls"
		}
		return p.fail(e.keyNode, e.key, "unknown key "+strconv.Quote(e.key)+" looks like a misspelt "+strconv.Quote(want), "write "+want)
	}
	return nil
}

// editDistanceAtMostOne reports whether a and b differ by at most one insertion, deletion or
// substitution (and are not equal).
func editDistanceAtMostOne(a, b string) bool {
	if a == b {
		return false
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(b)-len(a) > 1 {
		return false
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	if len(a) == len(b) {
		return a[i+1:] == b[i+1:]
	}
	return a[i:] == b[i+1:]
}
