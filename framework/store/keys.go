package store

import (
	"fmt"
	"strconv"
	"time"

	"github.com/loopgo/loopgo/framework/schema"
)

// maxKeysPerQuery is how many parent keys one include query binds; larger batches are split
// (every dialect limits the number of bound parameters of a statement).
const maxKeysPerQuery = 1000

// keyOf normalises a key value for matching records across models, with JavaScript's loose
// equality for the cases that occur: 1, 1.0, int64(1) and "1" are the same key. nil has no key.
func keyOf(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", false
	case string:
		return x, true
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano), true
	case bool:
		return strconv.FormatBool(x), true
	}
	if n, ok := toInt64(v); ok {
		return strconv.FormatInt(n, 10), true
	}
	if f, ok := toFloat(v); ok {
		return strconv.FormatFloat(f, 'g', -1, 64), true
	}
	return fmt.Sprint(v), true
}

// distinctKeys returns the distinct non-nil values of property name in recs, in first-seen order.
func distinctKeys(recs []schema.Record, name string) []any {
	seen := map[string]bool{}
	var out []any
	for _, r := range recs {
		k, ok := keyOf(r[name])
		if ok && !seen[k] {
			seen[k] = true
			out = append(out, r[name])
		}
	}
	return out
}

// bindableKeys keeps the keys that can be compared with column p (a key of the wrong type, such
// as "abc" for a number column, can match nothing and would make the statement fail).
func (s *Store) bindableKeys(p *schema.Property, keys []any) []any {
	out := make([]any, 0, len(keys))
	for _, k := range keys {
		if _, err := s.toDB(p, k); err == nil {
			out = append(out, k)
		}
	}
	return out
}

// chunks splits keys into slices of at most maxKeysPerQuery.
func chunks(keys []any) [][]any {
	var out [][]any
	for len(keys) > maxKeysPerQuery {
		out = append(out, keys[:maxKeysPerQuery])
		keys = keys[maxKeysPerQuery:]
	}
	if len(keys) > 0 {
		out = append(out, keys)
	}
	return out
}
