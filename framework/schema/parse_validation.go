package schema

import (
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// validationKinds are the accepted validation kinds with the option keys each one takes
// (message is accepted by all).
var validationKinds = map[string][]string{
	"presence":     nil,
	"absence":      nil,
	"length":       {"min", "max", "is"},
	"format":       {"with"},
	"inclusion":    {"in"},
	"exclusion":    {"in"},
	"numericality": {"int"},
	"uniqueness":   nil,
	"email":        nil,
}

// kindHint lists the validation kinds.
const kindHint = "write one of presence, absence, length, format, inclusion, exclusion, numericality, uniqueness, email"

// validations reads the validations list.
func (p *parser) validations(m *Model, e entry) error {
	const hint = "write validations as a list, e.g. - {property: title, kind: length, max: 100}"
	items, err := p.sequence(e.val, e.keyNode, "validations", hint)
	if err != nil {
		return err
	}
	for i, it := range items {
		v, err := p.validation(it, index("validations", i))
		if err != nil {
			return err
		}
		m.Validations = append(m.Validations, v)
	}
	return nil
}

// validation reads one rule.
func (p *parser) validation(n *yaml.Node, field string) (Validation, error) {
	v := Validation{Pos: p.pos(n)}
	entries, err := p.mapping(n, n, field, "write each validation as a mapping {property: ..., kind: ...}")
	if err != nil {
		return v, err
	}
	present := map[string]*yaml.Node{}
	for _, e := range entries {
		f := join(field, e.key)
		present[e.key] = e.keyNode
		switch e.key {
		case "property":
			v.Property, err = p.str(e.val, e.keyNode, f, "write property: <name of a property of this model>")
		case "kind":
			v.Kind, err = p.str(e.val, e.keyNode, f, kindHint)
			if err == nil {
				if _, ok := validationKinds[v.Kind]; !ok {
					err = p.fail(e.keyNode, f, "unknown validation kind "+strconv.Quote(v.Kind), kindHint)
				}
			}
		case "min":
			v.Min, err = p.lengthBound(e, f)
		case "max":
			v.Max, err = p.lengthBound(e, f)
		case "is":
			v.Is, err = p.lengthBound(e, f)
		case "with":
			v.Pattern, err = p.pattern(e, f)
		case "in":
			v.In, err = p.inList(e, f)
		case "int":
			v.Int, err = p.boolean(e.val, e.keyNode, f)
		case "message":
			v.Message, err = p.str(e.val, e.keyNode, f, "write message: \"is not allowed\"")
		default:
			err = p.fail(e.keyNode, f, "unknown validation key "+strconv.Quote(e.key),
				"write property, kind, min, max, is, with, in, int or message")
		}
		if err != nil {
			return v, err
		}
	}
	if v.Property == "" {
		return v, p.fail(n, join(field, "property"), "missing property", "add property: <name of a property of this model>")
	}
	if v.Kind == "" {
		return v, p.fail(n, join(field, "kind"), "missing kind", kindHint)
	}
	allowed := validationKinds[v.Kind]
	for _, e := range entries {
		key, at := e.key, e.keyNode
		if key == "property" || key == "kind" || key == "message" || contains(allowed, key) {
			continue
		}
		want := "no options besides message"
		if len(allowed) > 0 {
			want = strings.Join(allowed, ", ") + " (and message)"
		}
		return v, p.fail(at, join(field, key), key+" does not apply to kind "+v.Kind, "kind "+v.Kind+" takes "+want)
	}
	return v, checkValidationOptions(p, n, field, v, present)
}

// checkValidationOptions checks the options a kind requires.
func checkValidationOptions(p *parser, n *yaml.Node, field string, v Validation, present map[string]*yaml.Node) error {
	switch v.Kind {
	case "length":
		if v.Min == nil && v.Max == nil && v.Is == nil {
			return p.fail(n, field, "a length rule needs min, max or is", "add e.g. max: 100")
		}
		if v.Min != nil && v.Max != nil && *v.Min > *v.Max {
			return p.fail(present["min"], join(field, "min"), "min is greater than max", "write min <= max")
		}
	case "format":
		if v.Pattern == nil {
			return p.fail(n, join(field, "with"), "a format rule needs with", "add with: '^[a-z]+$'")
		}
	case "inclusion", "exclusion":
		if _, ok := present["in"]; !ok {
			return p.fail(n, join(field, "in"), "an "+v.Kind+" rule needs in", "add in: [a, b, c]")
		}
	}
	return nil
}

// lengthBound reads a non-negative integer bound of a length rule.
func (p *parser) lengthBound(e entry, field string) (*float64, error) {
	f, err := p.number(e.val, e.keyNode, field)
	if err != nil {
		return nil, err
	}
	if f < 0 || f != float64(int64(f)) {
		return nil, p.fail(e.keyNode, field, "a length must be a whole number >= 0", "write e.g. "+e.key+": 3")
	}
	return &f, nil
}

// pattern compiles the regular expression of a format rule. JavaScript-style /re/flags is
// accepted with the flags i, m and s; the syntax is Go's RE2 (no lookaround or backreferences).
func (p *parser) pattern(e entry, field string) (*regexp.Regexp, error) {
	const hint = "write a Go (RE2) regular expression, e.g. with: '^[a-z0-9-]+$' (lookarounds and backreferences are not supported)"
	s, err := p.str(e.val, e.keyNode, field, hint)
	if err != nil {
		return nil, err
	}
	expr := s
	if len(s) >= 2 && s[0] == '/' {
		if end := strings.LastIndexByte(s, '/'); end > 0 {
			flags := s[end+1:]
			if strings.Trim(flags, "ims") == "" {
				expr = s[1:end]
				if flags != "" {
					expr = "(?" + flags + ")" + expr
				}
			}
		}
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, p.fail(e.keyNode, field, "invalid regular expression: "+strings.TrimPrefix(err.Error(), "error parsing regexp: "), hint)
	}
	return re, nil
}

// inList reads the values of an inclusion/exclusion rule (coerced to the property type in Resolve).
func (p *parser) inList(e entry, field string) ([]any, error) {
	items, err := p.sequence(e.val, e.keyNode, field, "write in: [a, b, c]")
	if err != nil {
		return nil, err
	}
	out := make([]any, 0, len(items))
	for i, it := range items {
		v, err := p.value(it, index(field, i))
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// contains reports whether list holds s.
func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
