package filter

import (
	"encoding/json"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// fromQuery implements FromQuery. A non-blank `name=<json>` wins over bracket keys
// (`name[a][b]=v`); a blank `name=` with no bracket keys is present with a nil value.
func fromQuery(q url.Values, name string) (any, bool, error) {
	vals, hasPlain := q[name]
	if hasPlain && len(vals) > 0 && strings.TrimSpace(vals[0]) != "" {
		var v any
		if err := json.Unmarshal([]byte(vals[0]), &v); err != nil {
			if !looksLikeJSONContainer(vals[0]) {
				// not JSON at all (`filter={bad`, `filter=abc`): the text itself, which the
				// argument's type then refuses as LoopBack does ("Value is not an object.")
				return vals[0], true, nil
			}
			return nil, true, badRequest("Cannot parse JSON-encoded object value.").WithCause(err)
		}
		return v, true, nil
	}
	prefix := name + "["
	var keys []string
	for k := range q {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil, hasPlain, nil
	}
	sort.Strings(keys)
	root := &qnode{}
	for _, k := range keys {
		segs, err := bracketSegments(k, k[len(name):])
		if err != nil {
			return nil, true, err
		}
		root.insert(segs, q[k])
	}
	v, err := root.value(name)
	if err != nil {
		return nil, true, err
	}
	return v, true, nil
}

// bracketSegments splits "[a][b][]" into ["a","b"]; a trailing "[]" means "the same key again"
// (repeated values build a list). It refuses malformed keys and keys deeper than MaxDepth,
// because silently dropping part of a where clause would widen what a query matches.
func bracketSegments(key, rest string) ([]string, error) {
	var segs []string
	for rest != "" {
		if rest[0] != '[' {
			return nil, badRequest("Cannot parse the query parameter %q", key)
		}
		end := strings.IndexByte(rest, ']')
		if end < 0 || strings.IndexByte(rest[1:end], '[') >= 0 {
			return nil, badRequest("Cannot parse the query parameter %q", key)
		}
		segs = append(segs, rest[1:end])
		rest = rest[end+1:]
	}
	if n := len(segs); n > 0 && segs[n-1] == "" {
		segs = segs[:n-1]
	}
	for _, s := range segs {
		if s == "" {
			return nil, badRequest("Cannot parse the query parameter %q: \"[]\" is only allowed at the end", key)
		}
	}
	if len(segs) > MaxDepth {
		return nil, errTooDeep()
	}
	return segs, nil
}

// qnode is one key of a bracket query being assembled: string values, nested keys, or both
// (which is refused when the tree is turned into values).
type qnode struct {
	values []string
	kids   map[string]*qnode
}

// insert adds values under the path segs.
func (n *qnode) insert(segs []string, values []string) {
	for _, s := range segs {
		if n.kids == nil {
			n.kids = map[string]*qnode{}
		}
		kid := n.kids[s]
		if kid == nil {
			kid = &qnode{}
			n.kids[s] = kid
		}
		n = kid
	}
	n.values = append(n.values, values...)
}

// value turns the node into a string, a list (repeated values or index keys 0..MaxArrayIndex,
// compacted in index order) or an object; path names the node in error messages.
func (n *qnode) value(path string) (any, error) {
	if len(n.kids) == 0 {
		if len(n.values) == 1 {
			return n.values[0], nil
		}
		list := make([]any, len(n.values))
		for i, s := range n.values {
			list[i] = s
		}
		return list, nil
	}
	if len(n.values) > 0 {
		return nil, badRequest("Cannot parse the query parameter %q: it has both a value and nested keys", path)
	}
	if idx, ok := arrayIndexes(n.kids); ok {
		list := make([]any, 0, len(idx))
		for _, i := range idx {
			k := strconv.Itoa(i)
			v, err := n.kids[k].value(path + "[" + k + "]")
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
		return list, nil
	}
	obj := make(map[string]any, len(n.kids))
	for k, kid := range n.kids {
		v, err := kid.value(path + "[" + k + "]")
		if err != nil {
			return nil, err
		}
		obj[k] = v
	}
	return obj, nil
}

// arrayIndexes returns the sorted indexes when every key is a canonical integer 0..MaxArrayIndex.
func arrayIndexes(kids map[string]*qnode) ([]int, bool) {
	idx := make([]int, 0, len(kids))
	for k := range kids {
		i, ok := arrayIndex(k)
		if !ok {
			return nil, false
		}
		idx = append(idx, i)
	}
	sort.Ints(idx)
	return idx, true
}

// arrayIndex parses "0", "7", "20" (no sign, no leading zero) up to MaxArrayIndex.
func arrayIndex(k string) (int, bool) {
	if k == "" || len(k) > 2 || (len(k) > 1 && k[0] == '0') {
		return 0, false
	}
	i := 0
	for _, c := range []byte(k) {
		if c < '0' || c > '9' {
			return 0, false
		}
		i = i*10 + int(c-'0')
	}
	return i, i <= MaxArrayIndex
}

// looksLikeJSONContainer reports whether s is written as a JSON object or array: it starts
// with { and ends with }, or starts with [ and ends with ] (spaces aside), as strong-remoting
// decides whether to parse an argument as JSON.
func looksLikeJSONContainer(s string) bool {
	t := strings.TrimSpace(s)
	return len(t) >= 2 && (t[0] == '{' && t[len(t)-1] == '}' || t[0] == '[' && t[len(t)-1] == ']')
}
