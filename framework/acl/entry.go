package acl

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/loopgo/loopgo/framework/schema"
)

// Entry is one ACL rule: static (from a model definition) or dynamic (a row of the ACL model).
type Entry struct {
	Model         string // model name, or "*" (dynamic entries only)
	Property      string // method name, or "*"/"" for all
	AccessType    string // READ, WRITE, EXECUTE, REPLICATE, or "*"/"" for all
	PrincipalType string // USER, APP, ROLE, SCOPE or a user model name
	PrincipalID   string // user id, app id or role name
	Permission    string // ALLOW, DENY, DEFAULT, ALARM, AUDIT
	Static        bool   // true for definition entries, false for ACL model rows
	Origin        string // where the rule was written, for explanations: "models/note.yaml:12", "ACL#7"
}

// FromSchema turns a model's static ACLs into entries: one per listed property (all when none),
// an absent access type becoming "*", each remembering its file and line as Origin.
func FromSchema(model string, acls []schema.ACL) []Entry {
	out := make([]Entry, 0, len(acls))
	for i, a := range acls {
		accessType := a.AccessType
		if accessType == "" {
			accessType = All
		}
		origin := originOf(model, i, a.Pos)
		base := Entry{
			Model:         model,
			Property:      All,
			AccessType:    accessType,
			PrincipalType: a.PrincipalType,
			PrincipalID:   a.PrincipalID,
			Permission:    a.Permission,
			Static:        true,
			Origin:        origin,
		}
		if len(a.Property) == 0 {
			out = append(out, base)
			continue
		}
		for _, p := range a.Property {
			e := base
			if p != "" {
				e.Property = p
			}
			out = append(out, e)
		}
	}
	return out
}

// originOf names where a static ACL was written: "file:line" when known, else "<Model>.acls[i]".
func originOf(model string, i int, pos schema.Pos) string {
	if pos.File != "" {
		if pos.Line > 0 {
			return pos.File + ":" + strconv.Itoa(pos.Line)
		}
		return pos.File
	}
	return fmt.Sprintf("%s.acls[%d]", model, i)
}

// Validate reports what is wrong with an entry (for the ACL model's validation), or nil.
func (e Entry) Validate() error {
	var errs []error
	if e.Model == "" {
		errs = append(errs, errors.New("model is required"))
	}
	if e.AccessType != "" && !ValidAccessType(e.AccessType) {
		errs = append(errs, fmt.Errorf("accessType %q is not one of READ, WRITE, EXECUTE, REPLICATE, *", e.AccessType))
	}
	if !ValidPermission(e.Permission) {
		errs = append(errs, fmt.Errorf("permission %q is not one of ALLOW, DENY, DEFAULT, ALARM, AUDIT", e.Permission))
	}
	if e.PrincipalType == "" {
		errs = append(errs, errors.New("principalType is required"))
	}
	if e.PrincipalID == "" {
		errs = append(errs, errors.New("principalId is required"))
	}
	return errors.Join(errs...)
}

// orAll returns s, or "*" when s is empty.
func orAll(s string) string {
	if s == "" {
		return All
	}
	return s
}

// describe is a short human form of the rule: "$owner ALLOW WRITE deleteById".
func (e Entry) describe() string {
	who := e.PrincipalID
	if canonicalPrincipalType(e.PrincipalType) != ROLE {
		who = e.PrincipalType + " " + e.PrincipalID
	}
	s := who + " " + resolvedPermission(e.Permission) + " " + orAll(e.AccessType)
	if p := orAll(e.Property); p != All {
		s += " " + p
	}
	return s
}

// where is the entry's Origin, or a generic name when it has none.
func (e Entry) where() string {
	if e.Origin != "" {
		return e.Origin
	}
	if e.Static {
		return "static ACL of " + e.Model
	}
	return "dynamic ACL"
}
