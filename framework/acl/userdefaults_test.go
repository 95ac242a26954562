package acl

import (
	"context"
	"testing"

	"github.com/loopgo/loopgo/framework/schema"
)

// userACLs are the default ACLs of LoopBack's User (spec 1.5), in order.
var userACLs = []schema.ACL{
	role(RoleEveryone, DENY, ""),
	role(RoleEveryone, ALLOW, "", "create"),
	role(RoleOwner, ALLOW, "", "deleteById"),
	role(RoleEveryone, ALLOW, "", "login"),
	role(RoleEveryone, ALLOW, "", "logout"),
	role(RoleOwner, ALLOW, "", "findById"),
	role(RoleOwner, ALLOW, "", "patchAttributes"),
	role(RoleOwner, ALLOW, "", "replaceById"),
	role(RoleEveryone, ALLOW, EXECUTE, "verify"),
	role(RoleEveryone, ALLOW, "", "confirm"),
	role(RoleEveryone, ALLOW, EXECUTE, "resetPassword"),
	role(RoleAuthenticated, ALLOW, EXECUTE, "changePassword"),
	role(RoleAuthenticated, ALLOW, EXECUTE, "setPassword"),
}

// TestUserDefaultACLs checks every User method for an anonymous caller, the owner (user 1 on
// /Users/1) and another user (user 2 on /Users/1), as spec 1.5 and checks 23-25 describe.
func TestUserDefaultACLs(t *testing.T) {
	static := FromSchema("User", userACLs)
	tests := []struct {
		method  string
		verbs   []string
		aliases []string
		byID    bool // the method carries the target id
		anon    bool
		owner   bool
		other   bool
	}{
		{"create", []string{"post"}, nil, false, true, true, true},
		{"login", []string{"post"}, nil, false, true, true, true},
		{"logout", []string{"all"}, nil, false, true, true, true},
		{"confirm", []string{"get"}, nil, false, true, true, true},
		{"resetPassword", []string{"post"}, nil, false, true, true, true},
		{"verify", []string{"post"}, nil, true, true, true, true},
		{"changePassword", []string{"post"}, nil, false, false, true, true},
		{"setPassword", []string{"post"}, nil, false, false, true, true},
		{"findById", []string{"get"}, nil, true, false, true, false},
		{"deleteById", []string{"delete"}, []string{"destroyById", "removeById"}, true, false, true, false},
		{"patchAttributes", []string{"patch", "put"}, []string{"updateAttributes"}, true, false, true, false},
		{"replaceById", []string{"put", "post"}, nil, true, false, true, false},
		{"find", []string{"get"}, nil, false, false, false, false},
		{"findOne", []string{"get"}, nil, false, false, false, false},
		{"count", []string{"get"}, nil, false, false, false, false},
		{"exists", []string{"get", "head"}, nil, true, false, false, false},
		{"patchOrCreate", []string{"patch", "put"}, []string{"upsert", "updateOrCreate"}, false, false, false, false},
		{"replaceOrCreate", []string{"post"}, nil, false, false, false, false},
		{"updateAll", []string{"post"}, []string{"update"}, false, false, false, false},
		{"upsertWithWhere", []string{"post"}, nil, false, false, false, false},
		{"createChangeStream", []string{"post", "get"}, nil, false, false, false, false},
		{"__get__accessTokens", []string{"get"}, nil, true, false, false, false},
		{"__create__accessTokens", []string{"post"}, nil, true, false, false, false},
		{"__delete__accessTokens", []string{"delete"}, nil, true, false, false, false},
		{"__findById__accessTokens", []string{"get"}, nil, true, false, false, false},
		{"__count__accessTokens", []string{"get"}, nil, true, false, false, false},
	}
	callers := []struct {
		name   string
		userID string
		want   func(i int) bool
	}{
		{"anonymous", "", func(i int) bool { return tests[i].anon }},
		{"owner", "1", func(i int) bool { return tests[i].owner }},
		{"other user", "2", func(i int) bool { return tests[i].other }},
	}
	for i, tt := range tests {
		for _, caller := range callers {
			t.Run(tt.method+"/"+caller.name, func(t *testing.T) {
				req := &Request{
					Model:       "User",
					Property:    tt.method,
					Aliases:     tt.aliases,
					AccessType:  AccessTypeOf(tt.method, "", tt.verbs),
					UserID:      caller.userID,
					UserModel:   "User",
					IsUserModel: true,
				}
				if tt.byID {
					req.ModelID = "1"
				}
				d, err := NewChecker(nil, nil, nil, nil).Check(context.Background(), req, static, "")
				if err != nil {
					t.Fatal(err)
				}
				if want := caller.want(i); d.Allowed != want {
					t.Fatalf("Allowed = %v, want %v\n%s", d.Allowed, want, d.Explain())
				}
			})
		}
	}
}
