package rest

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/loopgo/loopgo/framework/acl"
	"github.com/loopgo/loopgo/framework/schema"
	"github.com/loopgo/loopgo/framework/store"
)

// relationRegistry resolves Author (belongsTo, hasOne, hasMany, hasMany through, HABTM) and its
// related models.
func relationRegistry(t *testing.T) *schema.Registry {
	t.Helper()
	id := func() *schema.Property {
		return &schema.Property{Name: "id", Type: schema.Number, ID: true, Generated: true}
	}
	model := func(name string, rels ...*schema.Relation) *schema.Model {
		return &schema.Model{Name: name, IDInjection: true, ForceID: true, Strict: schema.StrictTrue,
			Properties: []*schema.Property{id(), {Name: "name", Type: schema.String}}, Relations: rels}
	}
	reg := schema.NewRegistry()
	for _, m := range []*schema.Model{
		model("Author",
			&schema.Relation{Name: "publisher", Type: schema.BelongsTo, Model: "Publisher"},
			&schema.Relation{Name: "bio", Type: schema.HasOne, Model: "Bio"},
			&schema.Relation{Name: "books", Type: schema.HasMany, Model: "Book", Options: map[string]any{"http": map[string]any{"path": "/works"}}},
			&schema.Relation{Name: "fans", Type: schema.HasMany, Model: "Reader", Through: "Follow"},
			&schema.Relation{Name: "genres", Type: schema.HasAndBelongsToMany, Model: "Genre"},
			&schema.Relation{Name: "picture", Type: schema.BelongsTo, Polymorphic: &schema.Polymorphic{As: "picture"}},
		),
		model("Publisher"), model("Bio"), model("Book"), model("Reader"), model("Follow"), model("Genre"),
	} {
		if m.Name == "Author" {
			m.Properties = append(m.Properties, &schema.Property{Name: "pictureId", Type: schema.Number})
		}
		if err := reg.Add(m); err != nil {
			t.Fatal(err)
		}
	}
	if err := reg.Resolve(); err != nil {
		t.Fatal(err)
	}
	return reg
}

func TestRelationMethodTable(t *testing.T) {
	reg := relationRegistry(t)
	st, err := store.Open(context.Background(), "t", "sqlite::memory:", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	author := reg.Model("Author")
	methods := RelationMethods(author, st, reg, func(string) *store.Store { return nil })
	var got []string
	for _, m := range methods {
		if m.Static || !m.Shared || m.Model != author || m.Relation == nil || m.Target == nil || m.Fn == nil {
			t.Errorf("%s: static %v shared %v model %v relation %v target %v", m.Name, m.Static, m.Shared, m.Model, m.Relation, m.Target)
		}
		if !strings.HasSuffix(m.Name, "__"+m.Relation.Name) || m.Target.Name != m.Relation.Model {
			t.Errorf("%s: relation %s target %s", m.Name, m.Relation.Name, m.Target.Name)
		}
		var routes, verbs []string
		for _, r := range m.Routes {
			routes = append(routes, strings.ToUpper(r.Verb)+" "+r.Path)
			verbs = append(verbs, r.Verb)
		}
		if derived := acl.AccessTypeOf(m.Name, "", verbs); derived != m.AccessType {
			t.Errorf("%s: access type %s, but spec 3.3 derives %s", m.Name, m.AccessType, derived)
		}
		got = append(got, m.Name+" "+strings.Join(routes, ",")+" "+m.AccessType+" "+returns(m))
	}
	sort.Strings(got)
	want := []string{
		"__count__books GET /works/count READ count:number",
		"__count__fans GET /fans/count READ count:number",
		"__count__genres GET /genres/count READ count:number",
		"__create__bio POST /bio WRITE data:Bio!",
		"__create__books POST /works WRITE data:Book!",
		"__create__fans POST /fans WRITE data:Reader!",
		"__create__genres POST /genres WRITE data:Genre!",
		"__delete__books DELETE /works WRITE -",
		"__delete__fans DELETE /fans WRITE -",
		"__delete__genres DELETE /genres WRITE -",
		"__destroyById__books DELETE /works/:fk WRITE -",
		"__destroyById__fans DELETE /fans/:fk WRITE -",
		"__destroyById__genres DELETE /genres/:fk WRITE -",
		"__destroy__bio DELETE /bio WRITE -",
		"__exists__fans HEAD /fans/rel/:fk READ exists:boolean!",
		"__exists__genres HEAD /genres/rel/:fk READ exists:boolean!",
		"__findById__books GET /works/:fk READ result:Book!",
		"__findById__fans GET /fans/:fk READ result:Reader!",
		"__findById__genres GET /genres/:fk READ result:Genre!",
		"__get__bio GET /bio READ bio:Bio!",
		"__get__books GET /works READ books:array!",
		"__get__fans GET /fans READ fans:array!",
		"__get__genres GET /genres READ genres:array!",
		"__get__publisher GET /publisher READ publisher:Publisher!",
		"__link__fans PUT /fans/rel/:fk WRITE fans:Follow!",
		"__link__genres PUT /genres/rel/:fk WRITE genres:AuthorGenre!",
		"__unlink__fans DELETE /fans/rel/:fk WRITE -",
		"__unlink__genres DELETE /genres/rel/:fk WRITE -",
		"__updateById__books PUT /works/:fk WRITE result:Book!",
		"__updateById__fans PUT /fans/:fk WRITE result:Reader!",
		"__updateById__genres PUT /genres/:fk WRITE result:Genre!",
		"__update__bio PUT /bio WRITE data:Bio!",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("methods:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// returns renders a method's returns as name:type, "!" for root.
func returns(m *Method) string {
	if len(m.Returns) == 0 {
		return "-"
	}
	r := m.Returns[0]
	s := r.Name + ":" + string(r.Type)
	if r.Root {
		s += "!"
	}
	return s
}
