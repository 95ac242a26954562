package filter

import "github.com/loopgo/loopgo/framework/schema"

// include reads `include` for model m: "rel", ["r1", "r2"], {rel: <sub-include>},
// {relation: "rel", scope: {<filter>}} (also spelled `rel`), and lists mixing these. Relations
// with disableInclude are skipped silently; unknown ones are refused.
func (p *parser) include(raw any, m *schema.Model) ([]Include, error) {
	switch x := raw.(type) {
	case nil:
		return nil, nil
	case string:
		return p.includeOne(m, x, nil, nil)
	case []any:
		var out []Include
		for _, item := range x {
			incs, err := p.include(item, m)
			if err != nil {
				return nil, err
			}
			out = append(out, incs...)
		}
		return out, nil
	case map[string]any:
		if name, ok := relationKey(x); ok {
			return p.includeOne(m, name, x["scope"], nil)
		}
		var out []Include
		for _, k := range sortedKeys(x) {
			incs, err := p.includeOne(m, k, nil, x[k])
			if err != nil {
				return nil, err
			}
			out = append(out, incs...)
		}
		return out, nil
	}
	return nil, badRequest("The include %s is not valid", jsonText(raw))
}

// relationKey returns the relation named by the {relation: "x", scope: ...} form.
func relationKey(x map[string]any) (string, bool) {
	if s, ok := x["relation"].(string); ok {
		return s, true
	}
	if s, ok := x["rel"].(string); ok {
		return s, true
	}
	return "", false
}

// includeOne resolves one relation of m and parses its scope filter and/or sub-include against
// the related model. It returns no Include for a relation with disableInclude.
func (p *parser) includeOne(m *schema.Model, name string, scope, sub any) ([]Include, error) {
	rel := m.Relation(name)
	if rel == nil {
		return nil, badRequest("Relation %s is not defined for %s model", jsonText(name), m.Name)
	}
	if rel.DisableInclude {
		return nil, nil
	}
	p.includes++
	if p.includes > MaxIncludes {
		return nil, badRequest("The filter includes too many relations (more than %d)", MaxIncludes)
	}
	target := p.target(rel)
	inc := Include{Relation: name, Rel: rel, Target: target, Through: p.through(rel)}
	if _, isFlag := sub.(bool); sub == nil || isFlag {
		sub = nil // {rel: true} includes rel without a sub-include
	}
	if scope == nil && sub == nil {
		return []Include{inc}, nil
	}
	if target == nil {
		return nil, internal("model %q of relation %s.%s is not defined", rel.Model, m.Name, name)
	}
	if scope != nil {
		obj, ok := scope.(map[string]any)
		if !ok {
			return nil, badRequest("The scope %s of relation %s is not an object", jsonText(scope), jsonText(name))
		}
		f, err := p.filter(obj, target)
		if err != nil {
			return nil, err
		}
		inc.Scope = f
	}
	if sub != nil {
		subs, err := p.include(sub, target)
		if err != nil {
			return nil, err
		}
		if inc.Scope == nil {
			inc.Scope = &Filter{}
		}
		inc.Scope.Include = append(inc.Scope.Include, subs...)
	}
	return []Include{inc}, nil
}

// through returns the join model of a through relation (nil otherwise or when unknown).
func (p *parser) through(rel *schema.Relation) *schema.Model {
	if p.models == nil || rel.Through == "" {
		return nil
	}
	return p.models.Model(rel.Through)
}

// target returns the related model of rel (for hasMany through, the far end: rel.Model).
func (p *parser) target(rel *schema.Relation) *schema.Model {
	if p.models == nil {
		return nil
	}
	return p.models.Model(rel.Model)
}
