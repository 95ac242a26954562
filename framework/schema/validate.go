package schema

import (
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"time"
	"unicode/utf16"

	"github.com/loopgo/loopgo/framework/apierr"
)

// Validate checks every rule but uniqueness (which the store checks), property by property in
// declaration order, each property's rules in order: required (presence) first, then its
// validations. With partial (a patch) only the properties present in rec are checked. Blank
// values (nil, "", empty list) skip every rule except presence. Codes and messages are
// LoopBack's (lb3.md 9.2); a rule's message overrides the default one. Values of hidden
// properties are reported as nil. The result is nil when rec is valid.
func (m *Model) Validate(rec Record, partial bool) *apierr.ValidationError {
	verr := apierr.NewValidation(m.Name)
	for _, p := range m.Properties {
		v, present := rec[p.Name]
		if partial && !present {
			continue
		}
		report := m.reportValue(p.Name, v)
		blank := isBlank(v)
		if p.Required && blank {
			verr.Add(p.Name, "presence", "can't be blank", report)
		}
		for i := range m.Validations {
			rule := &m.Validations[i]
			if rule.Property != p.Name || rule.Kind == "uniqueness" {
				continue
			}
			if rule.Kind == "presence" {
				if blank {
					verr.Add(p.Name, "presence", message(rule, "can't be blank"), report)
				}
				continue
			}
			if blank {
				continue
			}
			if code, msg := checkRule(rule, v); code != "" {
				verr.Add(p.Name, code, message(rule, msg), report)
			}
		}
	}
	if verr.Empty() {
		return nil
	}
	return verr
}

// message returns the rule's own message, or def.
func message(rule *Validation, def string) string {
	if rule.Message != "" {
		return rule.Message
	}
	return def
}

// isBlank reports LoopBack's blank: absent, nil, "", or an empty list.
func isBlank(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	case float64:
		return math.IsNaN(x)
	}
	return false
}

// checkRule applies one non-blank rule and returns the failing code and default message.
func checkRule(rule *Validation, v any) (code, msg string) {
	switch rule.Kind {
	case "absence":
		return "absence", "can't be set"
	case "length":
		return checkLength(rule, v)
	case "format":
		s, ok := formatText(v)
		if !ok || rule.Pattern == nil || !rule.Pattern.MatchString(s) {
			return "format", "is invalid"
		}
	case "inclusion":
		if !inList(rule.In, v) {
			return "inclusion", "is not included in the list"
		}
	case "exclusion":
		if inList(rule.In, v) {
			return "exclusion", "is reserved"
		}
	case "numericality":
		f, ok := AsNumber(v)
		if !ok {
			return "numericality.number", "is not a number"
		}
		if rule.Int && f != math.Trunc(f) {
			return "numericality.int", "is not an integer"
		}
	case "email":
		s, ok := v.(string)
		if !ok {
			return "custom.string", "is invalid"
		}
		if !IsEmail(s) {
			return "custom.email", "is invalid"
		}
	}
	return "", ""
}

// checkLength compares the length of a string (in UTF-16 code units, as JavaScript counts) or a
// list with the rule's bounds.
func checkLength(rule *Validation, v any) (code, msg string) {
	var n float64
	switch x := v.(type) {
	case string:
		n = float64(len(utf16.Encode([]rune(x))))
	default:
		list, ok := asList(v)
		if !ok {
			return "", ""
		}
		n = float64(len(list))
	}
	switch {
	case rule.Min != nil && n < *rule.Min:
		return "length.min", "is too short"
	case rule.Max != nil && n > *rule.Max:
		return "length.max", "is too long"
	case rule.Is != nil && n != *rule.Is:
		return "length.is", "is the wrong length"
	}
	return "", ""
}

// formatText returns the text a format rule tests: strings, and numbers as JavaScript prints them.
func formatText(v any) (string, bool) {
	if s, ok := v.(string); ok {
		return s, true
	}
	if f, ok := AsNumber(v); ok {
		return strconv.FormatFloat(f, 'f', -1, 64), true
	}
	return "", false
}

// inList reports whether v equals one of the listed values (numbers compare by value, dates by
// instant, everything else by deep equality).
func inList(list []any, v any) bool {
	for _, x := range list {
		if sameValue(x, v) {
			return true
		}
	}
	return false
}

// sameValue compares two coerced values.
func sameValue(a, b any) bool {
	if fa, ok := AsNumber(a); ok {
		fb, ok := AsNumber(b)
		return ok && fa == fb
	}
	if ta, ok := a.(time.Time); ok {
		tb, ok := b.(time.Time)
		return ok && ta.Equal(tb)
	}
	if _, isNum := b.(json.Number); isNum {
		return false
	}
	return reflect.DeepEqual(a, b)
}
