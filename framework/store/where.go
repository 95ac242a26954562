package store

import (
	"fmt"
	"regexp"
	"strings"

	"gorm.io/gorm/clause"

	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/filter"
	"github.com/loopgo/loopgo/framework/schema"
)

// Where clauses are GORM clause expressions: columns come from the schema (quoted), values are
// bound parameters. Negative operators (neq, nin, nlike, nilike) are null-aware: a NULL column
// satisfies them, as a missing value does in LoopBack's memory connector.

var (
	trueExpr  = clause.Expr{SQL: "1=1"}
	falseExpr = clause.Expr{SQL: "1=0"}
)

// boolExpr joins expressions with AND or OR, each in parentheses; empty AND is true, empty OR
// is false.
type boolExpr struct {
	op    string
	exprs []clause.Expression
}

// Build writes the joined expressions.
func (e boolExpr) Build(b clause.Builder) {
	if len(e.exprs) == 0 {
		if e.op == "OR" {
			falseExpr.Build(b)
		} else {
			trueExpr.Build(b)
		}
		return
	}
	for i, x := range e.exprs {
		if i > 0 {
			b.WriteString(" " + e.op + " ")
		}
		b.WriteByte('(')
		x.Build(b)
		b.WriteByte(')')
	}
}

func and(exprs ...clause.Expression) clause.Expression { return boolExpr{op: "AND", exprs: exprs} }
func or(exprs ...clause.Expression) clause.Expression  { return boolExpr{op: "OR", exprs: exprs} }

// notExpr negates an expression.
type notExpr struct{ x clause.Expression }

// Build writes NOT (x).
func (e notExpr) Build(b clause.Builder) {
	b.WriteString("NOT (")
	e.x.Build(b)
	b.WriteByte(')')
}

// whereExpr translates a where condition of model m (nil = every record) for a statement whose
// only table is m's, unaliased.
func (s *Store) whereExpr(m *schema.Model, c filter.Cond) (clause.Expression, error) {
	return s.condExpr(topRef(m), m, c)
}

// condExpr translates a where condition of model m whose table is t.
func (s *Store) condExpr(t tableRef, m *schema.Model, c filter.Cond) (clause.Expression, error) {
	switch x := c.(type) {
	case nil:
		return trueExpr, nil
	case filter.And:
		return s.joinConds(t, m, "AND", x)
	case filter.Or:
		return s.joinConds(t, m, "OR", x)
	case *filter.Cmp:
		if x == nil {
			return trueExpr, nil
		}
		return s.cmpExpr(t, m, x)
	case *filter.Related:
		if x == nil {
			return trueExpr, nil
		}
		return s.relatedExpr(t, m, x)
	}
	return nil, apierr.BadRequest("", "Unsupported where condition %T", c)
}

func (s *Store) joinConds(t tableRef, m *schema.Model, op string, cs []filter.Cond) (clause.Expression, error) {
	out := boolExpr{op: op, exprs: make([]clause.Expression, 0, len(cs))}
	for _, c := range cs {
		e, err := s.condExpr(t, m, c)
		if err != nil {
			return nil, err
		}
		out.exprs = append(out.exprs, e)
	}
	return out, nil
}

// operand is the left side of a comparison: a column, or a value inside a JSON column.
type operand struct {
	bind    func(v any) (lhs, rhs any, err error) // left operand and bound value for v
	match   func(v any) clause.Expression         // equality test when it is not lhs = rhs (arrays)
	isNull  clause.Expression                     // holds when the operand is NULL / missing
	text    clause.Expr                           // the operand as text, for patterns
	uniform bool                                  // bind returns the same lhs for every value (IN allowed)
}

// cmpExpr translates one comparison.
func (s *Store) cmpExpr(t tableRef, m *schema.Model, x *filter.Cmp) (clause.Expression, error) {
	p := x.Prop
	if p == nil {
		p = m.Property(x.Property)
	}
	if p == nil {
		if m.Strict != schema.StrictFalse {
			return nil, apierr.BadRequest("", "Unknown property %q in where", x.Property)
		}
		// An undeclared property of a non-strict model lives in the _extra JSON column.
		o, err := s.jsonOperandOf(t.col(extraColumn), append([]string{x.Property}, x.Path...))
		if err != nil {
			return nil, err
		}
		return s.opExpr(o, x)
	}
	if len(x.Path) > 0 {
		if !isJSONType(p.Type) {
			return nil, apierr.BadRequest("", "Property %q is not an object: %q is not a valid path", p.Name, p.Name+"."+strings.Join(x.Path, "."))
		}
		o, err := s.jsonOperandOf(t.col(colName(p)), x.Path)
		if err != nil {
			return nil, err
		}
		return s.opExpr(o, x)
	}
	col := t.col(colName(p))
	if p.Type != schema.Array && x.Value != nil {
		switch x.Op {
		case filter.Eq, "", filter.Gt, filter.Gte, filter.Lt, filter.Lte:
			// the common comparisons of a column with a value, without the operand's set-up
			dbv, err := s.toDB(p, x.Value)
			if err != nil {
				return nil, err
			}
			return compare(x.Op, col, dbv), nil
		}
	}
	if p.Type == schema.Array && isMembership(x) {
		// LoopBack: an array-valued property matches when any element matches.
		return s.opExpr(operand{
			match:  func(v any) clause.Expression { return s.dl.jsonContains(col, v) },
			isNull: clause.Eq{Column: col, Value: nil},
			text:   s.dl.asText(t.expr(colName(p)), p),
		}, x)
	}
	o := operand{
		bind: func(v any) (any, any, error) {
			dbv, err := s.toDB(p, v)
			return col, dbv, err
		},
		isNull:  clause.Eq{Column: col, Value: nil},
		text:    s.dl.asText(t.expr(colName(p)), p),
		uniform: true,
	}
	return s.opExpr(o, x)
}

// jsonOperandOf is the value at keys inside JSON column c.
func (s *Store) jsonOperandOf(c clause.Column, keys []string) (operand, error) {
	for _, k := range keys {
		if !jsonKeyRe.MatchString(k) {
			return operand{}, apierr.BadRequest("", "Invalid property path %q: keys may contain letters, digits and '_' only", strings.Join(keys, "."))
		}
	}
	return operand{
		bind: func(v any) (any, any, error) {
			lhs, rhs := s.dl.jsonOperand(c, keys, v)
			return lhs, rhs, nil
		},
		isNull: s.dl.jsonIsNull(c, keys),
		text:   s.dl.jsonText(c, keys),
	}, nil
}

// opExpr applies the comparison operator of x to operand o.
func (s *Store) opExpr(o operand, x *filter.Cmp) (clause.Expression, error) {
	switch x.Op {
	case filter.Eq, "":
		return o.eq(x.Value)
	case filter.Neq:
		if x.Value == nil {
			return notExpr{o.isNull}, nil
		}
		if o.match != nil {
			return or(notExpr{o.match(x.Value)}, o.isNull), nil
		}
		lhs, rhs, err := o.bind(x.Value)
		if err != nil {
			return nil, err
		}
		return or(clause.Neq{Column: lhs, Value: rhs}, o.isNull), nil
	case filter.Gt, filter.Gte, filter.Lt, filter.Lte:
		return o.order(x.Op, x.Value)
	case filter.Between:
		if len(x.Values) != 2 {
			return nil, apierr.BadRequest("", "The between operator of %q needs exactly 2 values", x.Property)
		}
		lo, err := o.order(filter.Gte, x.Values[0])
		if err != nil {
			return nil, err
		}
		hi, err := o.order(filter.Lte, x.Values[1])
		if err != nil {
			return nil, err
		}
		return and(lo, hi), nil
	case filter.Inq:
		return o.in(x.Values)
	case filter.Nin:
		return o.notIn(x.Values)
	case filter.Like, filter.NLike, filter.ILike, filter.NILike:
		pattern, err := patternOf(x)
		if err != nil {
			return nil, err
		}
		var e clause.Expression
		if x.Op == filter.Like || x.Op == filter.NLike {
			e = s.dl.like(o.text, pattern)
		} else {
			e = s.dl.ilike(o.text, pattern)
		}
		if x.Op == filter.NLike || x.Op == filter.NILike {
			return or(notExpr{e}, o.isNull), nil
		}
		return e, nil
	case filter.Regexp:
		pattern, err := patternOf(x)
		if err != nil {
			return nil, err
		}
		return s.dl.regexp(o.text, pattern, x.Flags)
	}
	return nil, apierr.BadRequest("", "Unsupported operator %q", x.Op)
}

func (o operand) eq(v any) (clause.Expression, error) {
	if v == nil {
		return o.isNull, nil
	}
	if o.match != nil {
		return o.match(v), nil
	}
	lhs, rhs, err := o.bind(v)
	if err != nil {
		return nil, err
	}
	return clause.Eq{Column: lhs, Value: rhs}, nil
}

// order builds gt/gte/lt/lte; nothing is greater or smaller than NULL.
func (o operand) order(op filter.Op, v any) (clause.Expression, error) {
	if v == nil {
		return falseExpr, nil
	}
	lhs, rhs, err := o.bind(v)
	if err != nil {
		return nil, err
	}
	return compare(op, lhs, rhs), nil
}

// compare is lhs op rhs for eq (or ""), gt, gte, lt and lte; rhs is not nil.
func compare(op filter.Op, lhs, rhs any) clause.Expression {
	switch op {
	case filter.Eq, "":
		return clause.Eq{Column: lhs, Value: rhs}
	case filter.Gt:
		return clause.Gt{Column: lhs, Value: rhs}
	case filter.Gte:
		return clause.Gte{Column: lhs, Value: rhs}
	case filter.Lt:
		return clause.Lt{Column: lhs, Value: rhs}
	}
	return clause.Lte{Column: lhs, Value: rhs}
}

// in matches any of vs (a nil in vs matches NULL); an empty list matches nothing.
func (o operand) in(vs []any) (clause.Expression, error) {
	e, hasNil, err := o.inNonNil(vs)
	if err != nil {
		return nil, err
	}
	switch {
	case e == nil && hasNil:
		return o.isNull, nil
	case e == nil:
		return falseExpr, nil
	case hasNil:
		return or(e, o.isNull), nil
	}
	return e, nil
}

// notIn matches none of vs (NULL matches unless vs holds nil); an empty list matches everything.
func (o operand) notIn(vs []any) (clause.Expression, error) {
	e, hasNil, err := o.inNonNil(vs)
	if err != nil {
		return nil, err
	}
	switch {
	case e == nil && hasNil:
		return notExpr{o.isNull}, nil
	case e == nil:
		return trueExpr, nil
	case hasNil:
		return and(notExpr{e}, notExpr{o.isNull}), nil
	}
	return or(notExpr{e}, o.isNull), nil
}

// inNonNil builds the membership test for the non-nil values (nil when there are none).
func (o operand) inNonNil(vs []any) (clause.Expression, bool, error) {
	var (
		hasNil bool
		lhs    any
		rhs    []any
		eqs    []clause.Expression
	)
	for _, v := range vs {
		if v == nil {
			hasNil = true
			continue
		}
		if o.match != nil {
			eqs = append(eqs, o.match(v))
			continue
		}
		l, r, err := o.bind(v)
		if err != nil {
			return nil, false, err
		}
		lhs = l
		rhs = append(rhs, r)
		eqs = append(eqs, clause.Eq{Column: l, Value: r})
	}
	switch {
	case len(eqs) == 0:
		return nil, hasNil, nil
	case o.uniform:
		return clause.IN{Column: lhs, Values: rhs}, hasNil, nil
	}
	return or(eqs...), hasNil, nil
}

// isMembership reports an element comparison on an array property: eq, neq, inq or nin with
// scalar values (an array value compares the whole array).
func isMembership(x *filter.Cmp) bool {
	switch x.Op {
	case filter.Eq, filter.Neq, "":
		_, whole := x.Value.([]any)
		return !whole
	case filter.Inq, filter.Nin:
		return true
	}
	return false
}

// patternOf returns the pattern of a like or regexp comparison.
func patternOf(x *filter.Cmp) (string, error) {
	switch v := x.Value.(type) {
	case string:
		return v, nil
	case *regexp.Regexp:
		return v.String(), nil
	case fmt.Stringer:
		return v.String(), nil
	}
	return "", apierr.BadRequest("", "The %s operator of %q needs a string pattern", x.Op, x.Property)
}
