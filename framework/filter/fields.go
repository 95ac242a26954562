package filter

import (
	"github.com/loopgo/loopgo/framework/schema"
)

// parseFields reads `fields`: a property name, a list of names, or an object name -> flag. An
// object with any truthy flag selects only the truthy names; an object whose flags are all falsy
// excludes those names. Unknown names are ignored and hidden ones dropped; nil means every
// visible property (also when nothing valid was selected).
//
// Deliberate difference: bracket syntax sends flags as strings, and LoopBack treats the string
// "false" (and "0") as truthy, so `filter[fields][x]=false` selects x. Loopgo reads "false" and
// "0" as false, which is what the client meant.
func parseFields(raw any, m *schema.Model) *Fields {
	switch x := raw.(type) {
	case string:
		return includeFields(m, []string{x})
	case []any:
		names := make([]string, 0, len(x))
		for _, item := range x {
			if s, ok := item.(string); ok {
				names = append(names, s)
			}
		}
		return includeFields(m, names)
	case map[string]any:
		var in, out []string
		for _, name := range propertyNames(m) { // model order, not map order: deterministic
			v, ok := x[name]
			if !ok {
				continue
			}
			if truthy(v) {
				in = append(in, name)
			} else {
				out = append(out, name)
			}
		}
		if len(in) > 0 {
			return includeFields(m, in)
		}
		return excludeFields(m, out)
	}
	return nil
}

// includeFields keeps the visible known names, without repeats, in the given order.
func includeFields(m *schema.Model, names []string) *Fields {
	seen := map[string]bool{}
	var keep []string
	for _, n := range names {
		if !seen[n] && visibleProperty(m, n) != nil {
			seen[n] = true
			keep = append(keep, n)
		}
	}
	if len(keep) == 0 {
		return nil
	}
	return &Fields{Include: keep}
}

// excludeFields keeps the visible known names to exclude.
func excludeFields(m *schema.Model, names []string) *Fields {
	var keep []string
	for _, n := range names {
		if visibleProperty(m, n) != nil {
			keep = append(keep, n)
		}
	}
	if len(keep) == 0 {
		return nil
	}
	return &Fields{Exclude: keep}
}

// truthy is JavaScript truthiness (schema.Truthy), except that the strings "false" and "0"
// are false.
func truthy(v any) bool {
	if s, ok := v.(string); ok && (s == "false" || s == "0") {
		return false
	}
	return schema.Truthy(v)
}
