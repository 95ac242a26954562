package filter

import "github.com/loopgo/loopgo/framework/schema"

// parser carries the budgets shared by every where clause and include scope of one filter.
type parser struct {
	models   Models
	nodes    int // conditions built so far (MaxWhereNodes)
	includes int // relations included so far (MaxIncludes)
	depth    int // relations the condition being parsed is nested in (MaxRelatedDepth)
}

// parseFilter implements Parse.
func parseFilter(raw any, m *schema.Model, models Models) (f *Filter, err error) {
	defer recoverInto(&err)
	if m == nil {
		return nil, internal("Parse called without a model")
	}
	if raw == nil {
		return &Filter{}, nil
	}
	obj, ok := raw.(map[string]any)
	if !ok {
		return nil, badRequest("The query filter %s is not an object", jsonText(raw))
	}
	if err := checkShape(obj); err != nil {
		return nil, err
	}
	p := &parser{models: models}
	return p.filter(obj, m)
}

// parseWhereRoot implements ParseWhere: the depth is counted from the where object itself,
// as LoopBack does for count, updateAll and the other where-only methods.
func parseWhereRoot(raw any, m *schema.Model, models Models) (c Cond, err error) {
	defer recoverInto(&err)
	if m == nil {
		return nil, internal("ParseWhere called without a model")
	}
	if err := checkShape(raw); err != nil {
		return nil, err
	}
	p := &parser{models: models}
	return p.where(raw, m)
}

// recoverInto turns a panic (e.g. in a schema method) into a 500 so none escapes the package.
func recoverInto(err *error) {
	if r := recover(); r != nil {
		*err = internal("panic while parsing a filter: %v", r)
	}
}

// filter parses one filter object (the top level or an include scope) for model m.
// Unknown keys are ignored, as in LoopBack.
func (p *parser) filter(obj map[string]any, m *schema.Model) (*Filter, error) {
	f := &Filter{}
	var err error
	if f.Where, err = p.where(obj["where"], m); err != nil {
		return nil, err
	}
	if f.Limit, err = parseLimit(obj["limit"]); err != nil {
		return nil, err
	}
	if f.Skip, err = parseSkip(obj); err != nil {
		return nil, err
	}
	if f.Order, err = parseOrder(obj["order"], m); err != nil {
		return nil, err
	}
	f.Fields = parseFields(obj["fields"], m)
	if f.Include, err = p.include(obj["include"], m); err != nil {
		return nil, err
	}
	return f, nil
}
