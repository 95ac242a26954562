package filter

import (
	"strings"

	"github.com/loopgo/loopgo/framework/schema"
)

// related parses a condition on a related model (beyond LoopBack): the key "rel.prop..." applies
// the rest of the path to the related model, and the key "rel" takes an object of conditions on
// it. The related model's hidden properties are dropped exactly as top-level ones are; when
// nothing is left the whole condition is dropped (it would otherwise only test that a related
// record exists, which is not what the client asked).
func (p *parser) related(key string, segs []string, raw any, m *schema.Model, rel *schema.Relation) (Cond, error) {
	if p.models == nil {
		return nil, badRequest("The where clause of %s cannot use the relation %s here", m.Name, jsonText(rel.Name))
	}
	if err := checkFilterable(m, rel); err != nil {
		return nil, err
	}
	target := p.models.Model(rel.Model)
	if target == nil {
		return nil, internal("model %q of relation %s.%s is not defined", rel.Model, m.Name, rel.Name)
	}
	if p.depth >= MaxRelatedDepth {
		return nil, badRequest("The where clause of %s follows too many relations (more than %d) at %s", m.Name, MaxRelatedDepth, jsonText(key))
	}
	p.depth++
	defer func() { p.depth-- }()
	var (
		inner Cond
		err   error
	)
	if len(segs) > 1 {
		inner, err = p.property(strings.Join(segs[1:], "."), raw, target)
	} else {
		obj, ok := raw.(map[string]any)
		if !ok {
			return nil, badRequest("The relation %s in where clause of %s needs an object of conditions on %s, not %s",
				jsonText(rel.Name), m.Name, target.Name, jsonText(raw))
		}
		inner, err = p.whereObject(obj, target)
	}
	if err != nil || inner == nil {
		return nil, err
	}
	return &Related{Relation: rel.Name, Rel: rel, Target: target, Through: p.through(rel), Where: inner}, p.count()
}

// checkFilterable refuses relations a where clause cannot follow: polymorphic ones (their model
// varies per record), unsupported types, and relations with disableInclude (hidden from clients).
func checkFilterable(m *schema.Model, rel *schema.Relation) error {
	switch {
	case rel.Polymorphic != nil:
		return badRequest("The where clause of %s cannot use the polymorphic relation %s", m.Name, jsonText(rel.Name))
	case rel.DisableInclude:
		return badRequest("The where clause of %s cannot use the relation %s", m.Name, jsonText(rel.Name))
	}
	switch rel.Type {
	case schema.BelongsTo, schema.HasOne, schema.HasMany, schema.HasAndBelongsToMany:
		return nil
	}
	return badRequest("The where clause of %s cannot use the %s relation %s", m.Name, rel.Type, jsonText(rel.Name))
}
