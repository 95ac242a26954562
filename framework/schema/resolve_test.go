package schema

import (
	"reflect"
	"strings"
	"testing"
)

const baseYAML = `
name: Base
strict: filter
replaceOnPUT: false
hidden: [secret]
protected: [code]
shared: parent
onlyParent: 1
properties:
	title: {type: string, required: true}
	secret: string
	code: string
validations:
	- {property: title, kind: length, max: 10}
relations:
	owner: {type: belongsTo, model: Owner}
	notes: {type: hasMany, model: Owner}
acls:
	- {principalType: ROLE, principalId: $everyone, permission: DENY}
methods:
	ping: {}
	prototype.touch: {}
mixins:
	TimeStamp: true
	Audit: true
`

const childYAML = `
name: Child
base: Base
shared: child
hidden: [extra]
properties:
	title: {type: string}
	extra: number
validations:
	- {property: extra, kind: numericality, int: true}
relations:
	notes: {type: hasMany, model: Owner, foreignKey: writerId}
acls:
	- {principalType: ROLE, principalId: $owner, permission: ALLOW}
methods:
	ping: {http: {verb: get}}
	pong: {}
mixins:
	Audit: false
`

func TestResolveInheritance(t *testing.T) {
	r := mustResolve(t, "child.yaml", childYAML, "base.yaml", baseYAML, "owner.yaml", "name: Owner\n")
	base, child := mustModel(t, r, "Base"), mustModel(t, r, "Child")
	names := func(m *Model) []string {
		var out []string
		for _, p := range m.Properties {
			out = append(out, p.Name)
		}
		return out
	}
	checks := []struct {
		what      string
		got, want any
	}{
		{"order: bases first, then as added", modelNames(r.Models()), []string{"Base", "Child", "Owner"}},
		{"parent pointer", child.Parent, base},
		{"persisted from the root", child.Persisted, true},
		{"properties parent-first, replaced in place", names(child), []string{"id", "title", "secret", "code", "ownerId", "extra"}},
		{"child title replaces parent's", child.Property("title").Required, false},
		{"parent untouched", base.Property("title").Required, true},
		{"hidden union", child.Hidden, []string{"secret", "extra"}},
		{"protected inherited", child.Protected, []string{"code"}},
		{"settings: child wins", child.Settings, map[string]any{"shared": "child", "onlyParent": 1}},
		{"strict inherited", child.Strict, StrictFilter},
		{"replaceOnPUT inherited", child.ReplaceOnPUT, false},
		{"validations parent's then child's", []string{child.Validations[0].Property, child.Validations[1].Property}, []string{"title", "extra"}},
		{"acls parent's then child's", []string{child.ACLs[0].PrincipalID, child.ACLs[1].PrincipalID}, []string{"$everyone", "$owner"}},
		{"relations: child overrides in place", []string{child.Relations[0].Name, child.Relations[1].Name, child.Relations[1].ForeignKey}, []string{"owner", "notes", "writerId"}},
		{"relation count", len(child.Relations), 2},
		{"methods: child overrides in place", []string{child.Methods[0].Name, child.Methods[0].HTTP[0].Verb, child.Methods[1].Name, child.Methods[2].Name}, []string{"ping", "get", "touch", "pong"}},
		{"parent method untouched", base.Methods[0].HTTP[0].Verb, "all"},
		{"mixins: false disables", child.Mixins, map[string]any{"TimeStamp": true}},
		{"plural not inherited", child.Plural, "Childs"},
		{"http path not inherited", child.HTTPPath, "Childs"},
		{"table", child.Table, "Child"},
		{"IsA self", child.IsA("Child"), true},
		{"IsA base", child.IsA("Base"), true},
		{"IsA PersistedModel", child.IsA("PersistedModel"), true},
		{"IsA other", child.IsA("Owner"), false},
		{"base IsA child", base.IsA("Child"), false},
		{"inherited hasMany fk on target", mustModel(t, r, "Owner").Property("writerId") != nil, true},
		{"parent hasMany fk on target", mustModel(t, r, "Owner").Property("baseId") != nil, true},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s: got %#v, want %#v", c.what, c.got, c.want)
		}
	}
}

func modelNames(ms []*Model) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Name
	}
	return out
}

func TestResolveChildOverridesSettings(t *testing.T) {
	r := mustResolve(t,
		"a.yaml", "name: A\nstrict: false\nidInjection: false\nproperties: {code: {type: string, id: true}}\n",
		"b.yaml", "name: B\nbase: A\nstrict: true\n",
		"c.yaml", "name: C\nbase: Model\n",
		"d.yaml", "name: D\nbase: C\n")
	b := mustModel(t, r, "B")
	if b.Strict != StrictTrue || b.IDInjection || b.IDProperty().Name != "code" || b.ForceID {
		t.Errorf("B: strict %v idInjection %v id %v forceId %v", b.Strict, b.IDInjection, b.IDProperty().Name, b.ForceID)
	}
	if d := mustModel(t, r, "D"); d.Persisted || !d.IsA("C") || d.IsA("PersistedModel") || !d.IsA("Model") {
		t.Errorf("D persisted %v", d.Persisted)
	}
}

func TestResolveBuiltinUserSubclass(t *testing.T) {
	r := testdataRegistry(t)
	my := mustModel(t, r, "MyUser")
	if my.Parent != mustModel(t, r, "User") || my.HTTPPath != "users" || !my.IsA("User") {
		t.Errorf("MyUser: parent %v path %s", my.Parent, my.HTTPPath)
	}
	if len(my.ACLs) != 4 || my.ACLs[3].PrincipalID != "$owner" {
		t.Errorf("ACLs %+v", my.ACLs)
	}
	if !reflect.DeepEqual(my.UniqueProperties(), []string{"username", "email"}) {
		t.Errorf("unique %v", my.UniqueProperties())
	}
	if owner := mustModel(t, r, "Note").Relation("owner"); owner.Model != "MyUser" || owner.ForeignKey != "ownerId" {
		t.Errorf("Note.owner %+v", owner)
	}
}

func TestResolveIsIdempotent(t *testing.T) {
	r := mustResolve(t, "base.yaml", baseYAML, "child.yaml", childYAML, "owner.yaml", "name: Owner\n")
	first := len(mustModel(t, r, "Child").Properties)
	if err := r.Resolve(); err != nil {
		t.Fatal(err)
	}
	if got := len(mustModel(t, r, "Child").Properties); got != first {
		t.Errorf("second Resolve changed the properties: %d -> %d", first, got)
	}
	if err := r.ParseFile("x.yaml", []byte("name: X\nbase: Nope\n")); err != nil {
		t.Fatal(err)
	}
	if err := r.Resolve(); err == nil {
		t.Fatal("want an error")
	}
	if r.Model("Child") != nil || len(r.Models()) != 0 {
		t.Error("a failed Resolve must not leave resolved models")
	}
}

func TestRegistryAdd(t *testing.T) {
	r := NewRegistry()
	def := &Model{Name: "Go", IDInjection: true, Strict: StrictFilter, HTTPPath: "/go-models",
		Properties: []*Property{{Name: "n", Type: Number, Default: 2}},
		Methods:    []*Method{{Name: "run", Static: true}}}
	if err := r.Add(def); err != nil {
		t.Fatal(err)
	}
	if def.Plural != "" || def.Properties[0].Default != 2 {
		t.Error("Add must not modify its argument")
	}
	if err := r.Resolve(); err != nil {
		t.Fatal(err)
	}
	m := mustModel(t, r, "Go")
	if m.Plural != "Gos" || m.HTTPPath != "go-models" || m.Strict != StrictFilter || m.IDProperty() == nil ||
		m.Property("n").Default != 2.0 || m.Methods[0].HTTP[0] != (Route{Verb: "all", Path: "/run"}) {
		t.Errorf("resolved Go model %+v", m)
	}
	bad := []struct {
		name string
		m    *Model
		msg  string
	}{
		{"nil", nil, "nil model"},
		{"bad name", &Model{Name: "a b"}, "invalid model name"},
		{"bad type", &Model{Name: "A", Properties: []*Property{{Name: "x", Type: "nuber"}}}, `unknown type "nuber"`},
		{"duplicate property", &Model{Name: "A", Properties: []*Property{{Name: "x", Type: String}, {Name: "x", Type: String}}}, "duplicate property"},
		{"bad default", &Model{Name: "A", Properties: []*Property{{Name: "x", Type: Number, Default: "z"}}}, "is not a valid number"},
		{"bad relation", &Model{Name: "A", Relations: []*Relation{{Name: "r", Type: "embedsMany", Model: "A"}}}, "unsupported relation type"},
		{"bad acl", &Model{Name: "A", ACLs: []ACL{{PrincipalType: "ROLE", PrincipalID: "x", Permission: "MAYBE"}}}, "invalid permission"},
		{"bad verb", &Model{Name: "A", Methods: []*Method{{Name: "m", HTTP: []Route{{Verb: "fetch"}}}}}, "unknown verb"},
		{"bad validation", &Model{Name: "A", Validations: []Validation{{Property: "x", Kind: "nope"}}}, "unknown validation kind"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			err := NewRegistry().Add(tt.m)
			if err == nil || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("got %v, want %q", err, tt.msg)
			}
		})
	}
}

func TestResolveForeignKeysReachChildren(t *testing.T) {
	r := mustResolve(t,
		"child.yaml", "name: Child\nbase: Parent\nproperties: {own: string}\n",
		"parent.yaml", "name: Parent\nidInjection: false\nproperties: {title: string}\n",
		"late.yaml", "name: Late\nrelations: {parents: {type: hasMany, model: Parent}}\n",
		"kid.yaml", "name: Kid\nbase: Parent\nidInjection: true\n")
	names := func(m *Model) []string {
		var out []string
		for _, p := range m.Properties {
			out = append(out, p.Name)
		}
		return out
	}
	checks := []struct {
		what      string
		got, want any
	}{
		{"parent gets the hasMany key", names(mustModel(t, r, "Parent")), []string{"title", "lateId"}},
		{"child gets it at the parent's position", names(mustModel(t, r, "Child")), []string{"title", "lateId", "own"}},
		{"child injecting its own id keeps it first", names(mustModel(t, r, "Kid")), []string{"id", "title", "lateId"}},
		{"child without id", mustModel(t, r, "Child").IDProperty() == nil, true},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s: got %#v, want %#v", c.what, c.got, c.want)
		}
	}
}
