package store

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/schema"
)

// isIntegerColumn reports whether a property's column is a SQL integer (number ids).
func isIntegerColumn(p *schema.Property) bool {
	return p.Type == schema.Integer || (p.ID && p.Type == schema.Number)
}

// toDB converts a record or filter value of property p to the value bound for its column.
// Values are normally already coerced by schema/filter; a value that cannot be converted is
// the client's fault (400).
func (s *Store) toDB(p *schema.Property, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	bad := func() error {
		return apierr.BadRequest("", "Value for property %q is not a valid %s", p.Name, p.Type)
	}
	switch {
	case isIntegerColumn(p):
		n, ok := toInt64(v)
		if !ok {
			f, isNum := toFloat(v)
			if !isNum {
				return nil, bad()
			}
			return f, nil // compared with an integer column; never equal to a stored id
		}
		return n, nil
	case p.Type == schema.String:
		switch x := v.(type) {
		case string:
			return x, nil
		case float64:
			return strconv.FormatFloat(x, 'f', -1, 64), nil
		case int64:
			return strconv.FormatInt(x, 10), nil
		case int:
			return strconv.Itoa(x), nil
		case bool:
			return strconv.FormatBool(x), nil
		}
		return nil, bad()
	case p.Type == schema.Number:
		f, ok := toFloat(v)
		if !ok {
			return nil, bad()
		}
		return f, nil
	case p.Type == schema.Boolean:
		b, ok := v.(bool)
		if !ok {
			return nil, bad()
		}
		return b, nil
	case p.Type == schema.Date:
		t, ok := toTime(v)
		if !ok {
			return nil, bad()
		}
		return s.dl.timeValue(t), nil
	}
	text, err := json.Marshal(v)
	if err != nil {
		return nil, apierr.BadRequest("", "Value for property %q cannot be stored as JSON", p.Name).WithCause(err)
	}
	return s.dl.jsonValue(string(text)), nil
}

// fromDB converts a scanned column value to the Go type of property p (NULL -> nil).
func fromDB(p *schema.Property, raw any) (any, error) {
	if raw == nil {
		return nil, nil
	}
	// a value the driver returned with the property's Go type already is answered as it is,
	// without boxing it again
	switch x := raw.(type) {
	case int64:
		if isIntegerColumn(p) && (p.Generated || p.Type == schema.Integer) {
			return raw, nil
		}
	case float64:
		if p.Type == schema.Number && !isIntegerColumn(p) {
			return raw, nil
		}
	case string:
		if p.Type == schema.String {
			return raw, nil
		}
	case []byte:
		raw = string(x)
	}
	fail := func() (any, error) {
		return nil, fmt.Errorf("column %s: cannot read %T as %s", colName(p), raw, p.Type)
	}
	switch {
	case isIntegerColumn(p):
		n, ok := toInt64(raw)
		if !ok {
			return fail()
		}
		if p.Generated || p.Type == schema.Integer {
			return n, nil
		}
		return float64(n), nil
	case p.Type == schema.String:
		switch x := raw.(type) {
		case string:
			return x, nil
		case int64:
			return strconv.FormatInt(x, 10), nil
		case float64:
			return strconv.FormatFloat(x, 'f', -1, 64), nil
		case time.Time:
			return x.UTC().Format(time.RFC3339Nano), nil
		}
		return fail()
	case p.Type == schema.Number:
		f, ok := toFloat(raw)
		if !ok {
			return fail()
		}
		return f, nil
	case p.Type == schema.Boolean:
		switch x := raw.(type) {
		case bool:
			return x, nil
		case int64:
			return x != 0, nil
		case float64:
			return x != 0, nil
		case string:
			switch strings.ToLower(x) {
			case "1", "t", "true":
				return true, nil
			case "0", "f", "false":
				return false, nil
			}
		}
		return fail()
	case p.Type == schema.Date:
		t, ok := toTime(raw)
		if !ok {
			return fail()
		}
		return t, nil
	}
	text, ok := raw.(string)
	if !ok {
		return raw, nil // a number or boolean the database decoded itself
	}
	var v any
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		return nil, fmt.Errorf("column %s: invalid JSON: %w", colName(p), err)
	}
	return v, nil
}

// toInt64 converts integral numbers and decimal strings to int64.
func toInt64(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int:
		return int64(x), true
	case int32:
		return int64(x), true
	case uint64:
		if x > math.MaxInt64 {
			return 0, false
		}
		return int64(x), true
	case float64:
		if x != math.Trunc(x) || math.Abs(x) > 1<<53 {
			return 0, false
		}
		return int64(x), true
	case json.Number:
		n, err := x.Int64()
		return n, err == nil
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		if err != nil {
			f, ferr := strconv.ParseFloat(strings.TrimSpace(x), 64)
			if ferr != nil {
				return 0, false
			}
			return toInt64(f)
		}
		return n, true
	}
	return 0, false
}

// toFloat converts numbers (schema.AsFloat: NaN, which a database may hold, included) and
// numeric strings to float64.
func toFloat(v any) (float64, bool) {
	if x, ok := v.(string); ok {
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f, err == nil
	}
	return schema.AsFloat(v)
}

// timeLayouts are the textual date forms read back from databases and accepted in values.
var timeLayouts = []string{
	sqliteTimeLayout,
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02",
}

// toTime converts a time.Time or a date string to UTC, millisecond precision (JavaScript's).
func toTime(v any) (time.Time, bool) {
	switch x := v.(type) {
	case time.Time:
		return x.UTC().Truncate(time.Millisecond), true
	case string:
		for _, l := range timeLayouts {
			if t, err := time.Parse(l, x); err == nil {
				return t.UTC().Truncate(time.Millisecond), true
			}
		}
	}
	return time.Time{}, false
}

// isBlank reports LoopBack's blank values: nil, "", NaN and empty arrays (uniqueness skips them).
func isBlank(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case float64:
		return math.IsNaN(x)
	case []any:
		return len(x) == 0
	}
	return false
}
