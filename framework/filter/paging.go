package filter

import (
	"math"
	"strconv"
	"strings"

	"github.com/loopgo/loopgo/framework/schema"
)

// maxSafeInteger is JavaScript's Number.MAX_SAFE_INTEGER: larger limits and skips are refused.
const maxSafeInteger = 1<<53 - 1

// parseLimit reads `limit`: a positive integer, strings converted as JavaScript's Number() does.
// Absent, null and "" mean no limit. Unlike LoopBack, 0 is refused rather than meaning "no
// limit" (or 100 when skip is set).
func parseLimit(raw any) (int, error) {
	n, absent, ok := toNumber(raw)
	if absent {
		return 0, nil
	}
	if !ok || n <= 0 || n != math.Trunc(n) || n > maxSafeInteger {
		return 0, badRequest("The limit parameter %s is not valid", jsonText(raw))
	}
	return int(n), nil
}

// parseSkip reads `skip` or its alias `offset` (skip wins when both are given): an integer >= 0.
func parseSkip(obj map[string]any) (int, error) {
	raw := obj["skip"]
	if _, absent, _ := toNumber(raw); absent {
		raw = obj["offset"]
	}
	n, absent, ok := toNumber(raw)
	if absent {
		return 0, nil
	}
	if !ok || n < 0 || n != math.Trunc(n) || n > maxSafeInteger {
		return 0, badRequest("The offset/skip parameter %s is not valid", jsonText(raw))
	}
	return int(n), nil
}

// toNumber converts a JSON number or a decimal string (surrounding spaces allowed) to a finite
// float64; absent reports nil or a blank string.
func toNumber(raw any) (n float64, absent, ok bool) {
	switch x := raw.(type) {
	case nil:
		return 0, true, false
	case string:
		s := strings.TrimSpace(x)
		if s == "" {
			return 0, true, false
		}
		if !isDecimal(s) {
			return 0, false, false
		}
		f, err := strconv.ParseFloat(s, 64)
		return f, false, err == nil && !math.IsInf(f, 0)
	}
	f, ok := schema.AsNumber(raw)
	return f, false, ok
}

// isDecimal reports whether s is written with digits, an optional sign, point and exponent only
// (no hex, no "Inf"/"NaN", no underscores, which strconv would otherwise accept).
func isDecimal(s string) bool {
	for _, c := range []byte(s) {
		if (c < '0' || c > '9') && c != '.' && c != '-' && c != '+' && c != 'e' && c != 'E' {
			return false
		}
	}
	return true
}
