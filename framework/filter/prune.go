package filter

import "github.com/loopgo/loopgo/framework/schema"

// PruneIncludes removes from f, at every nesting level, the includes whose related model allow
// refuses (e.g. one the caller may not READ), so that they are left out of the result instead of
// failing the request. An include whose related model is unknown (Target nil) is removed too.
func PruneIncludes(f *Filter, allow func(target *schema.Model) bool) {
	if f == nil || len(f.Include) == 0 {
		return
	}
	kept := f.Include[:0:0]
	for _, inc := range f.Include {
		if inc.Target == nil || !allow(inc.Target) {
			continue
		}
		if inc.Scope != nil {
			scope := *inc.Scope
			PruneIncludes(&scope, allow)
			inc.Scope = &scope
		}
		kept = append(kept, inc)
	}
	f.Include = kept
}

// RelatedTargets lists, without repeats and in the order met, every model that a condition of f
// on a related model reaches: in f.Where and in the where of every include scope, at every
// level. A caller that enforces read access on related models checks each of them (a condition
// on a model the caller may not read would let it guess that model's values).
func RelatedTargets(f *Filter) []*schema.Model {
	var out []*schema.Model
	seen := map[*schema.Model]bool{}
	add := func(m *schema.Model) {
		if m != nil && !seen[m] {
			seen[m] = true
			out = append(out, m)
		}
	}
	var walkFilter func(f *Filter)
	walkFilter = func(f *Filter) {
		if f == nil {
			return
		}
		for _, m := range CondTargets(f.Where) {
			add(m)
		}
		for _, inc := range f.Include {
			walkFilter(inc.Scope)
		}
	}
	walkFilter(f)
	return out
}

// CondTargets lists, without repeats and in the order met, the related models a where
// condition reaches (nested relations included).
func CondTargets(c Cond) []*schema.Model {
	var out []*schema.Model
	seen := map[*schema.Model]bool{}
	var walk func(c Cond)
	walk = func(c Cond) {
		switch x := c.(type) {
		case And:
			for _, k := range x {
				walk(k)
			}
		case Or:
			for _, k := range x {
				walk(k)
			}
		case *Related:
			if x == nil {
				return
			}
			if x.Target != nil && !seen[x.Target] {
				seen[x.Target] = true
				out = append(out, x.Target)
			}
			walk(x.Where)
		}
	}
	walk(c)
	return out
}
