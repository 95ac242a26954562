package acl

import "slices"

// Score returns how specifically an entry matches a request, exactly as LoopBack's
// ACL.getMatchingScore (spec 3.5), or -1 when its model, property or access type does not match.
// Principals are not considered here: the Checker discards entries whose principal does not match.
func Score(e Entry, req *Request) int {
	score := 0
	levels := [3]int{
		level(orAll(e.Model), orAll(req.Model), orAll(e.Model) == orAll(req.Model)),
		level(orAll(e.Property), orAll(req.Property), propertyExact(e, req)),
		level(orAll(e.AccessType), orAll(req.AccessType), accessTypeExact(orAll(e.AccessType), orAll(req.AccessType))),
	}
	for _, l := range levels {
		if l < 0 {
			return -1
		}
		score = score*4 + l
	}
	score = score*4 + principalWeight(e.PrincipalType)
	score = score * 8
	if canonicalPrincipalType(e.PrincipalType) == ROLE {
		score += roleWeight(e.PrincipalID)
	}
	perm := e.Permission
	if perm == "" {
		perm = ALLOW // as LoopBack: an entry without permission scores as ALLOW
	}
	return score*4 + PermissionOrder(perm) - 1
}

// level is one step of the score: 3 exact, 2 rule wildcard, 1 request wildcard, -1 no match.
func level(rule, want string, exact bool) int {
	switch {
	case exact:
		return 3
	case rule == All:
		return 2
	case want == All:
		return 1
	}
	return -1
}

// propertyExact reports whether the rule's property is the request's property or one of its aliases.
func propertyExact(e Entry, req *Request) bool {
	p := orAll(e.Property)
	return p == orAll(req.Property) || slices.Contains(req.Aliases, p)
}

// accessTypeExact reports an exact access type match: equal, or an EXECUTE rule (matches every
// requested type), or a WRITE rule for a REPLICATE request.
func accessTypeExact(rule, want string) bool {
	return rule == want || rule == EXECUTE || (rule == WRITE && want == REPLICATE)
}

// principalWeight ranks principal types: USER 4, APP 3, ROLE 2, anything else 1.
func principalWeight(t string) int {
	switch canonicalPrincipalType(t) {
	case USER:
		return 4
	case APP:
		return 3
	case ROLE:
		return 2
	}
	return 1
}

// roleWeight ranks roles: custom 5, $owner 4, $related 3, $authenticated/$unauthenticated 2, $everyone 1.
func roleWeight(role string) int {
	switch role {
	case RoleOwner:
		return 4
	case RoleRelated:
		return 3
	case RoleAuthenticated, RoleUnauthenticated:
		return 2
	case RoleEveryone:
		return 1
	}
	return 5
}

// exactlyMatches is LoopBack's AccessRequest.exactlyMatches, used for wildcard requests: same
// model and access type, and the rule's property is the request's property or one of its names.
func exactlyMatches(e Entry, req *Request) bool {
	if orAll(e.Model) != orAll(req.Model) || orAll(e.AccessType) != orAll(req.AccessType) {
		return false
	}
	p := orAll(e.Property)
	return p == orAll(req.Property) || slices.Contains(req.Aliases, p)
}
