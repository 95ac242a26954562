package store

import (
	"fmt"

	"github.com/loopgo/loopgo/framework/filter"
	"github.com/loopgo/loopgo/framework/schema"
)

// normID converts an id given by a caller (path segment, body value) to the id property's Go
// type: int64 for number ids, string for string ids. ok is false for a value that can name no
// record (e.g. "abc" for a number id).
func normID(idp *schema.Property, v any) (any, bool) {
	if v == nil {
		return nil, false
	}
	if idp.Type == schema.String {
		return schema.IDString(v), true
	}
	n, ok := toInt64(v)
	return n, ok
}

// sameID reports whether two caller-given ids name the same record.
func sameID(idp *schema.Property, a, b any) bool {
	x, okA := normID(idp, a)
	y, okB := normID(idp, b)
	if !okA || !okB {
		return fmt.Sprint(a) == fmt.Sprint(b)
	}
	return x == y
}

// idCond is the where condition {id: v}.
func idCond(idp *schema.Property, v any) filter.Cond {
	return &filter.Cmp{Property: idp.Name, Prop: idp, Op: filter.Eq, Value: v}
}

// andCond joins conditions, dropping nil ones (a single condition is returned as it is).
func andCond(cs ...filter.Cond) filter.Cond {
	var (
		one filter.Cond
		n   int
	)
	for _, c := range cs {
		if c != nil {
			one, n = c, n+1
		}
	}
	switch n {
	case 0:
		return nil
	case 1:
		return one
	}
	out := make(filter.And, 0, n)
	for _, c := range cs {
		if c != nil {
			out = append(out, c)
		}
	}
	return out
}
