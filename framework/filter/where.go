package filter

import (
	"regexp"
	"strings"

	"github.com/loopgo/loopgo/framework/schema"
)

// pathSegment is what a key below an object property may look like ("meta.tags.0"); the store
// builds JSON paths from these, so nothing else is let through.
var pathSegment = regexp.MustCompile(`^[A-Za-z0-9_]+$`)

// where parses a where object for m: nil means no condition. The `$` scan comes first so that a
// rejected operator is reported even where the same clause has other problems.
func (p *parser) where(raw any, m *schema.Model) (Cond, error) {
	if raw == nil {
		return nil, nil
	}
	obj, ok := raw.(map[string]any)
	if !ok {
		return nil, badRequest("The where clause %s is not an object", jsonText(raw))
	}
	if ops := dollarKeys(obj); len(ops) > 0 {
		return nil, errOperators(ops)
	}
	return p.whereObject(obj, m)
}

// whereObject parses {prop: value | {op: value}, and: [...], or: [...]}; several keys are ANDed.
// A condition on a hidden property is dropped (LoopBack removes it, so its value cannot be
// guessed); and/or branches left empty are skipped, as LoopBack's SQL connectors do.
func (p *parser) whereObject(obj map[string]any, m *schema.Model) (Cond, error) {
	var conds []Cond
	for _, key := range sortedKeys(obj) {
		var (
			c   Cond
			err error
		)
		switch key {
		case "and", "or":
			c, err = p.logical(key, obj[key], m)
		case "nor":
			err = badRequest("The nor operator is not supported")
		default:
			c, err = p.property(key, obj[key], m)
		}
		if err != nil {
			return nil, err
		}
		if c != nil {
			conds = append(conds, c)
		}
	}
	switch len(conds) {
	case 0:
		return nil, nil
	case 1:
		return conds[0], nil
	}
	return And(conds), p.count()
}

// logical parses the clauses of `and` / `or`: a list, or an object with keys "0".."n-1".
func (p *parser) logical(op string, raw any, m *schema.Model) (Cond, error) {
	clauses, err := arrayLike(raw)
	if err != nil {
		return nil, badRequest("The %s operator has invalid clauses %s: %s", op, jsonText(raw), err.Error())
	}
	var kids []Cond
	for _, clause := range clauses {
		if clause == nil {
			continue
		}
		obj, ok := clause.(map[string]any)
		if !ok {
			return nil, badRequest("The where clause %s is not an object", jsonText(clause))
		}
		c, err := p.whereObject(obj, m)
		if err != nil {
			return nil, err
		}
		if c != nil {
			kids = append(kids, c)
		}
	}
	switch len(kids) {
	case 0:
		return nil, nil
	case 1:
		return kids[0], nil
	}
	if op == "or" {
		return Or(kids), p.count()
	}
	return And(kids), p.count()
}

// property parses the condition(s) on one key: "prop", a dot path "prop.a.b", or a path through
// a relation "rel.prop" (see related).
func (p *parser) property(key string, raw any, m *schema.Model) (Cond, error) {
	segs := strings.Split(key, ".")
	if rel := m.Relation(segs[0]); rel != nil && m.Property(segs[0]) == nil {
		return p.related(key, segs, raw, m, rel)
	}
	for _, s := range segs {
		if m.IsHidden(s) {
			return nil, nil // as LoopBack: x.secret, secret.y and x.secret.y are all removed
		}
	}
	prop := lookupProperty(m, segs[0])
	if prop == nil {
		return nil, badRequest("Unknown property %s in where clause of %s", jsonText(segs[0]), m.Name)
	}
	path := segs[1:]
	if len(path) > 0 {
		if prop.Type != schema.Object && prop.Type != schema.Any && prop.Type != schema.Array {
			return nil, badRequest("The property %s of %s is not an object: %s is not a valid path", jsonText(segs[0]), m.Name, jsonText(key))
		}
		for _, s := range path {
			if !pathSegment.MatchString(s) {
				return nil, badRequest("The path %s in where clause of %s is not valid: each key must be letters, digits or _", jsonText(key), m.Name)
			}
		}
	}
	t := term{key: key, clause: raw, prop: prop, path: path}
	ops, isOps := raw.(map[string]any)
	if !isOps {
		return p.compare(t, Eq, raw)
	}
	if len(ops) == 0 {
		return nil, errClause(key, raw, "Expected an operator or a value")
	}
	for op := range ops {
		if !knownOp(op) {
			if op == "near" {
				return nil, errClause(key, raw, "The near operator is not supported")
			}
			return nil, errClause(key, raw, "Unknown operator "+jsonText(op))
		}
	}
	var conds []Cond
	for _, op := range allOps {
		v, ok := ops[string(op)]
		if !ok {
			continue
		}
		c, err := p.compare(t, op, v)
		if err != nil {
			return nil, err
		}
		conds = append(conds, c)
	}
	if len(conds) == 1 {
		return conds[0], nil
	}
	return And(conds), p.count()
}

// count charges one condition to the filter's budget.
func (p *parser) count() error {
	p.nodes++
	if p.nodes > MaxWhereNodes {
		return badRequest("The where clause has too many conditions (more than %d)", MaxWhereNodes)
	}
	return nil
}

// arrayLike accepts a list or an object with keys "0".."n-1" (bracket syntax beyond index 20),
// as LoopBack's coerceArray does.
func arrayLike(raw any) ([]any, error) {
	switch x := raw.(type) {
	case []any:
		return x, nil
	case map[string]any:
		if len(x) == 0 {
			return nil, errValue("Value is an empty object")
		}
		out := make([]any, len(x))
		for i := range out {
			v, ok := x[itoa(i)]
			if !ok {
				return nil, errValue("Value is not an array or object with sequential numeric indices")
			}
			out[i] = v
		}
		return out, nil
	}
	return nil, errValue("Value is not an array or object with sequential numeric indices")
}

// errValue is a reason embedded in a clause error message.
type errValue string

func (e errValue) Error() string { return string(e) }
