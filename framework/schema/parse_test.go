package schema

import (
	"reflect"
	"testing"
)

func TestParseDefaults(t *testing.T) {
	r := mustResolve(t, "models/category.yaml", `
name: Category
properties:
	title: string
`)
	m := mustModel(t, r, "Category")
	checks := []struct {
		what      string
		got, want any
	}{
		{"base", m.Base, "PersistedModel"},
		{"persisted", m.Persisted, true},
		{"parent", m.Parent == nil, true},
		{"plural", m.Plural, "Categories"},
		{"http path", m.HTTPPath, "Categories"},
		{"table", m.Table, "Category"},
		{"strict", m.Strict, StrictTrue},
		{"idInjection", m.IDInjection, true},
		{"forceId", m.ForceID, true},
		{"replaceOnPUT", m.ReplaceOnPUT, true},
		{"property count", len(m.Properties), 2},
		{"first property", m.Properties[0].Name, "id"},
		{"injected id", *m.Properties[0], Property{Name: "id", Type: Number, ID: true, Generated: true, Column: "id", Pos: m.Pos}},
		{"title column", m.Properties[1].Column, "title"},
		{"model pos", m.Pos, Pos{File: "models/category.yaml", Line: 2, Column: 1}},
		{"settings", len(m.Settings), 0},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s: got %#v, want %#v", c.what, c.got, c.want)
		}
	}
}

func TestParseTopLevelKeys(t *testing.T) {
	r := mustResolve(t, "models/note.yaml", `
name: Note
base: Model
plural: Notices
http: {path: /blog/notes}
strict: filter
idInjection: false
forceId: false
replaceOnPUT: false
aclErrorStatus: 403
defaultPermission: DENY
ownerRelations: [owner]
strictDelete: true
ratio: 0.5
nested: {a: [1, two, true, null]}
options:
	validateUpsert: true
	aclErrorStatus: 404
	replaceOnPUT: true
hidden: [secret]
protected: [code]
properties:
	code: {type: string, id: true}
	secret: string
mixins:
	TimeStamp: true
	Audit: {field: by}
	Off: false
`)
	m := mustModel(t, r, "Note")
	checks := []struct {
		what      string
		got, want any
	}{
		{"base", m.Base, "Model"},
		{"persisted", m.Persisted, false},
		{"plural", m.Plural, "Notices"},
		{"http path", m.HTTPPath, "blog/notes"},
		{"strict", m.Strict, StrictFilter},
		{"idInjection", m.IDInjection, false},
		{"forceId", m.ForceID, false},
		{"replaceOnPUT (options wins)", m.ReplaceOnPUT, true},
		{"hidden", m.Hidden, []string{"secret"}},
		{"protected", m.Protected, []string{"code"}},
		{"id property", m.IDProperty().Name, "code"},
		{"settings", m.Settings, map[string]any{
			"aclErrorStatus": 404, "defaultPermission": "DENY", "ownerRelations": []any{"owner"},
			"strictDelete": true, "ratio": 0.5, "validateUpsert": true,
			"nested": map[string]any{"a": []any{1, "two", true, nil}},
		}},
		{"mixins (false dropped)", m.Mixins, map[string]any{"TimeStamp": true, "Audit": map[string]any{"field": "by"}}},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s: got %#v, want %#v", c.what, c.got, c.want)
		}
	}
}

func TestParseStrictValues(t *testing.T) {
	tests := []struct {
		yaml string
		want StrictMode
	}{
		{"", StrictTrue},
		{"strict: true", StrictTrue},
		{"strict: false", StrictFalse},
		{"strict: filter", StrictFilter},
		{"options: {strict: false}", StrictFalse},
	}
	for _, tt := range tests {
		t.Run(tt.yaml, func(t *testing.T) {
			r := mustResolve(t, "a.yaml", "name: A\n"+tt.yaml+"\n")
			if got := mustModel(t, r, "A").Strict; got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseProperties(t *testing.T) {
	r := mustResolve(t, "models/item.yaml", `
name: Item
properties:
	s: string
	txt: text
	n: Number
	b: boolean
	d: date
	o: object
	arr: array
	anything: any
	j: json
	g: geopoint
	tags: [string]
	dates: [date]
	untyped: []
	long:
		type: string
		required: true
		index: true
		unique: true
		description: [a long, description]
		column: long_col
	rating: {type: number, default: 3}
	when: {type: date, default: "2020-01-02T03:04:05Z"}
	stamp: {type: date, default: $now}
	created: {type: date, defaultFn: now}
	key: {type: string, defaultFn: uuidv4}
	flags: {type: [boolean], default: [true, false]}
	obj: {type: object, default: {a: 1}}
	where: {type: geopoint, default: "1.5,2"}
`)
	m := mustModel(t, r, "Item")
	want := []Property{
		{Name: "s", Type: String},
		{Name: "txt", Type: String},
		{Name: "n", Type: Number},
		{Name: "b", Type: Boolean},
		{Name: "d", Type: Date},
		{Name: "o", Type: Object},
		{Name: "arr", Type: Array},
		{Name: "anything", Type: Any},
		{Name: "j", Type: Any},
		{Name: "g", Type: GeoPoint},
		{Name: "tags", Type: Array, Items: String},
		{Name: "dates", Type: Array, Items: Date},
		{Name: "untyped", Type: Array},
		{Name: "long", Type: String, Required: true, Index: true, Unique: true, Description: "a long\ndescription", Column: "long_col"},
		{Name: "rating", Type: Number, Default: 3.0},
		{Name: "when", Type: Date, Default: mustDate(t, "2020-01-02T03:04:05Z")},
		{Name: "stamp", Type: Date, DefaultFn: "now"},
		{Name: "created", Type: Date, DefaultFn: "now"},
		{Name: "key", Type: String, DefaultFn: "uuidv4"},
		{Name: "flags", Type: Array, Items: Boolean, Default: []any{true, false}},
		{Name: "obj", Type: Object, Default: map[string]any{"a": 1}},
		{Name: "where", Type: GeoPoint, Default: map[string]any{"lat": 1.5, "lng": 2.0}},
	}
	if len(m.Properties) != len(want)+1 {
		t.Fatalf("got %d properties, want %d", len(m.Properties), len(want)+1)
	}
	for i, w := range want {
		got := *m.Properties[i+1]
		if w.Column == "" {
			w.Column = w.Name
		}
		w.Pos = got.Pos
		if !reflect.DeepEqual(got, w) {
			t.Errorf("property %s:\n got %#v\nwant %#v", w.Name, got, w)
		}
	}
	if p := m.Property("s"); p.Pos.Line != 4 || p.Pos.Column != 3 || p.Pos.File != "models/item.yaml" {
		t.Errorf("position of s: %+v", p.Pos)
	}
}

func TestParseIDProperties(t *testing.T) {
	tests := []struct {
		name, props string
		wantID      string
		wantGen     bool
		wantForce   bool
		wantFirst   string
	}{
		{"injected", "x: string", "id", true, true, "id"},
		{"own string id", "code: {type: string, id: true}", "code", false, false, "code"},
		{"own generated id", "num: {type: number, id: true, generated: true}", "num", true, true, "num"},
		{"id by order number", "code: {type: string, id: 1}", "code", false, false, "code"},
		{"plain id property becomes the id", "x: string\n\tid: string", "id", false, false, "x"},
		{"uuid id", "id: {type: string, id: true, defaultFn: uuid}", "id", false, false, "id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustResolve(t, "a.yaml", "name: A\nproperties:\n\t"+tt.props+"\n")
			m := mustModel(t, r, "A")
			id := m.IDProperty()
			if id == nil || id.Name != tt.wantID || id.Generated != tt.wantGen {
				t.Fatalf("id property: %+v", id)
			}
			if m.ForceID != tt.wantForce {
				t.Errorf("forceId = %v, want %v", m.ForceID, tt.wantForce)
			}
			if m.Properties[0].Name != tt.wantFirst {
				t.Errorf("first property %s, want %s", m.Properties[0].Name, tt.wantFirst)
			}
		})
	}
	r := mustResolve(t, "a.yaml", "name: A\nidInjection: false\nproperties: {x: string}\n")
	if m := mustModel(t, r, "A"); m.IDProperty() != nil || m.ForceID {
		t.Errorf("idInjection false: id %+v forceId %v", m.IDProperty(), m.ForceID)
	}
	r = mustResolve(t, "a.yaml", "name: A\nforceId: true\nproperties: {code: {type: string, id: true}}\n")
	if !mustModel(t, r, "A").ForceID {
		t.Error("explicit forceId: true was not kept")
	}
	r = mustResolve(t, "a.yaml", "name: A\nforceId: auto\n")
	if !mustModel(t, r, "A").ForceID {
		t.Error("forceId: auto with an injected id should be true")
	}
}

func TestParseValidations(t *testing.T) {
	r := mustResolve(t, "a.yaml", `
name: A
properties:
	title: string
	email: string
	n: number
	color: string
validations:
	- {property: title, kind: presence, message: needs a title}
	- {property: title, kind: absence}
	- {property: title, kind: length, min: 2, max: 10, is: 5}
	- {property: title, kind: format, with: "^[a-z]+$"}
	- {property: title, kind: format, with: "/^abc$/i"}
	- {property: color, kind: inclusion, in: [red, green]}
	- {property: n, kind: exclusion, in: [1, 2.5]}
	- {property: n, kind: numericality, int: true}
	- {property: email, kind: uniqueness}
	- {property: email, kind: email}
`)
	m := mustModel(t, r, "A")
	if len(m.Validations) != 10 {
		t.Fatalf("got %d validations", len(m.Validations))
	}
	v := m.Validations
	f := func(x float64) *float64 { return &x }
	checks := []struct {
		what      string
		got, want any
	}{
		{"presence", []any{v[0].Property, v[0].Kind, v[0].Message}, []any{"title", "presence", "needs a title"}},
		{"absence", v[1].Kind, "absence"},
		{"length", []any{v[2].Min, v[2].Max, v[2].Is}, []any{f(2), f(10), f(5)}},
		{"format", v[3].Pattern.String(), "^[a-z]+$"},
		{"js regex flags", v[4].Pattern.MatchString("ABC"), true},
		{"inclusion", v[5].In, []any{"red", "green"}},
		{"exclusion coerced to numbers", v[6].In, []any{1.0, 2.5}},
		{"numericality int", v[7].Int, true},
		{"uniqueness", v[8].Kind, "uniqueness"},
		{"email", v[9].Kind, "email"},
		{"pos", v[0].Pos, Pos{File: "a.yaml", Line: 9, Column: 5}},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s: got %#v, want %#v", c.what, c.got, c.want)
		}
	}
}

func TestParseRelations(t *testing.T) {
	r := mustResolve(t,
		"author.yaml", `
name: Author
relations:
	posts: {type: hasMany, model: Post}
	profile: {type: hasOne, model: Profile, foreignKey: writerId}
	tags: {type: hasMany, model: Tag, through: AuthorTag}
	groups: {type: hasAndBelongsToMany, model: Group}
`,
		"post.yaml", `
name: Post
properties:
	authorId: number
relations:
	author:
		type: belongsTo
		model: Author
		scope: {where: {active: true}}
		options: {disableInclude: true, nestRemoting: true}
`,
		"profile.yaml", "name: Profile\n",
		"tag.yaml", "name: Tag\nproperties: {code: {type: string, id: true}}\n",
		"authortag.yaml", "name: AuthorTag\n",
		"group.yaml", "name: Group\n",
	)
	author := mustModel(t, r, "Author")
	post := mustModel(t, r, "Post")
	rel := func(m *Model, name string) Relation {
		t.Helper()
		x := m.Relation(name)
		if x == nil {
			t.Fatalf("relation %s.%s missing", m.Name, name)
		}
		c := *x
		c.Pos = Pos{}
		return c
	}
	tests := []struct {
		what string
		got  Relation
		want Relation
	}{
		{"hasMany default keys", rel(author, "posts"), Relation{Name: "posts", Type: HasMany, Model: "Post", ForeignKey: "authorId", PrimaryKey: "id"}},
		{"hasOne explicit fk", rel(author, "profile"), Relation{Name: "profile", Type: HasOne, Model: "Profile", ForeignKey: "writerId", PrimaryKey: "id"}},
		{"hasMany through", rel(author, "tags"), Relation{Name: "tags", Type: HasMany, Model: "Tag", Through: "AuthorTag", ForeignKey: "authorId", KeyThrough: "tagId", PrimaryKey: "id"}},
		{"habtm", rel(author, "groups"), Relation{Name: "groups", Type: HasAndBelongsToMany, Model: "Group", Through: "AuthorGroup", ForeignKey: "authorId", KeyThrough: "groupId", PrimaryKey: "id"}},
		{"belongsTo", rel(post, "author"), Relation{Name: "author", Type: BelongsTo, Model: "Author", ForeignKey: "authorId", PrimaryKey: "id",
			Scope: map[string]any{"where": map[string]any{"active": true}}, DisableInclude: true,
			Options: map[string]any{"disableInclude": true, "nestRemoting": true}}},
	}
	for _, tt := range tests {
		if !reflect.DeepEqual(tt.got, tt.want) {
			t.Errorf("%s:\n got %#v\nwant %#v", tt.what, tt.got, tt.want)
		}
	}
	// Foreign keys the models do not declare are added with the referenced key's type.
	fkChecks := []struct {
		model, prop string
		typ         Type
	}{
		{"Profile", "writerId", Number},
		{"AuthorTag", "authorId", Number},
		{"AuthorTag", "tagId", String},
		{"AuthorGroup", "authorId", Number},
		{"AuthorGroup", "groupId", Number},
	}
	for _, c := range fkChecks {
		p := mustModel(t, r, c.model).Property(c.prop)
		if p == nil || p.Type != c.typ {
			t.Errorf("%s.%s = %+v, want type %s", c.model, c.prop, p, c.typ)
		}
	}
	if n := len(post.Properties); n != 2 {
		t.Errorf("Post declares authorId itself; got %d properties", n)
	}
	join := mustModel(t, r, "AuthorGroup")
	if !join.Persisted || join.Relation("author") == nil || join.Relation("group") == nil || join.IDProperty() == nil {
		t.Errorf("join model: %+v", join)
	}
	if ms := r.Models(); ms[len(ms)-1].Name != "AuthorGroup" {
		t.Errorf("join model should come last, got %s", ms[len(ms)-1].Name)
	}
}

func TestParsePolymorphic(t *testing.T) {
	r := mustResolve(t,
		"picture.yaml", `
name: Picture
properties:
	imageableId: number
relations:
	imageable: {type: belongsTo, polymorphic: true}
`,
		"author.yaml", `
name: Author
relations:
	pictures: {type: hasMany, model: Picture, polymorphic: imageable}
`)
	pic := mustModel(t, r, "Picture")
	rel := pic.Relation("imageable")
	if rel.ForeignKey != "imageableId" || *rel.Polymorphic != (Polymorphic{As: "imageable", ForeignKey: "imageableId", Discriminator: "imageableType"}) {
		t.Errorf("belongsTo polymorphic: %+v %+v", rel, rel.Polymorphic)
	}
	if p := pic.Property("imageableType"); p == nil || p.Type != String {
		t.Errorf("discriminator property: %+v", p)
	}
	hm := mustModel(t, r, "Author").Relation("pictures")
	if hm.ForeignKey != "imageableId" || hm.Polymorphic.Discriminator != "imageableType" {
		t.Errorf("hasMany polymorphic: %+v %+v", hm, hm.Polymorphic)
	}
}

func TestParseACLs(t *testing.T) {
	r := mustResolve(t, "a.yaml", `
name: A
acls:
	- principalType: ROLE
		principalId: $everyone
		permission: DENY
	- {principalType: role, principalId: $owner, permission: allow, property: [findById, patchAttributes], accessType: write}
	- {principalType: USER, principalId: 42, permission: ALLOW, property: "*"}
	- {principalType: A, principalId: "7", permission: AUDIT, property: create, accessType: "*"}
	- {principalType: APP, principalId: app1, permission: ALARM, accessType: REPLICATE}
	- {principalType: SCOPE, principalId: read, permission: DEFAULT, accessType: EXECUTE}
	- {principalType: APPLICATION, principalId: x, permission: ALLOW, accessType: READ}
`)
	got := mustModel(t, r, "A").ACLs
	want := []ACL{
		{AccessType: "*", PrincipalType: "ROLE", PrincipalID: "$everyone", Permission: "DENY"},
		{AccessType: "WRITE", PrincipalType: "ROLE", PrincipalID: "$owner", Permission: "ALLOW", Property: []string{"findById", "patchAttributes"}},
		{AccessType: "*", PrincipalType: "USER", PrincipalID: "42", Permission: "ALLOW"},
		{AccessType: "*", PrincipalType: "A", PrincipalID: "7", Permission: "AUDIT", Property: []string{"create"}},
		{AccessType: "REPLICATE", PrincipalType: "APP", PrincipalID: "app1", Permission: "ALARM"},
		{AccessType: "EXECUTE", PrincipalType: "SCOPE", PrincipalID: "read", Permission: "DEFAULT"},
		{AccessType: "READ", PrincipalType: "APPLICATION", PrincipalID: "x", Permission: "ALLOW"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d ACLs", len(got))
	}
	for i := range want {
		g := got[i]
		g.Pos = Pos{}
		if !reflect.DeepEqual(g, want[i]) {
			t.Errorf("acl %d:\n got %#v\nwant %#v", i, g, want[i])
		}
	}
	if got[0].Pos.Line != 4 {
		t.Errorf("acl pos %+v", got[0].Pos)
	}
}

func TestParseMethods(t *testing.T) {
	r := mustResolve(t, "a.yaml", `
name: A
methods:
	greet:
		accepts: {arg: msg, type: string, required: true, description: what to say, http: {source: query}}
		returns: {arg: greeting, type: string}
		http: {verb: GET, path: hello, status: 201}
		accessType: read
		accessScopes: [greet]
		description: [Says, hello]
		notes: Loud.
	prototype.publish:
		accepts:
			- {arg: when, type: date}
			- {arg: ids, type: [number], http: {source: body}}
			- {arg: n, type: integer, http: {source: formData}}
			- {arg: other, type: A}
			- {arg: untyped}
		returns:
			- {type: object, root: true}
		http:
			- {verb: post, path: /publish}
			- {verb: del}
	ping: {isStatic: true}
`)
	m := mustModel(t, r, "A")
	greet := m.Method("greet", true)
	if greet == nil {
		t.Fatal("greet missing")
	}
	g := *greet
	g.Pos = Pos{}
	want := Method{Name: "greet", Static: true,
		Accepts:      []Arg{{Name: "msg", Type: String, Required: true, Description: "what to say", Source: "query"}},
		Returns:      []Arg{{Name: "greeting", Type: String}},
		HTTP:         []Route{{Verb: "get", Path: "/hello", Status: 201}},
		AccessType:   "READ",
		AccessScopes: []string{"greet"},
		Description:  "Says\nhello",
		Notes:        "Loud.",
	}
	if !reflect.DeepEqual(g, want) {
		t.Errorf("greet:\n got %#v\nwant %#v", g, want)
	}
	pub := m.Method("publish", false)
	if pub == nil || m.Method("publish", true) != nil {
		t.Fatal("prototype.publish should be an instance method")
	}
	wantArgs := []Arg{
		{Name: "when", Type: Date},
		{Name: "ids", Type: Array, Items: Number, Source: "body"},
		{Name: "n", Type: Integer, Source: "form"},
		{Name: "other", Type: "A"},
		{Name: "untyped", Type: Any},
	}
	if !reflect.DeepEqual(pub.Accepts, wantArgs) {
		t.Errorf("publish accepts:\n got %#v\nwant %#v", pub.Accepts, wantArgs)
	}
	if !reflect.DeepEqual(pub.Returns, []Arg{{Type: Object, Root: true}}) {
		t.Errorf("publish returns %#v", pub.Returns)
	}
	wantRoutes := []Route{{Verb: "post", Path: "/publish"}, {Verb: "delete", Path: "/publish"}}
	if !reflect.DeepEqual(pub.HTTP, wantRoutes) {
		t.Errorf("publish routes %#v", pub.HTTP)
	}
	ping := m.Method("ping", true)
	if ping == nil || !reflect.DeepEqual(ping.HTTP, []Route{{Verb: "all", Path: "/ping"}}) {
		t.Errorf("ping default route: %+v", ping)
	}
}

func TestParseTestdataUser(t *testing.T) {
	r := testdataRegistry(t)
	u := mustModel(t, r, "User")
	if !reflect.DeepEqual(u.Hidden, []string{"password", "verificationToken"}) {
		t.Errorf("hidden %v", u.Hidden)
	}
	if u.Settings["caseSensitiveEmail"] != true || u.IntSetting("ttl", 0) != 1209600 {
		t.Errorf("settings %v", u.Settings)
	}
	if !reflect.DeepEqual(u.UniqueProperties(), []string{"username", "email"}) {
		t.Errorf("unique %v", u.UniqueProperties())
	}
	if u.UniqueMessage("email") != "Email already exists" || u.UniqueMessage("realm") != "is not unique" {
		t.Errorf("unique messages")
	}
	login := u.Method("login", true)
	if login == nil || login.HTTP[0] != (Route{Verb: "post", Path: "/login"}) || !login.Returns[0].Root {
		t.Errorf("login %+v", login)
	}
	if at := mustModel(t, r, "AccessToken"); at.Property("userId") == nil || at.IDProperty().Type != String {
		t.Errorf("AccessToken properties %+v", at.Properties)
	}
}

func TestParseDuplicateModel(t *testing.T) {
	_, err := resolveFiles(t, "a.yaml", "name: A\n", "b.yaml", "name: A\n")
	de := asDefErr(t, err)
	if de.Field != "name" || de.Pos.File != "b.yaml" || de.Msg != "model A is already defined in a.yaml" {
		t.Errorf("got %v", de)
	}
}

func mustDate(t *testing.T, s string) any {
	t.Helper()
	d, ok := ParseDate(s)
	if !ok {
		t.Fatalf("bad date %s", s)
	}
	return d
}
