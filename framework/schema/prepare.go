package schema

import (
	"sort"
	"time"

	"github.com/google/uuid"

	"github.com/loopgo/loopgo/framework/apierr"
)

// PrepareData applies the strict mode and coerces every declared property of request data
// (partial is true for patches; both modes coerce the keys present). It returns a new map, or a
// *apierr.ValidationError: code "unknown-property" ("is not defined in the model") for properties
// a strict model does not declare, and the CoerceError code and message for values that do not
// fit their type. Undeclared properties are dropped with strict: filter and kept as they are with
// strict: false. Values of hidden properties are reported as nil.
func (m *Model) PrepareData(data map[string]any, partial bool) (Record, error) {
	_ = partial // both modes coerce exactly the keys present; kept for symmetry with Validate
	out := make(Record, len(data))
	verr := apierr.NewValidation(m.Name)
	for _, p := range m.Properties {
		v, ok := data[p.Name]
		if !ok {
			continue
		}
		if rule := m.emailRule(p.Name); rule != nil && v != nil {
			if _, isStr := v.(string); !isStr {
				// an email is text: a number is not turned into one (LoopBack's custom.string)
				verr.Add(p.Name, "custom.string", message(rule, "is invalid"), m.reportValue(p.Name, v))
				continue
			}
		}
		c, err := p.CoerceData(v)
		if err != nil {
			code, msg := "type", err.Error()
			if ce, isCE := err.(*CoerceError); isCE {
				code = ce.Code
			}
			verr.Add(p.Name, code, msg, m.reportValue(p.Name, v))
			continue
		}
		out[p.Name] = c
	}
	unknown := make([]string, 0)
	for k := range data {
		if m.Property(k) == nil {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		switch m.Strict {
		case StrictTrue:
			verr.Add(k, "unknown-property", "is not defined in the model", data[k])
		case StrictFalse:
			out[k] = data[k]
		}
	}
	if !verr.Empty() {
		return nil, verr
	}
	return out, nil
}

// reportValue is the value shown in a ValidationError: nil for hidden properties.
func (m *Model) reportValue(prop string, v any) any {
	if m.IsHidden(prop) {
		return nil
	}
	return v
}

// ApplyDefaults sets the default or defaultFn value of every property absent from rec (a key
// with a nil value is present): now -> the given time in UTC; uuid, guid, uuidv4 -> a random
// UUID string. Composite defaults are copied, so records never share them.
func (m *Model) ApplyDefaults(rec Record, now time.Time) {
	for _, p := range m.Properties {
		if _, ok := rec[p.Name]; ok {
			continue
		}
		switch {
		case p.DefaultFn == "now":
			rec[p.Name] = now.UTC()
		case p.DefaultFn == "uuid", p.DefaultFn == "guid", p.DefaultFn == "uuidv4":
			rec[p.Name] = uuid.NewString()
		case p.Default != nil:
			rec[p.Name] = copyValue(p.Default)
		}
	}
}

// emailRule returns the email validation of a property, or nil.
func (m *Model) emailRule(prop string) *Validation {
	for i := range m.Validations {
		if r := &m.Validations[i]; r.Property == prop && r.Kind == "email" {
			return r
		}
	}
	return nil
}
