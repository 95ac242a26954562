package acl

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/loopgo/loopgo/framework/schema"
)

// checkCase is one access check against static ACLs of a model.
type checkCase struct {
	name      string
	acls      []schema.ACL
	dynamic   []Entry
	req       Request
	def       string // defaultPermission
	want      string // final permission
	wantRule  string // describe() of the deciding rule; "" when none
	defaulted bool
}

// testEnv builds a Checker with a fixed world: admin1 has role admin, app1 has role partner,
// Note/1 is owned by u1, "tm" is a teamMember (custom resolver).
func testEnv(dynamic []Entry) (*Checker, *fakeMappings, *fakeOwners) {
	roles := NewRoles()
	if err := roles.Register("teamMember", func(_ context.Context, req *Request) (bool, error) {
		return req.UserID == "tm", nil
	}); err != nil {
		panic(err)
	}
	m := &fakeMappings{roles: map[string][]string{"USER:admin1": {"admin"}, "APP:app1": {"partner"}}}
	o := &fakeOwners{owner: map[string]string{"Note/1": "u1", "account/1": "u1"}}
	var d DynamicACLs
	if dynamic != nil {
		d = &fakeDynamic{rows: dynamic}
	}
	return NewChecker(roles, m, o, d), m, o
}

func runCheckCases(t *testing.T, model string, cases []checkCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			c, _, _ := testEnv(tt.dynamic)
			req := tt.req
			if req.Model == "" {
				req.Model = model
			}
			d, err := c.Check(context.Background(), &req, FromSchema(model, tt.acls), tt.def)
			if err != nil {
				t.Fatalf("Check: %v", err)
			}
			if d.Permission != tt.want {
				t.Fatalf("Permission = %s, want %s\n%s", d.Permission, tt.want, d.Explain())
			}
			if d.Allowed != (tt.want != DENY) {
				t.Fatalf("Allowed = %v with permission %s", d.Allowed, d.Permission)
			}
			got := ""
			if d.Matched != nil {
				got = d.Matched.describe()
			}
			if got != tt.wantRule {
				t.Fatalf("matched rule = %q, want %q\n%s", got, tt.wantRule, d.Explain())
			}
			if d.Defaulted != tt.defaulted {
				t.Fatalf("Defaulted = %v, want %v\n%s", d.Defaulted, tt.defaulted, d.Explain())
			}
		})
	}
}

func TestCheckResolution(t *testing.T) {
	find := func(user string) Request { return Request{Property: "find", AccessType: READ, UserID: user} }
	runCheckCases(t, "Note", []checkCase{
		{name: "DENY wins a tie (DENY first)", acls: []schema.ACL{role(RoleEveryone, DENY, ""), role(RoleEveryone, ALLOW, "")},
			req: find(""), want: DENY, wantRule: "$everyone DENY *"},
		{name: "DENY wins a tie (ALLOW first)", acls: []schema.ACL{role(RoleEveryone, ALLOW, ""), role(RoleEveryone, DENY, "")},
			req: find(""), want: DENY, wantRule: "$everyone DENY *"},
		{name: "property beats principal", acls: []schema.ACL{rule(USER, "u1", DENY, ""), role(RoleEveryone, ALLOW, "", "find")},
			req: find("u1"), want: ALLOW, wantRule: "$everyone ALLOW * find"},
		{name: "principal beats role at equal property", acls: []schema.ACL{rule(USER, "u1", DENY, ""), role(RoleEveryone, ALLOW, "")},
			req: find("u1"), want: DENY, wantRule: "USER u1 DENY *"},
		{name: "static EXECUTE matches READ", acls: []schema.ACL{role(RoleEveryone, DENY, ""), role(RoleEveryone, ALLOW, EXECUTE)},
			req: find(""), want: ALLOW, wantRule: "$everyone ALLOW EXECUTE"},
		{name: "static EXECUTE matches WRITE", acls: []schema.ACL{role(RoleEveryone, DENY, ""), role(RoleEveryone, ALLOW, EXECUTE)},
			req: Request{Property: "create", AccessType: WRITE}, want: ALLOW, wantRule: "$everyone ALLOW EXECUTE"},
		{name: "READ rule does not apply to WRITE", acls: []schema.ACL{role(RoleEveryone, DENY, ""), role(RoleEveryone, ALLOW, READ)},
			req: Request{Property: "create", AccessType: WRITE}, want: DENY, wantRule: "$everyone DENY *"},
		{name: "a selected rule that does not apply is never decisive", acls: []schema.ACL{role(RoleEveryone, DENY, READ)},
			req: Request{Property: "create", AccessType: WRITE}, want: ALLOW, defaulted: true},
		{name: "rule for another method does not apply", acls: []schema.ACL{role(RoleEveryone, DENY, "", "create")},
			req: find(""), want: ALLOW, defaulted: true},
		{name: "array property applies to each name", acls: []schema.ACL{role(RoleEveryone, DENY, ""), role(RoleEveryone, ALLOW, "", "count", "find")},
			req: find(""), want: ALLOW, wantRule: "$everyone ALLOW * find"},
		{name: "no rule: ALLOW", req: find(""), want: ALLOW, defaulted: true},
		{name: "no rule: defaultPermission DENY", req: find(""), def: DENY, want: DENY, defaulted: true},
		{name: "defaultPermission is case-insensitive", req: find(""), def: "deny", want: DENY, defaulted: true},
		{name: "unknown defaultPermission fails closed", req: find(""), def: "NOPE", want: DENY, defaulted: true},
		{name: "DEFAULT rule takes defaultPermission", acls: []schema.ACL{role(RoleEveryone, DENY, ""), role(RoleEveryone, DEFAULT, "", "find")},
			req: find(""), def: DENY, want: DENY, wantRule: "$everyone DEFAULT * find", defaulted: true},
		{name: "DEFAULT rule without defaultPermission is ALLOW", acls: []schema.ACL{role(RoleEveryone, DENY, ""), role(RoleEveryone, DEFAULT, "", "find")},
			req: find(""), want: ALLOW, wantRule: "$everyone DEFAULT * find", defaulted: true},
		{name: "ALARM allows", acls: []schema.ACL{role(RoleEveryone, ALARM, "")}, req: find(""), want: ALARM, wantRule: "$everyone ALARM *"},
		{name: "AUDIT allows", acls: []schema.ACL{role(RoleEveryone, AUDIT, "")}, req: find(""), want: AUDIT, wantRule: "$everyone AUDIT *"},
		{name: "unknown permission fails closed", acls: []schema.ACL{role(RoleEveryone, "allow", "")}, req: find(""), want: DENY, wantRule: "$everyone DENY *"},
		{name: "USER rule, other user", acls: []schema.ACL{rule(USER, "u1", DENY, "")}, req: find("u2"), want: ALLOW, defaulted: true},
		{name: "USER rule by user model name", acls: []schema.ACL{rule("Customer", "5", DENY, "")},
			req: Request{Property: "find", AccessType: READ, UserID: "5", UserModel: "Customer"}, want: DENY, wantRule: "Customer 5 DENY *"},
		// with several user models a token's principal is its model, never USER as well: user 5 of
		// Customer is not user 5 of User (LoopBack's polymorphic principals)
		{name: "USER rule does not match another user model's token", acls: []schema.ACL{rule(USER, "5", DENY, "")},
			req: Request{Property: "find", AccessType: READ, UserID: "5", UserModel: "Customer"}, want: ALLOW, defaulted: true},
		{name: "USER rule matches a token of the only user model", acls: []schema.ACL{rule(USER, "5", DENY, "")},
			req: Request{Property: "find", AccessType: READ, UserID: "5"}, want: DENY, wantRule: "USER 5 DENY *"},
		{name: "user model rule needs that model", acls: []schema.ACL{rule("Customer", "5", DENY, "")},
			req: Request{Property: "find", AccessType: READ, UserID: "5", UserModel: "User"}, want: ALLOW, defaulted: true},
		{name: "APP rule", acls: []schema.ACL{role(RoleEveryone, DENY, ""), rule(APP, "app1", ALLOW, "")},
			req: Request{Property: "find", AccessType: READ, AppID: "app1"}, want: ALLOW, wantRule: "APP app1 ALLOW *"},
		{name: "APPLICATION rule is APP", acls: []schema.ACL{role(RoleEveryone, DENY, ""), rule("APPLICATION", "app1", ALLOW, "")},
			req: Request{Property: "find", AccessType: READ, AppID: "app1"}, want: ALLOW, wantRule: "APPLICATION app1 ALLOW *"},
		{name: "SCOPE rule never matches", acls: []schema.ACL{role(RoleEveryone, DENY, ""), rule(SCOPE, "DEFAULT", ALLOW, "")},
			req: find("u1"), want: DENY, wantRule: "$everyone DENY *"},
		{name: "$authenticated by app id", acls: []schema.ACL{role(RoleEveryone, DENY, ""), role(RoleAuthenticated, ALLOW, "")},
			req: Request{Property: "find", AccessType: READ, AppID: "x"}, want: ALLOW, wantRule: "$authenticated ALLOW *"},
		{name: "$authenticated anonymous", acls: []schema.ACL{role(RoleEveryone, DENY, ""), role(RoleAuthenticated, ALLOW, "")},
			req: find(""), want: DENY, wantRule: "$everyone DENY *"},
		{name: "$unauthenticated anonymous", acls: []schema.ACL{role(RoleUnauthenticated, DENY, "")},
			req: find(""), want: DENY, wantRule: "$unauthenticated DENY *"},
		{name: "$unauthenticated user", acls: []schema.ACL{role(RoleUnauthenticated, DENY, "")},
			req: find("u1"), want: ALLOW, defaulted: true},
		{name: "static role mapping", acls: []schema.ACL{role(RoleEveryone, DENY, ""), role("admin", ALLOW, "")},
			req: find("admin1"), want: ALLOW, wantRule: "admin ALLOW *"},
		{name: "static role mapping, not mapped", acls: []schema.ACL{role(RoleEveryone, DENY, ""), role("admin", ALLOW, "")},
			req: find("u1"), want: DENY, wantRule: "$everyone DENY *"},
		{name: "static role mapped to the app", acls: []schema.ACL{role(RoleEveryone, DENY, ""), role("partner", ALLOW, "")},
			req: Request{Property: "find", AccessType: READ, UserID: "u1", AppID: "app1"}, want: ALLOW, wantRule: "partner ALLOW *"},
		{name: "$related has no resolver", acls: []schema.ACL{role(RoleEveryone, DENY, ""), role(RoleRelated, ALLOW, "")},
			req: find("u1"), want: DENY, wantRule: "$everyone DENY *"},
		{name: "custom resolver in role", acls: []schema.ACL{role(RoleEveryone, DENY, ""), role("teamMember", ALLOW, "")},
			req: find("tm"), want: ALLOW, wantRule: "teamMember ALLOW *"},
		{name: "custom resolver not in role", acls: []schema.ACL{role(RoleEveryone, DENY, ""), role("teamMember", ALLOW, "")},
			req: find("u1"), want: DENY, wantRule: "$everyone DENY *"},
		{name: "$owner via Owners", acls: []schema.ACL{role(RoleEveryone, DENY, ""), role(RoleOwner, ALLOW, "")},
			req: Request{Property: "findById", AccessType: READ, UserID: "u1", ModelID: "1"}, want: ALLOW, wantRule: "$owner ALLOW *"},
		{name: "$owner other user", acls: []schema.ACL{role(RoleEveryone, DENY, ""), role(RoleOwner, ALLOW, "")},
			req: Request{Property: "findById", AccessType: READ, UserID: "u2", ModelID: "1"}, want: DENY, wantRule: "$everyone DENY *"},
		{name: "$owner needs a model id", acls: []schema.ACL{role(RoleEveryone, DENY, ""), role(RoleOwner, ALLOW, "")},
			req: Request{Property: "find", AccessType: READ, UserID: "u1"}, want: DENY, wantRule: "$everyone DENY *"},
		{name: "$owner anonymous", acls: []schema.ACL{role(RoleEveryone, DENY, ""), role(RoleOwner, ALLOW, "")},
			req: Request{Property: "findById", AccessType: READ, ModelID: "1"}, want: DENY, wantRule: "$everyone DENY *"},
		{name: "$owner of a user model is the same id", acls: []schema.ACL{role(RoleEveryone, DENY, ""), role(RoleOwner, ALLOW, "")},
			req:  Request{Property: "findById", AccessType: READ, UserID: "9", UserModel: "Note", ModelID: "9", IsUserModel: true},
			want: ALLOW, wantRule: "$owner ALLOW *"},
		{name: "$owner of a user model, USER principal type", acls: []schema.ACL{role(RoleEveryone, DENY, ""), role(RoleOwner, ALLOW, "")},
			req: Request{Property: "findById", AccessType: READ, UserID: "9", ModelID: "9", IsUserModel: true}, want: ALLOW, wantRule: "$owner ALLOW *"},
		{name: "$owner of a user model, other id", acls: []schema.ACL{role(RoleEveryone, DENY, ""), role(RoleOwner, ALLOW, "")},
			req:  Request{Property: "findById", AccessType: READ, UserID: "9", UserModel: "Note", ModelID: "10", IsUserModel: true},
			want: DENY, wantRule: "$everyone DENY *"},
		{name: "$owner of another user model", acls: []schema.ACL{role(RoleEveryone, DENY, ""), role(RoleOwner, ALLOW, "")},
			req:  Request{Property: "findById", AccessType: READ, UserID: "9", UserModel: "Customer", ModelID: "9", IsUserModel: true},
			want: DENY, wantRule: "$everyone DENY *"},
	})
}

// TestCheckLoopBackACLTests covers acl.test.js (checks 31, 32) and access-control.integration.js
// (checks 26, 27).
func TestCheckLoopBackACLTests(t *testing.T) {
	// check 31: request account/find/WRITE; READ rule does not match; $owner (role 4) beats $everyone DENY (role 1).
	check31 := []schema.ACL{role(RoleEveryone, DENY, All), role(RoleOwner, ALLOW, All), role(RoleEveryone, ALLOW, READ)}
	runCheckCases(t, "account", []checkCase{
		{name: "31 owner", acls: check31, req: Request{Property: "find", AccessType: WRITE, UserID: "u1", ModelID: "1"}, want: ALLOW, wantRule: "$owner ALLOW *"},
		{name: "31 other user", acls: check31, req: Request{Property: "find", AccessType: WRITE, UserID: "u2", ModelID: "1"}, want: DENY, wantRule: "$everyone DENY *"},
		{name: "31 READ by anyone", acls: check31, req: Request{Property: "find", AccessType: READ}, want: ALLOW, wantRule: "$everyone ALLOW READ"},
	})

	// check 32: Customer, defaultPermission DENY; property ACL on "name" for u001 WRITE DENY; model ACL ALL ALLOW for u001.
	check32 := []schema.ACL{rule(USER, "u001", DENY, WRITE, "name"), rule(USER, "u001", ALLOW, All)}
	runCheckCases(t, "Customer", []checkCase{
		{name: "32 u001 WRITE name", acls: check32, def: DENY, req: Request{Property: "name", AccessType: WRITE, UserID: "u001"}, want: DENY, wantRule: "USER u001 DENY WRITE name"},
		{name: "32 u001 READ name", acls: check32, def: DENY, req: Request{Property: "name", AccessType: READ, UserID: "u001"}, want: ALLOW, wantRule: "USER u001 ALLOW *"},
		{name: "32 u002 no matching rule", acls: check32, def: DENY, req: Request{Property: "name", AccessType: WRITE, UserID: "u002"}, want: DENY, defaulted: true},
	})

	// check 27: $everyone DENY *, $everyone ALLOW READ, custom role allowed to WRITE.
	check27 := []schema.ACL{role(RoleEveryone, DENY, All), role(RoleEveryone, ALLOW, READ), role("teamMember", ALLOW, WRITE)}
	runCheckCases(t, "bank", []checkCase{
		{name: "27 GET list", acls: check27, req: Request{Property: "find", AccessType: READ}, want: ALLOW, wantRule: "$everyone ALLOW READ"},
		{name: "27 GET one", acls: check27, req: Request{Property: "findById", AccessType: READ, ModelID: "1"}, want: ALLOW, wantRule: "$everyone ALLOW READ"},
		{name: "27 POST", acls: check27, req: Request{Property: "create", AccessType: WRITE, UserID: "u1"}, want: DENY, wantRule: "$everyone DENY *"},
		{name: "27 PUT", acls: check27, req: Request{Property: "replaceById", AccessType: WRITE, ModelID: "1"}, want: DENY, wantRule: "$everyone DENY *"},
		{name: "27 DELETE", acls: check27, req: Request{Property: "deleteById", AccessType: WRITE, ModelID: "1"}, want: DENY, wantRule: "$everyone DENY *"},
		{name: "27 WRITE by custom role", acls: check27, req: Request{Property: "create", AccessType: WRITE, UserID: "tm"}, want: ALLOW, wantRule: "teamMember ALLOW WRITE"},
	})
}

// TestCheckOwnerThroughRecords is check 26: ownership via userId and belongsTo, through OwnerOf.
func TestCheckOwnerThroughRecords(t *testing.T) {
	acls := FromSchema("account", []schema.ACL{role(RoleEveryone, DENY, ""), role(RoleOwner, ALLOW, ""), role(RoleOwner, DENY, "", "deleteById")})
	owners := map[string]recordOwners{
		"userId": {records: map[string]map[string]any{"account/1": {"id": int64(1), "userId": int64(7)}}},
		"belongsTo": {records: map[string]map[string]any{"account/1": {"id": int64(1), "holderId": "7"}},
			rels: []OwnerRelation{{Name: "holder", ForeignKey: "holderId"}}, ownerRelations: true},
	}
	methods := []struct {
		name, accessType string
		aliases          []string
		ownerAllowed     bool
	}{
		{"findById", READ, nil, true},
		{"replaceById", WRITE, nil, true}, // PUT /:id and POST /:id/replace
		{"patchAttributes", WRITE, []string{"updateAttributes"}, true},
		{"deleteById", WRITE, []string{"destroyById", "removeById"}, false},
	}
	for via, o := range owners {
		for _, m := range methods {
			for _, user := range []string{"7", "8", ""} {
				t.Run(via+"/"+m.name+"/user="+user, func(t *testing.T) {
					c := NewChecker(nil, nil, o, nil)
					req := &Request{Model: "account", Property: m.name, Aliases: m.aliases, AccessType: m.accessType, UserID: user, ModelID: "1"}
					d, err := c.Check(context.Background(), req, acls, "")
					if err != nil {
						t.Fatal(err)
					}
					want := user == "7" && m.ownerAllowed
					if d.Allowed != want {
						t.Fatalf("Allowed = %v, want %v\n%s", d.Allowed, want, d.Explain())
					}
				})
			}
		}
	}
}

func TestCheckScopes(t *testing.T) {
	acls := FromSchema("Note", []schema.ACL{role(RoleEveryone, ALLOW, "")})
	tests := []struct {
		name          string
		token, method []string
		want          bool
	}{
		{"defaults", nil, nil, true},
		{"method scope missing from token", nil, []string{"write"}, false},
		{"method scope in token", []string{"write"}, []string{"write"}, true},
		{"one of several", []string{"read", "write"}, []string{"admin", "write"}, true},
		{"token without DEFAULT", []string{"reset-password"}, nil, false},
		{"token with DEFAULT", []string{DefaultScope, "reset-password"}, nil, true},
		{"empty token scopes", []string{}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dyn := &fakeDynamic{}
			c := NewChecker(nil, nil, nil, dyn)
			req := &Request{Model: "Note", Property: "find", AccessType: READ, UserID: "u1", TokenScopes: tt.token, MethodScopes: tt.method}
			d, err := c.Check(context.Background(), req, acls, "")
			if err != nil {
				t.Fatal(err)
			}
			if d.Allowed != tt.want || d.ScopeDenied == tt.want {
				t.Fatalf("Allowed = %v, ScopeDenied = %v, want allowed %v (%s)", d.Allowed, d.ScopeDenied, tt.want, d.Reason)
			}
			if !tt.want {
				if d.Permission != DENY || !strings.HasPrefix(d.Reason, "DENY by scopes") || d.Matched != nil {
					t.Fatalf("scope denial = %+v", d)
				}
				if dyn.calls != 0 {
					t.Fatalf("dynamic ACLs queried %d times after a scope denial", dyn.calls)
				}
			}
		})
	}
}

func TestCheckDynamic(t *testing.T) {
	static := FromSchema("Note", []schema.ACL{role(RoleEveryone, DENY, "")})
	tests := []struct {
		name     string
		rows     []Entry
		req      Request
		want     string
		wantFrom string // Origin of the deciding rule
	}{
		{"dynamic row allows", []Entry{{Model: "Note", Property: "find", AccessType: READ, PrincipalType: ROLE, PrincipalID: RoleEveryone, Permission: ALLOW, Origin: "ACL#1"}},
			Request{Property: "find", AccessType: READ}, ALLOW, "ACL#1"},
		{"model match beats a dynamic model wildcard", []Entry{{Model: All, Property: "find", AccessType: All, PrincipalType: ROLE, PrincipalID: RoleEveryone, Permission: ALLOW, Origin: "ACL#2"}},
			Request{Property: "find", AccessType: READ}, DENY, "models/note.yaml:1"},
		{"dynamic model wildcard for a user", []Entry{{Model: All, Property: All, AccessType: All, PrincipalType: USER, PrincipalID: "u1", Permission: ALLOW, Origin: "ACL#8"}},
			Request{Property: "find", AccessType: READ, UserID: "u1"}, DENY, "models/note.yaml:1"},
		{"dynamic EXECUTE row is not used for READ", []Entry{{Model: "Note", Property: "find", AccessType: EXECUTE, PrincipalType: ROLE, PrincipalID: RoleEveryone, Permission: ALLOW, Origin: "ACL#3"}},
			Request{Property: "find", AccessType: READ}, DENY, "models/note.yaml:1"},
		{"dynamic WRITE row applies to REPLICATE", []Entry{{Model: "Note", Property: All, AccessType: WRITE, PrincipalType: USER, PrincipalID: "u1", Permission: ALLOW, Origin: "ACL#4"}},
			Request{Property: "checkpoint", AccessType: REPLICATE, UserID: "u1"}, ALLOW, "ACL#4"},
		{"dynamic row by alias", []Entry{{Model: "Note", Property: "updateAttributes", AccessType: All, PrincipalType: ROLE, PrincipalID: RoleEveryone, Permission: ALLOW, Origin: "ACL#5"}},
			Request{Property: "patchAttributes", Aliases: []string{"updateAttributes"}, AccessType: WRITE}, ALLOW, "ACL#5"},
		{"dynamic row for another model is ignored", []Entry{{Model: "Post", Property: All, AccessType: All, PrincipalType: ROLE, PrincipalID: RoleEveryone, Permission: ALLOW, Origin: "ACL#6"}},
			Request{Property: "find", AccessType: READ}, DENY, "models/note.yaml:1"},
		{"dynamic before static at equal score", []Entry{{Model: "Note", Property: All, AccessType: All, PrincipalType: ROLE, PrincipalID: RoleEveryone, Permission: DENY, Origin: "ACL#7"}},
			Request{Property: "find", AccessType: READ}, DENY, "ACL#7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := append([]Entry(nil), static...)
			st[0].Origin = "models/note.yaml:1"
			dyn := &fakeDynamic{rows: tt.rows}
			c := NewChecker(nil, nil, nil, dyn)
			req := tt.req
			req.Model = "Note"
			d, err := c.Check(context.Background(), &req, st, "")
			if err != nil {
				t.Fatal(err)
			}
			if d.Permission != tt.want || d.Matched == nil || d.Matched.Origin != tt.wantFrom {
				t.Fatalf("got %s by %+v, want %s by %s\n%s", d.Permission, d.Matched, tt.want, tt.wantFrom, d.Explain())
			}
			if dyn.calls != 1 || dyn.args[0] != "Note" || dyn.args[1] != req.Property || dyn.args[3] != req.AccessType {
				t.Fatalf("Find called %d times with %v", dyn.calls, dyn.args)
			}
		})
	}
}

func TestCheckWildcardRequest(t *testing.T) {
	e := func(prop, at, perm, origin string) Entry {
		return Entry{Model: "Note", Property: prop, AccessType: at, PrincipalType: ROLE, PrincipalID: RoleEveryone, Permission: perm, Origin: origin}
	}
	u := func(prop, at, perm, origin string) Entry {
		return Entry{Model: "Note", Property: prop, AccessType: at, PrincipalType: USER, PrincipalID: "u1", Permission: perm, Origin: origin}
	}
	tests := []struct {
		name       string
		rows       []Entry
		req        Request
		def        string
		want, from string
	}{
		{"exact match wins over a stronger permission", []Entry{e("find", WRITE, DENY, "deny-write"), e("find", All, ALLOW, "allow-all")},
			Request{Property: "find", AccessType: All}, "", ALLOW, "allow-all"},
		{"first non-DEFAULT wins", []Entry{e("find", WRITE, DENY, "deny-write"), e("find", READ, ALLOW, "allow-read")},
			Request{Property: "find", AccessType: All}, "", DENY, "deny-write"},
		{"DEFAULT is skipped for a wildcard", []Entry{e("find", WRITE, DEFAULT, "default-write"), e("find", READ, ALLOW, "allow-read")},
			Request{Property: "find", AccessType: All}, DENY, ALLOW, "allow-read"},
		{"a more specific DEFAULT is skipped for a wildcard", []Entry{u("find", WRITE, DEFAULT, "user-default"), e("find", READ, ALLOW, "allow-read")},
			Request{Property: "find", AccessType: All, UserID: "u1"}, DENY, ALLOW, "allow-read"},
		{"an exact DEFAULT match stops a wildcard", []Entry{u("find", All, DEFAULT, "user-default-exact"), e("find", READ, ALLOW, "allow-read")},
			Request{Property: "find", AccessType: All, UserID: "u1"}, DENY, DENY, "user-default-exact"},
		{"property wildcard exact match", []Entry{e("find", READ, DENY, "deny-find"), e(All, READ, ALLOW, "allow-read")},
			Request{Property: All, AccessType: READ}, "", ALLOW, "allow-read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewChecker(nil, nil, nil, &fakeDynamic{rows: tt.rows})
			req := tt.req
			req.Model = "Note"
			d, err := c.Check(context.Background(), &req, nil, tt.def)
			if err != nil {
				t.Fatal(err)
			}
			if d.Permission != tt.want || d.Matched == nil || d.Matched.Origin != tt.from {
				t.Fatalf("got %s by %+v, want %s by %s\n%s", d.Permission, d.Matched, tt.want, tt.from, d.Explain())
			}
		})
	}
	// The same DEFAULT-first rules, as a normal request, stop at the DEFAULT rule.
	c := NewChecker(nil, nil, nil, &fakeDynamic{rows: []Entry{e("find", WRITE, DEFAULT, "default-write")}})
	d, err := c.Check(context.Background(), &Request{Model: "Note", Property: "find", AccessType: WRITE}, nil, DENY)
	if err != nil {
		t.Fatal(err)
	}
	if d.Permission != DENY || !d.Defaulted || d.Matched == nil {
		t.Fatalf("non-wildcard DEFAULT rule: %+v", d)
	}
}

// TestCheckerCaching: RoleMappings is called at most once per request however many ROLE rules
// and checks there are; roles are resolved only when resolution reaches them.
func TestCheckerCaching(t *testing.T) {
	acls := FromSchema("Note", []schema.ACL{
		role(RoleEveryone, DENY, ""), role("admin", ALLOW, "", "find"), role("editor", ALLOW, READ),
		role("viewer", ALLOW, ""), role(RoleRelated, ALLOW, ""), role("auditor", AUDIT, "", "count"),
	})
	c, m, _ := testEnv(nil)
	for _, method := range []string{"find", "count", "findById", "find", "exists"} {
		req := &Request{Model: "Note", Property: method, AccessType: READ, UserID: "u1", ModelID: "1"}
		d, err := c.Check(context.Background(), req, acls, "")
		if err != nil {
			t.Fatal(err)
		}
		if d.Allowed {
			t.Fatalf("%s allowed for an unmapped user:\n%s", method, d.Explain())
		}
	}
	if m.calls != 1 {
		t.Fatalf("RolesOf called %d times, want 1", m.calls)
	}

	// Lazy: a property-specific $everyone rule decides before $owner or a custom role is asked.
	calls := 0
	roles := NewRoles()
	_ = roles.Register("teamMember", func(context.Context, *Request) (bool, error) { calls++; return true, nil })
	o := &fakeOwners{owner: map[string]string{"Note/1": "u1"}}
	m2 := &fakeMappings{}
	lazy := NewChecker(roles, m2, o, nil)
	lacls := FromSchema("Note", []schema.ACL{role(RoleOwner, DENY, ""), role("teamMember", DENY, ""), role("admin", DENY, ""), role(RoleEveryone, ALLOW, "", "findById")})
	d, err := lazy.Check(context.Background(), &Request{Model: "Note", Property: "findById", AccessType: READ, UserID: "u1", ModelID: "1"}, lacls, "")
	if err != nil {
		t.Fatal(err)
	}
	if !d.Allowed || o.calls != 0 || calls != 0 || m2.calls != 0 {
		t.Fatalf("allowed=%v owner calls=%d resolver calls=%d mapping calls=%d, want true 0 0 0", d.Allowed, o.calls, calls, m2.calls)
	}
	for _, cand := range d.Candidates {
		if cand.Evaluated != cand.Decisive {
			t.Fatalf("candidate %s evaluated=%v decisive=%v", cand.Entry.describe(), cand.Evaluated, cand.Decisive)
		}
	}

	// Same request twice: the owner check is cached; anonymous never asks RoleMappings.
	acls2 := FromSchema("Note", []schema.ACL{role(RoleEveryone, DENY, ""), role(RoleOwner, ALLOW, ""), role("admin", ALLOW, "")})
	c3, m3, o3 := testEnv(nil)
	for range 3 {
		if _, err := c3.Check(context.Background(), &Request{Model: "Note", Property: "findById", AccessType: READ, UserID: "u2", ModelID: "1"}, acls2, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := c3.Check(context.Background(), &Request{Model: "Note", Property: "findById", AccessType: READ, ModelID: "1"}, acls2, ""); err != nil {
			t.Fatal(err)
		}
	}
	if o3.calls != 1 || m3.calls != 1 {
		t.Fatalf("owner calls=%d mapping calls=%d, want 1 and 1", o3.calls, m3.calls)
	}
}

func TestCheckErrors(t *testing.T) {
	boom := errors.New("boom")
	acls := FromSchema("Note", []schema.ACL{role(RoleEveryone, DENY, ""), role("custom", ALLOW, "")})
	ownerACLs := FromSchema("Note", []schema.ACL{role(RoleEveryone, DENY, ""), role(RoleOwner, ALLOW, "")})
	req := func() *Request {
		return &Request{Model: "Note", Property: "findById", AccessType: READ, UserID: "u1", ModelID: "1"}
	}
	tests := []struct {
		name    string
		checker func() *Checker
		acls    []Entry
		want    string
	}{
		{"resolver error", func() *Checker {
			r := NewRoles()
			_ = r.Register("custom", func(context.Context, *Request) (bool, error) { return false, boom })
			return NewChecker(r, nil, nil, nil)
		}, acls, `acl: resolve role "custom": boom`},
		{"resolver panic", func() *Checker {
			r := NewRoles()
			_ = r.Register("custom", func(context.Context, *Request) (bool, error) { panic("oops") })
			return NewChecker(r, nil, nil, nil)
		}, acls, `acl: resolve role "custom": resolver panicked: oops`},
		{"role mappings error", func() *Checker { return NewChecker(nil, &fakeMappings{err: boom}, nil, nil) }, acls,
			`acl: resolve role "custom": role mappings: boom`},
		{"owners error", func() *Checker { return NewChecker(nil, nil, &fakeOwners{err: boom}, nil) }, ownerACLs,
			`acl: resolve role "$owner": boom`},
		{"dynamic error", func() *Checker { return NewChecker(nil, nil, nil, &fakeDynamic{err: boom}) }, acls,
			`acl: find dynamic ACLs for Note.findById: boom`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := tt.checker().Check(context.Background(), req(), tt.acls, "")
			if err == nil || err.Error() != tt.want || !errors.Is(err, boom) && tt.name != "resolver panic" {
				t.Fatalf("Check = %v, %v; want error %q", d, err, tt.want)
			}
		})
	}
	if _, err := NewChecker(nil, nil, nil, nil).Check(context.Background(), nil, nil, ""); err == nil {
		t.Fatal("Check(nil request) succeeded")
	}
}

func TestCustomResolverSeesRequest(t *testing.T) {
	var seen Request
	roles := NewRoles()
	if err := roles.Register("teamMember", func(_ context.Context, req *Request) (bool, error) {
		seen = *req
		return true, nil
	}); err != nil {
		t.Fatal(err)
	}
	acls := FromSchema("Project", []schema.ACL{role(RoleEveryone, DENY, ""), role("teamMember", ALLOW, WRITE)})
	req := &Request{Model: "Project", Property: "patchAttributes", AccessType: WRITE, UserID: "4", ModelID: "12"}
	d, err := NewChecker(roles, nil, nil, nil).Check(context.Background(), req, acls, "")
	if err != nil {
		t.Fatal(err)
	}
	if !d.Allowed || seen.Model != "Project" || seen.ModelID != "12" || seen.UserID != "4" || seen.Property != "patchAttributes" {
		t.Fatalf("allowed=%v, resolver saw %+v", d.Allowed, seen)
	}
	if err := roles.Register("", func(context.Context, *Request) (bool, error) { return true, nil }); err == nil {
		t.Fatal("Register with an empty name succeeded")
	}
	if err := roles.Register("x", nil); err == nil {
		t.Fatal("Register with a nil resolver succeeded")
	}
	// A registered $owner resolver replaces the built-in one.
	_ = roles.Register(RoleOwner, func(context.Context, *Request) (bool, error) { return true, nil })
	oacls := FromSchema("Project", []schema.ACL{role(RoleEveryone, DENY, ""), role(RoleOwner, ALLOW, "")})
	d, err = NewChecker(roles, nil, nil, nil).Check(context.Background(), &Request{Model: "Project", Property: "find", AccessType: READ}, oacls, "")
	if err != nil || !d.Allowed {
		t.Fatalf("overridden $owner: %v %v", d, err)
	}
	if got := strings.Join(roles.Names(), ","); got != "$authenticated,$everyone,$owner,$unauthenticated,teamMember" {
		t.Fatalf("Names() = %s", got)
	}
}

func TestAuthorizedRolesAndReason(t *testing.T) {
	acls := []Entry{
		{Model: "Note", Property: All, AccessType: All, PrincipalType: ROLE, PrincipalID: RoleEveryone, Permission: DENY, Static: true, Origin: "models/note.yaml:3"},
		{Model: "Note", Property: All, AccessType: WRITE, PrincipalType: ROLE, PrincipalID: RoleOwner, Permission: ALLOW, Static: true, Origin: "models/note.yaml:12"},
		{Model: "Note", Property: All, AccessType: All, PrincipalType: ROLE, PrincipalID: RoleAuthenticated, Permission: ALLOW, Static: true, Origin: "models/note.yaml:20"},
		{Model: "Note", Property: All, AccessType: READ, PrincipalType: ROLE, PrincipalID: "admin", Permission: ALLOW, Static: true, Origin: "models/note.yaml:24"},
	}
	c, _, _ := testEnv(nil)
	req := &Request{Model: "Note", Property: "patchAttributes", AccessType: WRITE, UserID: "u1", ModelID: "1"}
	d, err := c.Check(context.Background(), req, acls, "")
	if err != nil {
		t.Fatal(err)
	}
	wantReason := "ALLOW by models/note.yaml:12 ($owner ALLOW WRITE), score 7632"
	if d.Reason != wantReason {
		t.Fatalf("Reason = %q, want %q", d.Reason, wantReason)
	}
	if len(d.AuthorizedRoles) != 1 || !d.AuthorizedRoles[RoleOwner] {
		t.Fatalf("AuthorizedRoles = %v, want {$owner}", d.AuthorizedRoles)
	}
	all, err := c.AuthorizedRoles(context.Background(), req, d)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || !all[RoleOwner] || !all[RoleAuthenticated] {
		t.Fatalf("complete AuthorizedRoles = %v, want {$owner, $authenticated}", all)
	}
	if !strings.Contains(d.Explain(), "DECISIVE") || !strings.Contains(d.Explain(), "does not apply") {
		t.Fatalf("Explain() lacks states:\n%s", d.Explain())
	}

	denied, err := c.Check(context.Background(), &Request{Model: "Note", Property: "patchAttributes", AccessType: WRITE, UserID: "u2", ModelID: "1"}, acls[:2], "")
	if err != nil {
		t.Fatal(err)
	}
	if denied.Allowed || len(denied.AuthorizedRoles) != 0 {
		t.Fatalf("denied decision: allowed=%v roles=%v", denied.Allowed, denied.AuthorizedRoles)
	}
	if r, _ := c.AuthorizedRoles(context.Background(), req, denied); len(r) != 0 {
		t.Fatalf("AuthorizedRoles of a denial = %v", r)
	}
	none, err := c.Check(context.Background(), &Request{Model: "Note", Property: "find", AccessType: READ}, nil, DENY)
	if err != nil {
		t.Fatal(err)
	}
	if none.Reason != "DENY by defaultPermission: no rule matches Note.find READ" {
		t.Fatalf("Reason = %q", none.Reason)
	}
}

// TestAuthorizedRolesDefaultRule: a matched DEFAULT rule authorizes its role only when the
// model's defaultPermission is not DENY (LoopBack's ACL.isAllowed).
func TestAuthorizedRolesDefaultRule(t *testing.T) {
	acls := FromSchema("Note", []schema.ACL{role(RoleEveryone, ALLOW, "", "find"), role("admin", DEFAULT, "")})
	for def, want := range map[string]bool{"": true, DENY: false} {
		c, _, _ := testEnv(nil)
		req := &Request{Model: "Note", Property: "find", AccessType: READ, UserID: "admin1"}
		d, err := c.Check(context.Background(), req, acls, def)
		if err != nil {
			t.Fatal(err)
		}
		roles, err := c.AuthorizedRoles(context.Background(), req, d)
		if err != nil {
			t.Fatal(err)
		}
		if !d.Allowed || roles["admin"] != want || !roles[RoleEveryone] {
			t.Fatalf("defaultPermission %q: allowed=%v roles=%v, want admin=%v", def, d.Allowed, roles, want)
		}
	}
}
