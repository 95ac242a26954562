package schema

import (
	"reflect"
	"testing"
)

func TestModelAccessors(t *testing.T) {
	r := testdataRegistry(t)
	u := mustModel(t, r, "User")
	checks := []struct {
		what      string
		got, want any
	}{
		{"Property", u.Property("email").Type, String},
		{"Property missing", u.Property("nope") == nil, true},
		{"IDProperty", u.IDProperty().Name, "id"},
		{"IsHidden", u.IsHidden("password"), true},
		{"IsHidden visible", u.IsHidden("email"), false},
		{"IsProtected", u.IsProtected("password"), false},
		{"Relation", u.Relation("accessTokens").Model, "AccessToken"},
		{"Relation missing", u.Relation("nope") == nil, true},
		{"Method static", u.Method("login", true) != nil, true},
		{"Method static is not prototype", u.Method("login", false) == nil, true},
		{"Method prototype", u.Method("verify", false) != nil, true},
		{"Setting", mustSetting(u, "caseSensitiveEmail"), true},
		{"BoolSetting", u.BoolSetting("caseSensitiveEmail", false), true},
		{"BoolSetting default", u.BoolSetting("emailVerificationRequired", true), true},
		{"BoolSetting wrong type", u.BoolSetting("ttl", true), true},
		{"IntSetting", u.IntSetting("ttl", 0), 1209600},
		{"IntSetting default", u.IntSetting("maxTTL", 31556926), 31556926},
		{"StringSetting default", u.StringSetting("realmDelimiter", ":"), ":"},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s: got %#v, want %#v", c.what, c.got, c.want)
		}
	}
	m := &Model{Settings: map[string]any{"f": 2.0, "half": 2.5, "i64": int64(7), "s": "x"}}
	if m.IntSetting("f", 0) != 2 || m.IntSetting("half", 9) != 9 || m.IntSetting("i64", 0) != 7 || m.StringSetting("s", "") != "x" {
		t.Error("setting getters on Go values")
	}
	if _, ok := m.Setting("missing"); ok {
		t.Error("Setting of a missing key")
	}
}

func mustSetting(m *Model, k string) any {
	v, _ := m.Setting(k)
	return v
}

func TestRemoveValidations(t *testing.T) {
	r := testdataRegistry(t)
	u, my := mustModel(t, r, "User"), mustModel(t, r, "MyUser")
	my.RemoveValidations("email")
	if my.Property("email").Required || my.hasRule("email", "email") || my.hasRule("email", "uniqueness") {
		t.Error("email rules not removed from MyUser")
	}
	if !reflect.DeepEqual(my.UniqueProperties(), []string{"username"}) {
		t.Errorf("MyUser unique %v", my.UniqueProperties())
	}
	if verr := my.Validate(Record{"password": "x"}, false); verr != nil {
		t.Errorf("MyUser without email should be valid: %v", verr)
	}
	// The base User keeps every rule.
	if !u.Property("email").Required || !u.hasRule("email", "email") || len(u.UniqueProperties()) != 2 {
		t.Error("RemoveValidations on MyUser touched User")
	}
	verr := u.Validate(Record{"password": "x"}, false)
	if verr == nil || !reflect.DeepEqual(verr.Codes["email"], []string{"presence"}) {
		t.Errorf("User without email: %v", verr)
	}
}

func TestCloneIsolation(t *testing.T) {
	r := testdataRegistry(t)
	u := mustModel(t, r, "User")
	c := u.Clone()
	c.RemoveValidations("email")
	c.Settings["ttl"] = 1
	c.Hidden[0] = "x"
	c.Relations[0].Options["disableInclude"] = false
	c.Methods[0].HTTP[0].Verb = "get"
	c.ACLs[0].Permission = "ALLOW"
	c.Properties[1].Type = Number
	if !u.Property("email").Required || len(u.Validations) != 3 || u.IntSetting("ttl", 0) != 1209600 ||
		u.Hidden[0] != "password" || u.Relations[0].Options["disableInclude"] != true ||
		u.Methods[0].HTTP[0].Verb != "post" || u.ACLs[0].Permission != "DENY" || u.Properties[1].Type != String {
		t.Error("changing the clone changed the original")
	}
	if c.Parent != u.Parent || c.Name != u.Name {
		t.Error("clone lost identity fields")
	}
}

func TestUniqueProperties(t *testing.T) {
	r := mustResolve(t, "a.yaml", `
name: A
properties:
	a: {type: string, unique: true}
	b: string
	c: string
validations:
	- {property: c, kind: uniqueness}
	- {property: c, kind: uniqueness, message: taken}
`)
	m := mustModel(t, r, "A")
	if got := m.UniqueProperties(); !reflect.DeepEqual(got, []string{"a", "c"}) {
		t.Errorf("got %v", got)
	}
	if m.UniqueMessage("c") != "taken" || m.UniqueMessage("a") != "is not unique" {
		t.Error("unique messages")
	}
	m.RemoveValidations("a")
	if got := m.UniqueProperties(); !reflect.DeepEqual(got, []string{"c"}) {
		t.Errorf("after RemoveValidations(a): %v", got)
	}
}

func TestPlural(t *testing.T) {
	tests := map[string]string{
		"Note": "Notes", "Category": "Categories", "Box": "Boxes", "Key": "Keys", "Status": "Statuses",
		"Church": "Churches", "Wish": "Wishes", "Quiz": "Quizes", "AccessToken": "AccessTokens",
		"RoleMapping": "RoleMappings", "User": "Users", "ACL": "ACLs", "y": "ys", "Day": "Days", "": "",
		"BOX": "BOXes", "Toy": "Toys", "City": "Cities",
	}
	for in, want := range tests {
		if got := Plural(in); got != want {
			t.Errorf("Plural(%q) = %q, want %q", in, got, want)
		}
	}
}
