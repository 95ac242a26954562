package acl

import (
	"fmt"
	"strings"
)

// Decision is the outcome of a Check, with what is needed to explain it.
type Decision struct {
	Permission      string          // final permission: ALLOW, ALARM, AUDIT or DENY (never DEFAULT)
	Allowed         bool            // Permission != DENY
	Matched         *Entry          // the deciding rule; nil when defaulted or denied by scopes
	Defaulted       bool            // no rule (or a DEFAULT rule) decided: defaultPermission applied
	ScopeDenied     bool            // denied because token and method scopes share none (spec 2.6)
	Candidates      []Candidate     // every selected rule, highest score first
	AuthorizedRoles map[string]bool // roles of matched ALLOW rules; empty when denied
	Reason          string          // one line: "ALLOW by models/note.yaml:12 ($owner ALLOW WRITE), score 1234"

	defaultPermission string // the model's normalised defaultPermission, for Checker.AuthorizedRoles
}

// Candidate is one selected rule with its score and whether the request's principals match it.
type Candidate struct {
	Entry     Entry
	Score     int  // -1 when model, property or access type does not match
	Evaluated bool // its principal was checked (resolution stops at the deciding rule)
	Matched   bool // evaluated, and the request's principals (or roles) match
	Decisive  bool // this rule decided the permission
}

// Explain renders the reason followed by one line per candidate, for logs and an explain tool.
func (d *Decision) Explain() string {
	var b strings.Builder
	b.WriteString(d.Reason)
	for _, c := range d.Candidates {
		state := "not reached"
		switch {
		case c.Decisive:
			state = "DECISIVE"
		case c.Matched:
			state = "matched"
		case c.Evaluated:
			state = "principal does not match"
		case c.Score < 0:
			state = "does not apply"
		}
		fmt.Fprintf(&b, "\n  %6d  %-40s  %-24s  %s", c.Score, c.Entry.describe(), c.Entry.where(), state)
	}
	return b.String()
}
