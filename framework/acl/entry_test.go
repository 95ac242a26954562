package acl

import (
	"reflect"
	"strings"
	"testing"

	"github.com/loopgo/loopgo/framework/schema"
)

func TestFromSchema(t *testing.T) {
	acls := []schema.ACL{
		{PrincipalType: ROLE, PrincipalID: RoleEveryone, Permission: DENY, Pos: schema.Pos{File: "models/note.yaml", Line: 12}},
		{Property: []string{"find", "findById"}, AccessType: READ, PrincipalType: ROLE, PrincipalID: RoleOwner, Permission: ALLOW, Pos: schema.Pos{File: "models/note.yaml", Line: 16}},
		{Property: []string{"publish"}, AccessType: EXECUTE, PrincipalType: USER, PrincipalID: "7", Permission: ALLOW},
	}
	want := []Entry{
		{Model: "Note", Property: All, AccessType: All, PrincipalType: ROLE, PrincipalID: RoleEveryone, Permission: DENY, Static: true, Origin: "models/note.yaml:12"},
		{Model: "Note", Property: "find", AccessType: READ, PrincipalType: ROLE, PrincipalID: RoleOwner, Permission: ALLOW, Static: true, Origin: "models/note.yaml:16"},
		{Model: "Note", Property: "findById", AccessType: READ, PrincipalType: ROLE, PrincipalID: RoleOwner, Permission: ALLOW, Static: true, Origin: "models/note.yaml:16"},
		{Model: "Note", Property: "publish", AccessType: EXECUTE, PrincipalType: USER, PrincipalID: "7", Permission: ALLOW, Static: true, Origin: "Note.acls[2]"},
	}
	got := FromSchema("Note", acls)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("FromSchema =\n%+v\nwant\n%+v", got, want)
	}
	if got := FromSchema("Note", nil); len(got) != 0 {
		t.Fatalf("FromSchema(nil) = %v, want empty", got)
	}
}

func TestEntryValidate(t *testing.T) {
	ok := Entry{Model: "Note", Property: "find", AccessType: READ, PrincipalType: ROLE, PrincipalID: RoleEveryone, Permission: ALLOW}
	tests := []struct {
		name    string
		mutate  func(*Entry)
		wantErr string
	}{
		{"valid", func(*Entry) {}, ""},
		{"empty access type is all", func(e *Entry) { e.AccessType = "" }, ""},
		{"bad access type", func(e *Entry) { e.AccessType = "read" }, `accessType "read"`},
		{"bad permission", func(e *Entry) { e.Permission = "PERMIT" }, `permission "PERMIT"`},
		{"no principal type", func(e *Entry) { e.PrincipalType = "" }, "principalType is required"},
		{"no principal id", func(e *Entry) { e.PrincipalID = "" }, "principalId is required"},
		{"no model", func(e *Entry) { e.Model = "" }, "model is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := ok
			tt.mutate(&e)
			err := e.Validate()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Validate() = %v, want error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestPermissionOrder(t *testing.T) {
	for p, want := range map[string]int{DEFAULT: 0, ALLOW: 1, ALARM: 2, AUDIT: 3, DENY: 4, "bogus": 4} {
		if got := PermissionOrder(p); got != want {
			t.Errorf("PermissionOrder(%q) = %d, want %d", p, got, want)
		}
	}
}

func TestApplies(t *testing.T) {
	read := &Request{Model: "Note", Property: "patchAttributes", Aliases: []string{"updateAttributes"}, AccessType: READ}
	repl := &Request{Model: "Note", Property: "checkpoint", AccessType: REPLICATE}
	wild := &Request{Model: "Note", Property: All, AccessType: All}
	e := func(model, prop, at string) Entry { return Entry{Model: model, Property: prop, AccessType: at} }
	tests := []struct {
		name          string
		e             Entry
		req           *Request
		dynamic, stat bool
	}{
		{"exact", e("Note", "patchAttributes", READ), read, true, true},
		{"alias: dynamic yes, static no", e("Note", "updateAttributes", READ), read, true, false},
		{"model wildcard", e(All, All, All), read, true, true},
		{"other model", e("Post", All, All), read, false, true},
		{"other property", e("Note", "find", READ), read, false, false},
		{"dynamic EXECUTE not fetched for READ", e("Note", All, EXECUTE), read, false, true},
		{"WRITE fetched for REPLICATE", e("Note", All, WRITE), repl, true, true},
		{"READ not fetched for REPLICATE", e("Note", All, READ), repl, false, true},
		{"wildcard request fetches all properties", e("Note", "find", WRITE), wild, true, false},
		{"dynamic row without property is not fetched", e("Note", "", READ), read, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DynamicApplies(tt.e, tt.req); got != tt.dynamic {
				t.Errorf("DynamicApplies = %v, want %v", got, tt.dynamic)
			}
			if got := StaticApplies(tt.e, tt.req); got != tt.stat {
				t.Errorf("StaticApplies = %v, want %v", got, tt.stat)
			}
		})
	}
}
