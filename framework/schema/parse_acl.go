package schema

import (
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// ACL enumerations (lb3.md 3.1); principal types other than these name a user model.
var (
	aclAccessTypes    = []string{"READ", "WRITE", "EXECUTE", "REPLICATE", "*"}
	aclPermissions    = []string{"ALLOW", "DENY", "DEFAULT", "ALARM", "AUDIT"}
	aclPrincipalTypes = []string{"ROLE", "USER", "APP", "APPLICATION", "SCOPE"}
)

// acls reads the static ACL list.
func (p *parser) acls(m *Model, e entry) error {
	items, err := p.sequence(e.val, e.keyNode, "acls",
		"write acls as a list, e.g. - {principalType: ROLE, principalId: $everyone, permission: DENY}")
	if err != nil {
		return err
	}
	for i, it := range items {
		a, err := p.acl(it, index("acls", i))
		if err != nil {
			return err
		}
		m.ACLs = append(m.ACLs, a)
	}
	return nil
}

// acl reads one ACL entry; enumerations are case-insensitive and stored upper-case.
func (p *parser) acl(n *yaml.Node, field string) (ACL, error) {
	a := ACL{AccessType: "*", Pos: p.pos(n)}
	entries, err := p.mapping(n, n, field, "write each ACL as a mapping {principalType, principalId, permission, ...}")
	if err != nil {
		return a, err
	}
	for _, e := range entries {
		f := join(field, e.key)
		switch e.key {
		case "accessType":
			a.AccessType, err = p.enum(e, f, aclAccessTypes)
		case "permission":
			a.Permission, err = p.enum(e, f, aclPermissions)
		case "principalType":
			a.PrincipalType, err = p.principalType(e, f)
		case "principalId":
			a.PrincipalID, err = p.scalarString(e.val, e.keyNode, f, "write principalId: $everyone (a role name, a user id, ...)")
		case "property":
			a.Property, err = p.aclProperty(e, f)
		default:
			err = p.fail(e.keyNode, f, "unknown ACL key "+strconv.Quote(e.key),
				"write accessType, principalType, principalId, permission or property")
		}
		if err != nil {
			return a, err
		}
	}
	switch {
	case a.PrincipalType == "":
		return a, p.fail(n, join(field, "principalType"), "missing principalType", "add principalType: ROLE")
	case a.PrincipalID == "":
		return a, p.fail(n, join(field, "principalId"), "missing principalId", "add principalId: $everyone (or another role or id)")
	case a.Permission == "":
		return a, p.fail(n, join(field, "permission"), "missing permission", "add permission: ALLOW or DENY")
	}
	return a, nil
}

// enum reads a string that must be one of values (case-insensitive) and returns it upper-cased.
func (p *parser) enum(e entry, field string, values []string) (string, error) {
	hint := "write one of " + strings.Join(values, ", ")
	s, err := p.str(e.val, e.keyNode, field, hint)
	if err != nil {
		return "", err
	}
	u := strings.ToUpper(s)
	if !contains(values, u) {
		return "", p.fail(e.keyNode, field, "invalid value "+strconv.Quote(s), hint)
	}
	return u, nil
}

// principalType reads ROLE, USER, APP, APPLICATION, SCOPE (any case) or a user model name, which
// Resolve checks against the registry.
func (p *parser) principalType(e entry, field string) (string, error) {
	const hint = "write ROLE, USER, APP, SCOPE or the name of a user model"
	s, err := p.str(e.val, e.keyNode, field, hint)
	if err != nil {
		return "", err
	}
	if u := strings.ToUpper(s); contains(aclPrincipalTypes, u) {
		return u, nil
	}
	if !validModelName(s) {
		return "", p.fail(e.keyNode, field, "invalid principalType "+strconv.Quote(s), hint)
	}
	return s, nil
}

// aclProperty reads property: name | [names]; "*" means every method (empty list).
func (p *parser) aclProperty(e entry, field string) ([]string, error) {
	const hint = "write property: create, or property: [create, find]"
	d, err := p.deref(e.val)
	if err != nil {
		return nil, err
	}
	var names []string
	if d.Kind == yaml.SequenceNode {
		names, _, err = p.stringList(d, e.keyNode, field, hint)
	} else {
		var s string
		s, err = p.str(d, e.keyNode, field, hint)
		names = []string{s}
	}
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(names))
	for _, n := range names {
		if n == "*" {
			return nil, nil
		}
		if strings.TrimSpace(n) == "" {
			return nil, p.fail(e.keyNode, field, "empty method name", hint)
		}
		out = append(out, n)
	}
	return out, nil
}
