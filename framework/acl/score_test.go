package acl

import "testing"

func TestScore(t *testing.T) {
	find := &Request{Model: "Note", Property: "find", AccessType: READ}
	tests := []struct {
		name string
		e    Entry
		req  *Request
		want int
	}{
		{"everyone deny all", Entry{Model: "Note", Property: All, AccessType: All, PrincipalType: ROLE, PrincipalID: RoleEveryone, Permission: DENY}, find, 7495},
		{"owner allow exact", Entry{Model: "Note", Property: "find", AccessType: READ, PrincipalType: ROLE, PrincipalID: RoleOwner, Permission: ALLOW}, find, 8144},
		{"static EXECUTE matches READ exactly", Entry{Model: "Note", Property: All, AccessType: EXECUTE, PrincipalType: USER, PrincipalID: "u1", Permission: ALLOW}, find, 7680},
		{"model wildcard, APP, DEFAULT", Entry{Model: All, Property: "find", AccessType: All, PrincipalType: APP, PrincipalID: "a1", Permission: DEFAULT}, find, 5983},
		{"APPLICATION weighs as APP", Entry{Model: All, Property: "find", AccessType: All, PrincipalType: "APPLICATION", PrincipalID: "a1", Permission: DEFAULT}, find, 5983},
		{"other access type does not match", Entry{Model: "Note", Property: "find", AccessType: WRITE, PrincipalType: ROLE, PrincipalID: "admin", Permission: AUDIT}, find, -1},
		{"other property does not match", Entry{Model: "Note", Property: "create", AccessType: All, PrincipalType: ROLE, PrincipalID: RoleEveryone, Permission: ALLOW}, find, -1},
		{"other model does not match", Entry{Model: "Post", Property: All, AccessType: All, PrincipalType: ROLE, PrincipalID: RoleEveryone, Permission: ALLOW}, find, -1},
		{"alias is an exact property match, custom role, ALARM",
			Entry{Model: "Note", Property: "updateAttributes", AccessType: All, PrincipalType: ROLE, PrincipalID: "teamMember", Permission: ALARM},
			&Request{Model: "Note", Property: "patchAttributes", Aliases: []string{"updateAttributes"}, AccessType: WRITE}, 8021},
		{"WRITE rule matches REPLICATE",
			Entry{Model: "Note", Property: All, AccessType: WRITE, PrincipalType: ROLE, PrincipalID: RoleAuthenticated, Permission: ALLOW},
			&Request{Model: "Note", Property: "checkpoint", AccessType: REPLICATE}, 7624},
		{"READ rule does not match REPLICATE",
			Entry{Model: "Note", Property: All, AccessType: READ, PrincipalType: ROLE, PrincipalID: RoleAuthenticated, Permission: ALLOW},
			&Request{Model: "Note", Property: "checkpoint", AccessType: REPLICATE}, -1},
		{"request property wildcard scores 1",
			Entry{Model: "Note", Property: "find", AccessType: READ, PrincipalType: ROLE, PrincipalID: RoleEveryone, Permission: ALLOW},
			&Request{Model: "Note", Property: All, AccessType: READ}, 7108},
		{"other principal type weighs 1", Entry{Model: "Note", Property: All, AccessType: All, PrincipalType: SCOPE, PrincipalID: "x", Permission: ALLOW}, find, 7456},
		{"empty fields are wildcards, empty permission scores as ALLOW", Entry{Model: "Note", PrincipalType: ROLE, PrincipalID: RoleEveryone}, find, 7492},
		{"$related weighs 3", Entry{Model: "Note", Property: All, AccessType: All, PrincipalType: ROLE, PrincipalID: RoleRelated, Permission: ALLOW}, find, (234*8 + 3) * 4},
		{"$unauthenticated weighs 2", Entry{Model: "Note", Property: All, AccessType: All, PrincipalType: ROLE, PrincipalID: RoleUnauthenticated, Permission: ALLOW}, find, (234*8 + 2) * 4},
		{"unknown permission scores as DENY", Entry{Model: "Note", Property: All, AccessType: All, PrincipalType: ROLE, PrincipalID: RoleEveryone, Permission: "allow"}, find, 7495},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Score(tt.e, tt.req); got != tt.want {
				t.Fatalf("Score = %d, want %d", got, tt.want)
			}
		})
	}
}

// TestScoreSpecificityOrder checks the consequences listed in spec 3.5.
func TestScoreSpecificityOrder(t *testing.T) {
	req := &Request{Model: "Note", Property: "find", AccessType: READ}
	e := func(prop, at, pt, pid, perm string) Entry {
		return Entry{Model: "Note", Property: prop, AccessType: at, PrincipalType: pt, PrincipalID: pid, Permission: perm}
	}
	tests := []struct {
		name          string
		higher, lower Entry
	}{
		{"property beats principal", e("find", All, ROLE, RoleEveryone, ALLOW), e(All, All, USER, "u1", DENY)},
		{"access type beats principal", e(All, READ, ROLE, RoleEveryone, ALLOW), e(All, All, USER, "u1", DENY)},
		{"USER beats APP", e(All, All, USER, "u1", ALLOW), e(All, All, APP, "a1", DENY)},
		{"APP beats ROLE", e(All, All, APP, "a1", ALLOW), e(All, All, ROLE, "admin", DENY)},
		{"custom role beats $owner", e(All, All, ROLE, "admin", ALLOW), e(All, All, ROLE, RoleOwner, DENY)},
		{"$owner beats $related", e(All, All, ROLE, RoleOwner, ALLOW), e(All, All, ROLE, RoleRelated, DENY)},
		{"$related beats $authenticated", e(All, All, ROLE, RoleRelated, ALLOW), e(All, All, ROLE, RoleAuthenticated, DENY)},
		{"$authenticated beats $everyone", e(All, All, ROLE, RoleAuthenticated, ALLOW), e(All, All, ROLE, RoleEveryone, DENY)},
		{"DENY beats ALLOW at equal specificity", e(All, All, ROLE, RoleEveryone, DENY), e(All, All, ROLE, RoleEveryone, ALLOW)},
		{"AUDIT beats ALARM", e(All, All, ROLE, RoleEveryone, AUDIT), e(All, All, ROLE, RoleEveryone, ALARM)},
		{"ALLOW beats DEFAULT", e(All, All, ROLE, RoleEveryone, ALLOW), e(All, All, ROLE, RoleEveryone, DEFAULT)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, l := Score(tt.higher, req), Score(tt.lower, req)
			if h <= l {
				t.Fatalf("score %d (%s) not above %d (%s)", h, tt.higher.describe(), l, tt.lower.describe())
			}
		})
	}
}
