package filter

import (
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/loopgo/loopgo/framework/schema"
)

// Matcher decides a where condition on records in memory, with the semantics the store gives
// the same condition in SQL (docs/filters.md): like anchored and case-sensitive, the negative
// operators matching NULL, an array property matching when any element does, regular
// expressions unanchored. Change streams use it to filter events.
type Matcher struct {
	cond Cond
	res  map[*Cmp]*regexp.Regexp
}

// Compile prepares c for Match; conditions on related models cannot be decided on a record
// alone and, like an invalid pattern, answer 400.
func Compile(c Cond) (*Matcher, error) {
	m := &Matcher{cond: c, res: map[*Cmp]*regexp.Regexp{}}
	if err := m.compile(c); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *Matcher) compile(c Cond) error {
	switch x := c.(type) {
	case And:
		for _, k := range x {
			if err := m.compile(k); err != nil {
				return err
			}
		}
	case Or:
		for _, k := range x {
			if err := m.compile(k); err != nil {
				return err
			}
		}
	case *Related:
		return badRequest("A condition on the related model %q cannot be used here", x.Relation)
	case *Cmp:
		if x == nil {
			return nil
		}
		var expr string
		switch x.Op {
		case Like, NLike:
			expr = "(?s)^" + likeToRegexp(patternText(x.Value)) + "$"
		case ILike, NILike:
			expr = "(?is)^" + likeToRegexp(patternText(x.Value)) + "$"
		case Regexp:
			flags := ""
			if strings.Contains(x.Flags, "i") {
				flags += "i"
			}
			if strings.Contains(x.Flags, "m") {
				flags += "m"
			}
			expr = patternText(x.Value)
			if flags != "" {
				expr = "(?" + flags + ")" + expr
			}
		default:
			return nil
		}
		re, err := regexp.Compile(expr)
		if err != nil {
			return badRequest("Invalid regular expression")
		}
		m.res[x] = re
	}
	return nil
}

// Match reports whether rec (a record keyed by property name) satisfies the condition; a nil
// condition matches every record.
func (m *Matcher) Match(rec map[string]any) bool { return m.match(m.cond, rec) }

func (m *Matcher) match(c Cond, rec map[string]any) bool {
	switch x := c.(type) {
	case nil:
		return true
	case And:
		for _, k := range x {
			if !m.match(k, rec) {
				return false
			}
		}
		return true
	case Or:
		for _, k := range x {
			if m.match(k, rec) {
				return true
			}
		}
		return false
	case *Cmp:
		if x == nil {
			return true
		}
		return m.cmp(x, valueAt(rec, x))
	}
	return false
}

// valueAt reads the compared value: the property, or the key below it for a dot path (missing = nil).
func valueAt(rec map[string]any, c *Cmp) any {
	v := rec[c.Property]
	for _, k := range c.Path {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// cmp applies one comparison to a value; an array value (of an array property, not below a
// dot path) matches a positive operator when any element does, a negative one when none does
// the positive.
func (m *Matcher) cmp(c *Cmp, v any) bool {
	if list, ok := v.([]any); ok && len(c.Path) == 0 {
		if whole, isList := c.Value.([]any); isList && (c.Op == Eq || c.Op == Neq) {
			return reflect.DeepEqual(list, whole) == (c.Op == Eq)
		}
		switch c.Op {
		case Neq:
			return !m.anyElement(&Cmp{Op: Eq, Value: c.Value}, list)
		case Nin:
			return !m.anyElement(&Cmp{Op: Inq, Values: c.Values}, list)
		case NLike, NILike:
			return !m.anyElement(&Cmp{Op: positive(c.Op)}, list, m.res[c])
		}
		return m.anyElement(c, list, m.res[c])
	}
	return m.scalar(c, v, m.res[c])
}

func positive(op Op) Op {
	if op == NLike {
		return Like
	}
	return ILike
}

func (m *Matcher) anyElement(c *Cmp, list []any, re ...*regexp.Regexp) bool {
	var r *regexp.Regexp
	if len(re) > 0 {
		r = re[0]
	}
	for _, e := range list {
		if m.scalar(c, e, r) {
			return true
		}
	}
	return false
}

// scalar applies one comparison to one value.
func (m *Matcher) scalar(c *Cmp, v any, re *regexp.Regexp) bool {
	switch c.Op {
	case Eq:
		if c.Value == nil {
			return v == nil
		}
		return equal(v, c.Value)
	case Neq:
		if c.Value == nil {
			return v != nil
		}
		return v == nil || !equal(v, c.Value)
	case Gt, Gte, Lt, Lte:
		n, ok := compare(v, c.Value)
		if !ok {
			return false
		}
		switch c.Op {
		case Gt:
			return n > 0
		case Gte:
			return n >= 0
		case Lt:
			return n < 0
		}
		return n <= 0
	case Between:
		if len(c.Values) != 2 {
			return false
		}
		lo, ok1 := compare(v, c.Values[0])
		hi, ok2 := compare(v, c.Values[1])
		return ok1 && ok2 && lo >= 0 && hi <= 0
	case Inq:
		for _, x := range c.Values {
			if (x == nil && v == nil) || (x != nil && v != nil && equal(v, x)) {
				return true
			}
		}
		return false
	case Nin:
		for _, x := range c.Values {
			if (x == nil && v == nil) || (x != nil && v != nil && equal(v, x)) {
				return false
			}
		}
		return true
	case Like, ILike, Regexp:
		s, ok := text(v)
		return ok && re != nil && re.MatchString(s)
	case NLike, NILike:
		s, ok := text(v)
		return !ok || re == nil || !re.MatchString(s)
	}
	return false
}

// equal compares two values: numbers numerically, times by instant, strings byte for byte,
// anything else structurally.
func equal(a, b any) bool {
	if n, ok := compare(a, b); ok {
		return n == 0
	}
	return reflect.DeepEqual(a, b)
}

// compare orders two values of one kind (numbers, strings, times, booleans); ok is false for
// NULL or values of different kinds.
func compare(a, b any) (int, bool) {
	if a == nil || b == nil {
		return 0, false
	}
	if x, ok := schema.AsFloat(a); ok {
		y, ok := schema.AsFloat(b)
		if !ok {
			return 0, false
		}
		switch {
		case x < y:
			return -1, true
		case x > y:
			return 1, true
		}
		return 0, true
	}
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		if !ok {
			return 0, false
		}
		return strings.Compare(x, y), true
	case time.Time:
		y, ok := b.(time.Time)
		if !ok {
			return 0, false
		}
		return x.Compare(y), true
	case bool:
		y, ok := b.(bool)
		if !ok {
			return 0, false
		}
		switch {
		case x == y:
			return 0, true
		case !x:
			return -1, true
		}
		return 1, true
	}
	return 0, false
}

// text is the value a pattern is matched against: strings as they are, numbers, booleans and
// times as text; ok is false for NULL and containers.
func text(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case bool:
		return strconv.FormatBool(x), true
	case time.Time:
		return x.UTC().Format("2006-01-02T15:04:05.000Z"), true
	}
	if n, ok := schema.AsFloat(v); ok {
		return strconv.FormatFloat(n, 'f', -1, 64), true
	}
	return "", false
}

// patternText returns a like or regexp pattern as text.
func patternText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case interface{ String() string }:
		return x.String()
	}
	return ""
}

// likeToRegexp converts an SQL pattern (% any run, _ one character, \ escapes) to a regular
// expression body.
func likeToRegexp(p string) string {
	var b strings.Builder
	esc := false
	for _, r := range p {
		switch {
		case esc:
			b.WriteString(regexp.QuoteMeta(string(r)))
			esc = false
		case r == '\\':
			esc = true
		case r == '%':
			b.WriteString(".*")
		case r == '_':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	if esc {
		b.WriteString(`\\`)
	}
	return b.String()
}
