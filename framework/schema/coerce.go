package schema

import (
	"encoding/json"
	"math"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// coerceMode selects how lenient value coercion is.
type coerceMode int

const (
	modeData  coerceMode = iota // request body data (CoerceData)
	modeQuery                   // where-clause values (CoerceQuery)
)

// maxExactInt is the largest integer a float64 holds exactly (JavaScript's MAX_SAFE_INTEGER).
const maxExactInt = 1<<53 - 1

// CoerceData converts a JSON request-body value to the property's Go type (see Type for the Go
// representations). Numbers may arrive as float64, json.Number or any Go integer; numeric strings
// are accepted for number properties as LoopBack's Number() does; generated ids become int64.
// nil stays nil. A value that does not fit returns a *CoerceError.
func (p *Property) CoerceData(v any) (any, error) {
	return coerce(p.Type, p.Items, p.ID && p.Generated, v, modeData)
}

// CoerceQuery converts a where-clause value to the property's Go type, leniently as LoopBack's
// DAO does (lb3.md 5.3): numeric strings become numbers (an unparsable one is an error, so that
// the filter layer can answer 400), "true"/"1"/"false"/"0" booleans, numbers strings for string
// properties. Object, array and any values are returned as they are.
func (p *Property) CoerceQuery(v any) (any, error) {
	return coerce(p.Type, p.Items, p.ID && p.Generated, v, modeQuery)
}

// coerce converts v to type t (items for arrays); intID marks a generated integer id.
func coerce(t, items Type, intID bool, v any, mode coerceMode) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch t {
	case String:
		return coerceString(v, mode)
	case Number:
		return coerceNumber(v, intID, mode)
	case Boolean:
		return coerceBool(v)
	case Date:
		return coerceDate(v)
	case Object:
		if mode == modeQuery {
			return normalizeJSON(v), nil
		}
		if m, ok := normalizeJSON(v).(map[string]any); ok {
			return m, nil
		}
		return nil, typeError(Object)
	case Array:
		return coerceArray(items, v, mode)
	case GeoPoint:
		return coerceGeoPoint(v)
	}
	return normalizeJSON(v), nil
}

// coerceString accepts strings, and numbers and booleans as their text (123 -> "123", true ->
// "true"), as LoopBack does for data and where clauses; objects and lists are refused.
func coerceString(v any, _ coerceMode) (any, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case json.Number:
		return x.String(), nil
	case bool:
		return strconv.FormatBool(x), nil
	}
	if f, ok := AsNumber(v); ok {
		return strconv.FormatFloat(f, 'f', -1, 64), nil
	}
	return nil, typeError(String)
}

// coerceNumber accepts numbers and numeric strings; generated ids must be whole and become int64
// (where clauses keep fractional values as float64, which simply match no id).
func coerceNumber(v any, intID bool, mode coerceMode) (any, error) {
	f, ok := AsNumber(v)
	if !ok {
		s, isStr := v.(string)
		if !isStr {
			return nil, typeError(Number)
		}
		if f, ok = parseDecimal(s); !ok {
			return nil, typeError(Number)
		}
	}
	if !intID {
		return f, nil
	}
	if f != math.Trunc(f) || math.Abs(f) > maxExactInt {
		if mode == modeQuery {
			return f, nil
		}
		return nil, &CoerceError{Code: "type", Msg: "is not a valid integer id"}
	}
	return int64(f), nil
}

// decimalRe is a decimal number as JavaScript's Number() reads it (without hex and Infinity).
var decimalRe = regexp.MustCompile(`^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$`)

// parseDecimal parses a decimal number string (surrounding spaces allowed); it must be finite.
func parseDecimal(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if !decimalRe.MatchString(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// coerceBool accepts booleans, the words "true", "1", "yes", "on" (true) and "false", "0",
// "no", "off", "" (false) in any case, and the numbers 1 and 0. LoopBack's Boolean() makes every
// other non-empty string true; Loopgo refuses them (docs/compatibility.md).
func coerceBool(v any) (any, error) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case string:
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "true", "1", "yes", "on":
			return true, nil
		case "false", "0", "no", "off", "":
			return false, nil
		}
	default:
		if f, ok := AsNumber(v); ok && (f == 0 || f == 1) {
			return f == 1, nil
		}
	}
	return nil, typeError(Boolean)
}

// coerceDate accepts time.Time, ISO-8601 / RFC 3339 strings and epoch milliseconds.
func coerceDate(v any) (any, error) {
	if t, ok := v.(time.Time); ok {
		return t.UTC(), nil
	}
	if s, ok := v.(string); ok {
		if t, ok := ParseDate(s); ok {
			return t, nil
		}
		return nil, typeError(Date)
	}
	if f, ok := AsNumber(v); ok {
		if t, ok := dateFromMillis(f); ok {
			return t, nil
		}
	}
	return nil, typeError(Date)
}

// coerceArray accepts lists, coercing the items when the array is typed. In where clauses a single
// value of a typed array is coerced as an item.
func coerceArray(items Type, v any, mode coerceMode) (any, error) {
	list, ok := asList(v)
	if !ok {
		if mode == modeQuery {
			if items == "" {
				return normalizeJSON(v), nil
			}
			return coerce(items, "", false, v, mode)
		}
		return nil, typeError(Array)
	}
	out := make([]any, len(list))
	for i, it := range list {
		if items == "" || it == nil {
			out[i] = normalizeJSON(it)
			continue
		}
		c, err := coerce(items, "", false, it, mode)
		if err != nil {
			code := "type"
			if ce, ok := err.(*CoerceError); ok {
				code = ce.Code
			}
			return nil, &CoerceError{Code: code, Msg: "item " + strconv.Itoa(i) + " " + err.Error()}
		}
		out[i] = c
	}
	return out, nil
}

// asList returns v as []any when it is a slice (of any element type, not bytes).
func asList(v any) ([]any, bool) {
	switch x := v.(type) {
	case []any:
		return x, true
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out, true
	case []byte:
		return nil, false
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
		return nil, false
	}
	out := make([]any, rv.Len())
	for i := range out {
		out[i] = rv.Index(i).Interface()
	}
	return out, true
}

// coerceGeoPoint accepts {lat, lng} (numbers or numeric strings) or "lat,lng".
func coerceGeoPoint(v any) (any, error) {
	var lat, lng float64
	var ok1, ok2 bool
	switch x := v.(type) {
	case string:
		parts := strings.Split(x, ",")
		if len(parts) == 2 {
			lat, ok1 = parseDecimal(parts[0])
			lng, ok2 = parseDecimal(parts[1])
		}
	case map[string]any:
		if len(x) == 2 {
			lat, ok1 = geoNumber(x["lat"])
			lng, ok2 = geoNumber(x["lng"])
		}
	}
	if !ok1 || !ok2 || lat < -90 || lat > 90 || lng < -180 || lng > 180 {
		return nil, typeError(GeoPoint)
	}
	return map[string]any{"lat": lat, "lng": lng}, nil
}

// geoNumber reads a coordinate given as a number or a numeric string.
func geoNumber(v any) (float64, bool) {
	if s, ok := v.(string); ok {
		return parseDecimal(s)
	}
	return AsNumber(v)
}

// normalizeJSON returns a copy of a JSON-like value with json.Number converted to float64
// (JavaScript numbers, as LoopBack stores them).
func normalizeJSON(v any) any {
	switch x := v.(type) {
	case json.Number:
		if f, err := x.Float64(); err == nil {
			return f
		}
		return x.String()
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, it := range x {
			out[k] = normalizeJSON(it)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, it := range x {
			out[i] = normalizeJSON(it)
		}
		return out
	}
	return v
}
