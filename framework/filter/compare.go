package filter

import (
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/loopgo/loopgo/framework/schema"
)

// allOps lists the operators in the order their conditions are built when a key has several.
var allOps = []Op{Eq, Neq, Gt, Gte, Lt, Lte, Between, Inq, Nin, Like, NLike, ILike, NILike, Regexp}

// knownOp reports whether s is one of allOps.
func knownOp(s string) bool {
	for _, op := range allOps {
		if string(op) == s {
			return true
		}
	}
	return false
}

// term is the left side of a comparison plus what error messages quote.
type term struct {
	key    string // the where key as written ("meta.a")
	clause any    // the value written for the key, quoted in errors
	prop   *schema.Property
	path   []string
}

// compare builds the Cmp for one operator and its raw value.
func (p *parser) compare(t term, op Op, raw any) (Cond, error) {
	c := &Cmp{Property: t.prop.Name, Path: t.path, Prop: t.prop, Op: op}
	var err error
	switch op {
	case Eq, Neq:
		if raw != nil {
			c.Value, err = t.value(raw)
		}
	case Gt, Gte, Lt, Lte:
		if raw == nil {
			return nil, errClause(t.key, t.clause, "Expected a value, received null")
		}
		c.Value, err = t.value(raw)
	case Between:
		c.Values, err = t.list(raw, 2, false)
	case Inq, Nin:
		c.Values, err = t.list(raw, -1, true)
	case Like, NLike, ILike, NILike:
		s, ok := raw.(string)
		if !ok {
			return nil, errClause(t.key, t.clause, "Expected a string")
		}
		c.Value = s
	case Regexp:
		s, ok := raw.(string)
		if !ok {
			return nil, errClause(t.key, t.clause, "Expected a string")
		}
		c.Value, c.Flags, err = splitRegexp(s)
	}
	if err != nil {
		return nil, err
	}
	return c, p.count()
}

// list reads the items of between (want = 2) or inq/nin (want < 0), coercing each one.
func (t term) list(raw any, want int, nullable bool) ([]any, error) {
	items, err := arrayLike(raw)
	if err != nil {
		return nil, errClause(t.key, t.clause, err.Error())
	}
	if want >= 0 && len(items) != want {
		return nil, errClause(t.key, t.clause, "Expected precisely "+strconv.Itoa(want)+" values, received "+strconv.Itoa(len(items)))
	}
	if len(items) > MaxListItems {
		return nil, errClause(t.key, t.clause, "Expected at most "+strconv.Itoa(MaxListItems)+" values, received "+strconv.Itoa(len(items)))
	}
	out := make([]any, len(items))
	for i, item := range items {
		if item == nil {
			if !nullable {
				return nil, errClause(t.key, t.clause, "Expected a value, received null")
			}
			continue
		}
		if out[i], err = t.value(item); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// value coerces one comparison value to the property's type: with Prop.CoerceQuery, per item type
// for array properties (a scalar compared with an array property matches its elements), and not
// at all below a dot path, where the type is unknown. Objects and lists are refused.
func (t term) value(raw any) (any, error) {
	if !isScalar(raw) {
		return nil, errClause(t.key, t.clause, "Expected a single value, not an object or a list")
	}
	if len(t.path) > 0 {
		return raw, nil
	}
	prop := t.prop
	if prop.Type == schema.Array {
		item := prop.Items
		if item == "" {
			item = schema.Any
		}
		prop = &schema.Property{Name: prop.Name, Type: item}
	}
	v, err := prop.CoerceQuery(raw)
	if err != nil {
		return nil, errCoerce(t.key, t.clause, raw, err)
	}
	return v, nil
}

// isScalar reports whether v is a string, number, boolean or time (not a container or pointer).
func isScalar(v any) bool {
	if _, ok := v.(time.Time); ok {
		return true
	}
	switch reflect.ValueOf(v).Kind() {
	case reflect.Bool, reflect.String, reflect.Float32, reflect.Float64,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return true
	}
	return false
}

// splitRegexp reads "pattern" or "/pattern/flags"; flags may only be i, g and m (LoopBack's rule).
func splitRegexp(s string) (pattern, flags string, err error) {
	end := strings.LastIndexByte(s, '/')
	if len(s) < 2 || s[0] != '/' || end == 0 {
		return s, "", nil
	}
	var bad []string
	for _, f := range s[end+1:] {
		switch {
		case !strings.ContainsRune("igm", f):
			if !contains(bad, string(f)) {
				bad = append(bad, string(f))
			}
		case !strings.ContainsRune(flags, f):
			flags += string(f)
		}
	}
	if len(bad) > 0 {
		return "", "", badRequest("Invalid regex flags: %s", strings.Join(bad, ","))
	}
	return s[1:end], flags, nil
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

// itoa formats an array index.
func itoa(i int) string { return strconv.Itoa(i) }
