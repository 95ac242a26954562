package schema

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// The value conversions every layer shares: numbers, JavaScript truthiness and ids as LoopBack
// compares them. One place, so that filter, store, acl and the framework read a value alike.

// AsFloat converts any Go number (signed, unsigned, floating) or json.Number to float64 as it
// is, NaN and infinities included; ok is false for anything else (strings too).
func AsFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int64:
		return float64(x), true
	case int:
		return float64(x), true
	case float32:
		return float64(x), true
	case int32:
		return float64(x), true
	case int16:
		return float64(x), true
	case int8:
		return float64(x), true
	case uint64:
		return float64(x), true
	case uint:
		return float64(x), true
	case uint32:
		return float64(x), true
	case uint16:
		return float64(x), true
	case uint8:
		return float64(x), true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	}
	return 0, false
}

// AsNumber is AsFloat for finite values only: NaN and infinities are not numbers here.
func AsNumber(v any) (float64, bool) {
	f, ok := AsFloat(v)
	if !ok || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// ParseNumber is AsNumber, and also reads a string holding a number (surrounding spaces
// allowed, as strconv.ParseFloat reads it), finite only.
func ParseNumber(v any) (float64, bool) {
	s, ok := v.(string)
	if !ok {
		return AsNumber(v)
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
}

// Truthy is JavaScript's truthiness: nil, false, "", zero and NaN are false (a json.Number by
// its value), anything else (objects and lists included, even empty) is true.
func Truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	}
	if f, ok := AsFloat(v); ok {
		return f != 0 && !math.IsNaN(f)
	}
	if _, ok := v.(json.Number); ok { // not a number AsFloat reads
		return false
	}
	return true
}

// IDString renders an id as LoopBack compares ids, as a string: "5" for 5, int64(5), 5.0 and
// "5"; floats in plain decimal notation; nil is "".
func IDString(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	case []byte:
		return string(t)
	case int:
		return strconv.Itoa(t)
	case int8:
		return strconv.FormatInt(int64(t), 10)
	case int16:
		return strconv.FormatInt(int64(t), 10)
	case int32:
		return strconv.FormatInt(int64(t), 10)
	case int64:
		return strconv.FormatInt(t, 10)
	case uint:
		return strconv.FormatUint(uint64(t), 10)
	case uint8:
		return strconv.FormatUint(uint64(t), 10)
	case uint16:
		return strconv.FormatUint(uint64(t), 10)
	case uint32:
		return strconv.FormatUint(uint64(t), 10)
	case uint64:
		return strconv.FormatUint(t, 10)
	case float32:
		return strconv.FormatFloat(float64(t), 'f', -1, 32)
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case fmt.Stringer:
		return t.String()
	}
	return fmt.Sprint(v)
}
