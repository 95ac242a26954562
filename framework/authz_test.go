package framework_test

import (
	"context"
	"strings"
	"testing"
)

const ownedNoteYAML = `
name: OwnedNote
plural: ownednotes
ownerFromToken: true
properties:
  title: string
  ownerId: number
relations:
  owner: {type: belongsTo, model: User, foreignKey: ownerId}
acls:
  - {principalType: ROLE, principalId: $everyone, permission: DENY}
  - {principalType: ROLE, principalId: admin, permission: ALLOW}
`

const ownedNoteConfig = `
User: {dataSource: db, public: true}
AccessToken: {dataSource: db, public: false}
Role: {dataSource: db, public: false}
RoleMapping: {dataSource: db, public: false}
OwnedNote: {dataSource: db, public: true}
`

// TestRoleMappingsReadOncePerRequest: an admin's create is checked by the ACL (admin rule), by
// the ownerFromToken hook and by the owner guard of the persist hook, which all ask for the
// caller's static roles; the role mappings are read once for the request.
func TestRoleMappingsReadOncePerRequest(t *testing.T) {
	a := newTestApp(t, map[string]string{"ownednote.yaml": ownedNoteYAML, "model-config.yaml": ownedNoteConfig})
	if r := a.do("POST", "/api/users", map[string]any{"email": "admin@example.com", "password": "SuperFakePassword"}); r.Status != 200 {
		t.Fatalf("sign-up: %d %s", r.Status, r.Raw)
	}
	if err := a.app.GrantRole(context.Background(), "admin", 1); err != nil {
		t.Fatal(err)
	}
	r := a.do("POST", "/api/users/login", map[string]any{"email": "admin@example.com", "password": "SuperFakePassword"})
	tok, _ := r.obj()["id"].(string)
	if r.Status != 200 || tok == "" {
		t.Fatalf("login: %d %s", r.Status, r.Raw)
	}
	before := roleMappingReads(a.logs())
	r = a.do("POST", "/api/ownednotes", map[string]any{"title": "t", "ownerId": 42}, "Authorization", tok)
	if r.Status != 200 || !strings.Contains(r.Raw, `"ownerId":42`) {
		t.Fatalf("admin create keeps the owner it names: %d %s", r.Status, r.Raw)
	}
	if n := roleMappingReads(a.logs()) - before; n != 1 {
		t.Fatalf("%d role-mapping queries for one request, want 1", n)
	}
}

// roleMappingReads counts the logged SELECTs of the RoleMapping table.
func roleMappingReads(logs string) int {
	n := 0
	for _, line := range strings.Split(logs, "\n") {
		if strings.Contains(line, "msg=sql") && strings.Contains(line, "SELECT") && strings.Contains(line, "RoleMapping") {
			n++
		}
	}
	return n
}
