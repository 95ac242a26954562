package openapi

import (
	"encoding/json"
	"reflect"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/loopgo/loopgo/framework/schema"
)

const itemYAML = `
name: Item
properties:
  label: {type: string, required: true}
  secret: string
  where: {type: geopoint}
hidden: [secret]
acls:
  - {principalType: ROLE, principalId: $everyone, permission: DENY}
  - {principalType: ROLE, principalId: $unauthenticated, permission: ALLOW, property: peek}
  - {principalType: ROLE, principalId: teamMember, permission: ALLOW, accessType: WRITE}
  - {principalType: ROLE, principalId: $authenticated, permission: ALLOW, accessType: READ}
  - {principalType: ROLE, principalId: auditor, permission: DENY, accessType: READ}
`

func registry(t *testing.T) *schema.Registry {
	t.Helper()
	reg := schema.NewRegistry()
	if err := reg.ParseFile("item.yaml", []byte(itemYAML)); err != nil {
		t.Fatal(err)
	}
	if err := reg.Resolve(); err != nil {
		t.Fatal(err)
	}
	return reg
}

func TestRolesFromStaticACLs(t *testing.T) {
	reg := registry(t)
	m := reg.Model("Item")
	doc, err := Build([]Method{
		{Model: m, Kind: Declared, Name: "peek", Static: true, AccessType: "EXECUTE", Routes: []schema.Route{{Verb: "get", Path: "/peek"}}},
		{Model: m, Kind: CRUD, Name: "find", Static: true, Routes: []schema.Route{{Verb: "get", Path: "/"}},
			Accepts: []schema.Arg{{Name: "filter", Type: schema.Object, Source: "query"}}},
		{Model: m, Kind: CRUD, Name: "patchAttributes", Routes: []schema.Route{{Verb: "patch", Path: "/"}},
			Accepts: []schema.Arg{{Name: "data", Type: schema.Object, Source: "body"}}},
	}, Options{Models: reg})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path, verb string
		want       []string
	}{
		{"/Items/peek", "get", []string{"$unauthenticated"}},                  // anonymous only
		{"/Items", "get", []string{"$authenticated", "$owner", "teamMember"}}, // auditors denied
		{"/Items/{id}", "patch", []string{"teamMember"}},
	} {
		op := *doc.Paths[c.path].slot(c.verb)
		if op == nil || !reflect.DeepEqual(op.Roles, c.want) {
			t.Errorf("%s %s: roles %v, want %v", c.verb, c.path, op.Roles, c.want)
		}
	}
	if sec := doc.Paths["/Items/peek"].Get.Security; len(sec[0]) != 0 {
		t.Errorf("anonymous peek needs no token: %v", sec)
	}
	item := doc.Components.Schemas["Item"]["properties"].(Schema)
	if item["secret"] != nil || item["label"] == nil {
		t.Errorf("Item: %v", item)
	}
	if !reflect.DeepEqual(item["where"].(Schema)["type"], []any{"object", "null"}) {
		t.Errorf("an optional geopoint is nullable: %v", item["where"])
	}
	if doc.Components.Schemas["ItemPartial"]["properties"].(Schema)["secret"].(Schema)["writeOnly"] != true {
		t.Error("a hidden property a client writes is writeOnly")
	}
}

func TestYAMLIsTheSameDocument(t *testing.T) {
	reg := registry(t)
	doc, err := Build([]Method{{Model: reg.Model("Item"), Kind: CRUD, Name: "count", Static: true,
		Routes: []schema.Route{{Verb: "get", Path: "/count"}}, Accepts: []schema.Arg{{Name: "where", Type: schema.Object, Source: "query"}}}},
		Options{Models: reg, Title: "true"}) // a title YAML would read as a boolean
	if err != nil {
		t.Fatal(err)
	}
	j, err := doc.JSON()
	if err != nil {
		t.Fatal(err)
	}
	y, err := doc.YAML()
	if err != nil {
		t.Fatal(err)
	}
	var fromJSON, fromYAML any
	if err := json.Unmarshal(j, &fromJSON); err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(y, &fromYAML); err != nil {
		t.Fatal(err)
	}
	// YAML decodes integers as int: compare through JSON
	b, _ := json.Marshal(fromYAML)
	var again any
	_ = json.Unmarshal(b, &again)
	if !reflect.DeepEqual(fromJSON, again) {
		t.Fatalf("the YAML form differs:\n%s", y)
	}
}

func TestBuildNeedsModels(t *testing.T) {
	if _, err := Build(nil, Options{}); err == nil {
		t.Fatal("no error without Models")
	}
}
