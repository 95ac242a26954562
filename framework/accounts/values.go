package accounts

import (
	"time"

	"github.com/loopgo/loopgo/framework/filter"
	"github.com/loopgo/loopgo/framework/schema"
)

// timeValue reads a stored date (time.Time, or an RFC 3339 string from a lax driver).
func timeValue(v any) (time.Time, bool) {
	switch x := v.(type) {
	case time.Time:
		return x, !x.IsZero()
	case *time.Time:
		if x != nil && !x.IsZero() {
			return *x, true
		}
	case string:
		t, err := time.Parse(time.RFC3339Nano, x)
		return t, err == nil && !t.IsZero()
	}
	return time.Time{}, false
}

// stringList converts a stored string array ([]any or []string) to []string.
func stringList(v any) []string {
	switch x := v.(type) {
	case []string:
		return append([]string(nil), x...)
	case []any:
		out := make([]string, 0, len(x))
		for _, it := range x {
			if s, ok := it.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// idProperty returns m's id property, or LoopBack's injected default (a generated number "id").
func idProperty(m *schema.Model) *schema.Property {
	if p := m.IDProperty(); p != nil {
		return p
	}
	if p := m.Property("id"); p != nil {
		return p
	}
	return &schema.Property{Name: "id", Type: schema.Number, ID: true, Generated: true}
}

// property returns m's declared property, or a bare one of type any for undeclared names.
func property(m *schema.Model, name string) *schema.Property {
	if name == "id" {
		return idProperty(m)
	}
	if p := m.Property(name); p != nil {
		return p
	}
	return &schema.Property{Name: name, Type: schema.Any}
}

// eq builds the condition `name == value` on m.
func eq(m *schema.Model, name string, value any) *filter.Cmp {
	return &filter.Cmp{Property: name, Prop: property(m, name), Op: filter.Eq, Value: value}
}

// cmp builds the condition `name op value` on m.
func cmp(m *schema.Model, name string, op filter.Op, value any) *filter.Cmp {
	return &filter.Cmp{Property: name, Prop: property(m, name), Op: op, Value: value}
}

// inq builds the condition `name IN values` on m.
func inq(m *schema.Model, name string, values []any) *filter.Cmp {
	return &filter.Cmp{Property: name, Prop: property(m, name), Op: filter.Inq, Values: values}
}

// withoutHidden returns a copy of rec without m's hidden properties.
func withoutHidden(m *schema.Model, rec schema.Record) schema.Record {
	if rec == nil {
		return nil
	}
	out := make(schema.Record, len(rec))
	for k, v := range rec {
		if !m.IsHidden(k) {
			out[k] = v
		}
	}
	return out
}
