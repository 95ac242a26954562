package schema

import (
	"math"
	"strings"
	"time"
)

// dateLayouts are the accepted date string layouts: RFC 3339 / ISO 8601 with or without time,
// seconds, fraction and zone (JavaScript's Date.toISOString among them), and RFC 1123. Strings
// without a zone are read as UTC.
var dateLayouts = []string{
	"2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02",
	time.RFC1123,
	time.RFC1123Z,
}

// maxDateMillis is the largest epoch offset of a JavaScript Date (100 000 000 days).
const maxDateMillis = 8.64e15

// ParseDate parses a date string in one of the accepted layouts and returns it in UTC.
func ParseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if len(s) < 10 || len(s) > 64 {
		return time.Time{}, false
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// dateFromMillis converts epoch milliseconds to a UTC time within JavaScript's Date range.
func dateFromMillis(ms float64) (time.Time, bool) {
	if math.IsNaN(ms) || math.Abs(ms) > maxDateMillis {
		return time.Time{}, false
	}
	whole := math.Trunc(ms)
	nanos := int64(math.Round((ms - whole) * 1e6))
	return time.UnixMilli(int64(whole)).Add(time.Duration(nanos)).UTC(), true
}
