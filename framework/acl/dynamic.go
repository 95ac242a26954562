package acl

import (
	"context"
	"slices"
)

// DynamicACLs gives the rows of the ACL model that may apply to a request (spec 3.2): model in
// [model, "*"], property in [property, aliases..., "*"] unless property is "*", accessType in
// [accessType, "*"] (plus WRITE for REPLICATE) unless accessType is "*". DynamicApplies is that
// filter; the Checker applies it again, so an implementation may return a superset.
type DynamicACLs interface {
	Find(ctx context.Context, model, property string, aliases []string, accessType string) ([]Entry, error)
}

// DynamicApplies reports whether a dynamic entry passes LoopBack's ACL-model query for a request.
// A dynamic EXECUTE row is therefore not fetched for a READ or WRITE method.
func DynamicApplies(e Entry, req *Request) bool {
	if e.Model != req.Model && e.Model != All {
		return false
	}
	if p := orAll(req.Property); p != All {
		if e.Property != All && e.Property != p && !slices.Contains(req.Aliases, e.Property) {
			return false
		}
	}
	if t := orAll(req.AccessType); t != All {
		ok := e.AccessType == t || e.AccessType == All || (t == REPLICATE && e.AccessType == WRITE)
		if !ok {
			return false
		}
	}
	return true
}

// StaticApplies reports whether a static entry is selected for a request: its property is
// absent, "*" or the method's canonical name (aliases are not matched here, as in LoopBack).
func StaticApplies(e Entry, req *Request) bool {
	p := orAll(e.Property)
	return p == All || p == orAll(req.Property)
}
