package filter

import (
	"reflect"
	"sort"
	"strings"
)

// identity names a map or non-empty slice by its backing storage, so a value that contains
// itself is recognised when it comes back on the path from the root.
type identity struct {
	ptr uintptr
	len int
}

// containerID returns the identity of a map or slice value; ok is false for everything else.
func containerID(v any) (identity, bool) {
	switch x := v.(type) {
	case map[string]any:
		if x == nil {
			return identity{}, false
		}
		return identity{ptr: uintptr(reflect.ValueOf(x).UnsafePointer()), len: -1}, true
	case []any:
		if len(x) == 0 {
			return identity{}, false
		}
		return identity{ptr: uintptr(reflect.ValueOf(x).UnsafePointer()), len: len(x)}, true
	}
	return identity{}, false
}

// checkShape refuses a query object that is circular or nested deeper than MaxDepth, as
// LoopBack's sanitizeQuery does (every node is checked: first for a cycle, then for its level).
func checkShape(root any) error {
	onPath := map[identity]bool{}
	var walk func(v any, level int) error
	walk = func(v any, level int) error {
		id, isContainer := containerID(v)
		if isContainer && onPath[id] {
			return errCircular()
		}
		if level > MaxDepth {
			return errTooDeep()
		}
		if !isContainer {
			return nil
		}
		onPath[id] = true
		defer delete(onPath, id)
		switch x := v.(type) {
		case map[string]any:
			for _, k := range sortedKeys(x) {
				if err := walk(x[k], level+1); err != nil {
					return err
				}
			}
		case []any:
			for _, item := range x {
				if err := walk(item, level+1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return walk(root, 0)
}

// dollarKeys lists, sorted and without repeats, every key starting with `$` anywhere in v.
// v must have passed checkShape (no cycles).
func dollarKeys(v any) []string {
	seen := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, item := range x {
				if strings.HasPrefix(k, "$") {
					seen[k] = true
				}
				walk(item)
			}
		case []any:
			for _, item := range x {
				walk(item)
			}
		}
	}
	walk(v)
	if len(seen) == 0 {
		return nil
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// sortedKeys returns the keys of m in byte order, so parsing is deterministic.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
