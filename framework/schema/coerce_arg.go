package schema

import (
	"encoding/json"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Messages of remote argument coercion errors (strong-remoting's wording; the caller answers 400).
const (
	msgNotNumber      = "Value is not a number."
	msgNotSafeInteger = "Value is not a safe integer."
	msgNotBoolean     = "Value is not a boolean."
	msgNotString      = "Value is not a string."
	msgNotDate        = "Value is not a valid date."
	msgNotObject      = "Value is not an object."
	msgBadJSONObject  = "Cannot parse JSON-encoded object value."
	msgNotArray       = "Value is not an array."
	msgBadJSONArray   = "Cannot parse JSON-encoded array value."
	msgNotGeoPoint    = "Value is not a valid geopoint."
)

// argError is a remote argument coercion error.
func argError(msg string) *CoerceError { return &CoerceError{Msg: msg} }

// CoerceArg converts a remote method argument (lb3.md 4.4, 6.4). fromString marks values taken
// from a URL path, query string or header (strings, or []string for repeated query keys); they
// are converted "sloppily": "" is absent (nil), numbers and booleans are parsed, object and array
// strings are JSON-decoded, and any-typed values become numbers or booleans when they look like
// them. Other values (JSON body) must already have the type. Go results: string, float64 for
// number, int64 for integer, bool, time.Time, map[string]any for object and model types, []any,
// GeoPoint maps; buffer and file values pass through. Errors are *CoerceError with strong-remoting's
// messages (e.g. "Value is not a number.").
func CoerceArg(t Type, items Type, v any, fromString bool) (any, error) {
	if fromString {
		return sloppyArg(t, items, v)
	}
	return typedArg(t, items, v)
}

// typedArg validates a value decoded from JSON.
func typedArg(t, items Type, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch t {
	case String:
		if s, ok := v.(string); ok {
			return s, nil
		}
		return nil, argError(msgNotString)
	case Number:
		if f, ok := AsNumber(v); ok {
			return f, nil
		}
		return nil, argError(msgNotNumber)
	case Integer:
		f, ok := AsNumber(v)
		if !ok {
			return nil, argError(msgNotNumber)
		}
		return safeInteger(f)
	case Boolean:
		if b, ok := v.(bool); ok {
			return b, nil
		}
		return nil, argError(msgNotBoolean)
	case Date:
		return argDate(v)
	case Array:
		list, ok := asList(v)
		if !ok {
			return nil, argError(msgNotArray)
		}
		out := make([]any, len(list))
		for i, it := range list {
			c, err := typedArg(itemType(items), "", it)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case GeoPoint:
		g, err := coerceGeoPoint(normalizeJSON(v))
		if err != nil {
			return nil, argError(msgNotGeoPoint)
		}
		return g, nil
	case Any, "buffer", "file":
		return normalizeJSON(v), nil
	}
	// object and model types
	if m, ok := normalizeJSON(v).(map[string]any); ok {
		return m, nil
	}
	return nil, argError(msgNotObject)
}

// itemType is the type of array items ("" = any).
func itemType(items Type) Type {
	if items == "" {
		return Any
	}
	return items
}

// safeInteger returns f as int64 when it is a whole number within ±(2^53-1).
func safeInteger(f float64) (any, error) {
	if f != math.Trunc(f) || math.Abs(f) > maxExactInt {
		return nil, argError(msgNotSafeInteger)
	}
	return int64(f), nil
}

// argDate converts a date string or epoch milliseconds.
func argDate(v any) (any, error) {
	if t, ok := v.(time.Time); ok {
		return t.UTC(), nil
	}
	if _, isBool := v.(bool); !isBool {
		if c, err := coerceDate(v); err == nil {
			return c, nil
		}
	}
	return nil, argError(msgNotDate)
}

// sloppyArg converts a value taken from a URL or header.
func sloppyArg(t, items Type, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	if list, ok := v.([]string); ok && t != Array {
		if len(list) == 0 {
			return nil, nil
		}
		if t == String {
			return strings.Join(list, ","), nil
		}
		v = list[0]
	}
	s, isStr := v.(string)
	if !isStr {
		if t == Array {
			return sloppyArray(items, v)
		}
		if t == Any || t == String {
			return sloppyNonString(t, v)
		}
		return typedArg(t, items, v)
	}
	if s == "" {
		return nil, nil
	}
	switch t {
	case String:
		return s, nil
	case Number:
		return sloppyNumber(s)
	case Integer:
		f, err := sloppyNumber(s)
		if err != nil || f == nil {
			return f, err
		}
		return safeInteger(f.(float64))
	case Boolean:
		switch strings.ToLower(s) {
		case "true", "1":
			return true, nil
		case "false", "0":
			return false, nil
		}
		return nil, argError(msgNotBoolean)
	case Date:
		return argDate(s)
	case Array:
		return sloppyArray(items, s)
	case GeoPoint:
		return typedArg(GeoPoint, "", s)
	case Any:
		return sloppyAny(s), nil
	case "buffer", "file":
		return s, nil
	}
	return sloppyObject(s)
}

// sloppyNonString converts a non-string value (e.g. a bracket-syntax map) for any/string.
func sloppyNonString(t Type, v any) (any, error) {
	if t == Any {
		return normalizeJSON(v), nil
	}
	switch x := v.(type) {
	case bool:
		return strconv.FormatBool(x), nil
	default:
		if f, ok := AsNumber(v); ok {
			return strconv.FormatFloat(f, 'f', -1, 64), nil
		}
	}
	return nil, argError(msgNotString)
}

// sloppyNumber parses a number string as JavaScript's unary + does (decimal or 0x hex).
func sloppyNumber(s string) (any, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return nil, nil
	}
	if f, ok := parseDecimal(t); ok {
		return f, nil
	}
	if len(t) > 2 && (t[:2] == "0x" || t[:2] == "0X") {
		if u, err := strconv.ParseUint(t[2:], 16, 64); err == nil {
			return float64(u), nil
		}
	}
	return nil, argError(msgNotNumber)
}

// sloppyObject decodes a JSON object string; other strings are not objects.
func sloppyObject(s string) (any, error) {
	if s == "null" {
		return nil, nil
	}
	t := strings.TrimSpace(s)
	if !strings.HasPrefix(t, "{") || !strings.HasSuffix(t, "}") {
		return nil, argError(msgNotObject)
	}
	var v any
	if err := json.Unmarshal([]byte(t), &v); err != nil {
		return nil, argError(msgBadJSONObject)
	}
	if m, ok := v.(map[string]any); ok {
		return m, nil
	}
	return nil, argError(msgNotObject)
}

// sloppyArray reads a JSON array string, a list of values, or one value (wrapped in a list).
func sloppyArray(items Type, v any) (any, error) {
	if s, ok := v.(string); ok {
		if s == "" || s == "null" {
			return nil, nil
		}
		t := strings.TrimSpace(s)
		if strings.HasPrefix(t, "[") && strings.HasSuffix(t, "]") {
			var decoded any
			if err := json.Unmarshal([]byte(t), &decoded); err != nil {
				return nil, argError(msgBadJSONArray)
			}
			return typedArg(Array, items, decoded)
		}
	}
	list, ok := asList(v)
	if !ok {
		list = []any{v}
	}
	out := make([]any, len(list))
	for i, it := range list {
		c, err := sloppyArg(itemType(items), "", it)
		if err != nil {
			return nil, err
		}
		out[i] = c
	}
	return out, nil
}

// Number shapes that an any-typed string argument turns into a number (strong-remoting's rules).
var (
	sloppyIntRe   = regexp.MustCompile(`^-?(?:[0-9]|[1-9][0-9]*)$`)
	sloppyFloatRe = regexp.MustCompile(`^-?([0-9]+)?\.[0-9]+$`)
)

// sloppyAny converts an any-typed string: "null" nil, true/false booleans, safe numbers, JSON
// objects and arrays; anything else stays a string.
func sloppyAny(s string) any {
	switch strings.ToLower(s) {
	case "null":
		return nil
	case "true":
		return true
	case "false":
		return false
	}
	if sloppyIntRe.MatchString(s) || sloppyFloatRe.MatchString(s) {
		if f, err := strconv.ParseFloat(s, 64); err == nil && math.Abs(f) <= maxExactInt {
			return f
		}
	}
	t := strings.TrimSpace(s)
	if (strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}")) || (strings.HasPrefix(t, "[") && strings.HasSuffix(t, "]")) {
		var v any
		if json.Unmarshal([]byte(t), &v) == nil {
			return v
		}
	}
	return s
}
