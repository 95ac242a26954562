package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"gorm.io/gorm/logger"

	"github.com/loopgo/loopgo/framework/filter"
	"github.com/loopgo/loopgo/framework/schema"
)

// relWorld is a resolved set of related models on one store, with seed data:
//
//	Team  <-belongsTo- Person -hasOne-> Profile; Person -belongsTo(mentor)-> Person
//	Person -hasMany(notes, foreignKey ownerId)-> Note -belongsTo(owner)-> Person
//	Note -hasMany-> Comment (and publicComments: scope where public, order id DESC)
//	Note -hasMany through Tagging (keyThrough tagRef)-> Tag
//	Note -hasAndBelongsToMany-> Label (automatic join model NoteLabel)
type relWorld struct {
	e   *testEnv
	reg *schema.Registry
	ids map[string]any // seed name -> id
}

func (w *relWorld) m(name string) *schema.Model { return w.reg.Model(name) }

// id returns the id of a seeded record by its seed name.
func (w *relWorld) id(name string) any {
	id, ok := w.ids[name]
	if !ok {
		w.e.t.Fatalf("no seed %q", name)
	}
	return id
}

func idProp() *schema.Property {
	return &schema.Property{Name: "id", Type: schema.Number, ID: true, Generated: true}
}

func relModel(name string, props []*schema.Property, rels []*schema.Relation, hidden ...string) *schema.Model {
	return &schema.Model{Name: name, Strict: schema.StrictTrue, ForceID: true, IDInjection: true,
		Table: uniqueTable(strings.ToLower(name)), Hidden: hidden,
		Properties: append([]*schema.Property{idProp()}, props...), Relations: rels}
}

// newRelWorld defines, migrates and seeds the models.
func newRelWorld(e *testEnv) *relWorld {
	e.t.Helper()
	str := func(n string) *schema.Property { return &schema.Property{Name: n, Type: schema.String} }
	num := func(n string) *schema.Property { return &schema.Property{Name: n, Type: schema.Number} }
	reg := schema.NewRegistry()
	defs := []*schema.Model{
		relModel("Team", []*schema.Property{str("name")}, []*schema.Relation{
			{Name: "members", Type: schema.HasMany, Model: "Person"},
		}),
		relModel("Person", []*schema.Property{str("name"), str("email"), str("password"), str("secret")}, []*schema.Relation{
			{Name: "team", Type: schema.BelongsTo, Model: "Team"},
			{Name: "profile", Type: schema.HasOne, Model: "Profile"},
			{Name: "notes", Type: schema.HasMany, Model: "Note", ForeignKey: "ownerId"},
			{Name: "mentor", Type: schema.BelongsTo, Model: "Person"},
		}, "password"),
		relModel("Profile", []*schema.Property{str("bio")}, nil),
		relModel("Note", []*schema.Property{str("title"), num("rating")}, []*schema.Relation{
			{Name: "owner", Type: schema.BelongsTo, Model: "Person", ForeignKey: "ownerId"},
			{Name: "comments", Type: schema.HasMany, Model: "Comment"},
			{Name: "publicComments", Type: schema.HasMany, Model: "Comment", ForeignKey: "noteId",
				Scope: map[string]any{"where": map[string]any{"public": true}, "order": "id DESC"}},
			{Name: "tags", Type: schema.HasMany, Model: "Tag", Through: "Tagging", KeyThrough: "tagRef"},
			{Name: "labels", Type: schema.HasAndBelongsToMany, Model: "Label"},
		}),
		relModel("Comment", []*schema.Property{str("text"), {Name: "public", Type: schema.Boolean}}, []*schema.Relation{
			{Name: "note", Type: schema.BelongsTo, Model: "Note"},
		}),
		relModel("Tag", []*schema.Property{str("name")}, nil),
		relModel("Tagging", []*schema.Property{num("weight")}, nil),
		relModel("Label", []*schema.Property{str("name")}, nil),
	}
	for _, d := range defs {
		if err := reg.Add(d); err != nil {
			e.t.Fatalf("add %s: %v", d.Name, err)
		}
	}
	if err := reg.Resolve(); err != nil {
		e.t.Fatalf("resolve: %v", err)
	}
	reg.Model("NoteLabel").Table = uniqueTable("notelabel")
	e.migrate(reg.Models()...)
	e.s.SetLinks(Links{Models: reg})
	w := &relWorld{e: e, reg: reg, ids: map[string]any{}}
	w.seed()
	return w
}

// seed creates the records; each seed has a name the tests use.
func (w *relWorld) seed() {
	ref := func(name string) func() any { return func() any { return w.id(name) } }
	rows := []struct {
		name, model string
		data        map[string]any
		refs        map[string]func() any
	}{
		{"red", "Team", map[string]any{"name": "Red"}, nil},
		{"blue", "Team", map[string]any{"name": "Blue"}, nil},
		{"ann", "Person", map[string]any{"name": "Ann", "email": "ann@example.com", "password": "pw-ann", "secret": "s1"}, map[string]func() any{"teamId": ref("red")}},
		{"bob", "Person", map[string]any{"name": "Bob", "email": "bob@example.com", "password": "pw-bob"}, map[string]func() any{"teamId": ref("blue"), "mentorId": ref("ann")}},
		{"cid", "Person", map[string]any{"name": "Cid", "email": "cid@example.com", "password": "pw-cid"}, nil},
		{"annProfile", "Profile", map[string]any{"bio": "Ann's bio"}, map[string]func() any{"personId": ref("ann")}},
		{"n1", "Note", map[string]any{"title": "n1", "rating": 1.0}, map[string]func() any{"ownerId": ref("ann")}},
		{"n2", "Note", map[string]any{"title": "n2", "rating": 2.0}, map[string]func() any{"ownerId": ref("ann")}},
		{"n3", "Note", map[string]any{"title": "n3", "rating": 3.0}, map[string]func() any{"ownerId": ref("bob")}},
		{"n4", "Note", map[string]any{"title": "n4"}, nil},
		{"c1", "Comment", map[string]any{"text": "c1", "public": true}, map[string]func() any{"noteId": ref("n1")}},
		{"c2", "Comment", map[string]any{"text": "c2", "public": false}, map[string]func() any{"noteId": ref("n1")}},
		{"c3", "Comment", map[string]any{"text": "c3", "public": true}, map[string]func() any{"noteId": ref("n1")}},
		{"c4", "Comment", map[string]any{"text": "c4", "public": true}, map[string]func() any{"noteId": ref("n2")}},
		{"c5", "Comment", map[string]any{"text": "c5", "public": false}, map[string]func() any{"noteId": ref("n3")}},
		{"go", "Tag", map[string]any{"name": "go"}, nil},
		{"sql", "Tag", map[string]any{"name": "sql"}, nil},
		{"web", "Tag", map[string]any{"name": "web"}, nil},
		{"t1", "Tagging", map[string]any{"weight": 1.0}, map[string]func() any{"noteId": ref("n1"), "tagRef": ref("go")}},
		{"t2", "Tagging", map[string]any{"weight": 2.0}, map[string]func() any{"noteId": ref("n1"), "tagRef": ref("sql")}},
		{"t3", "Tagging", map[string]any{"weight": 3.0}, map[string]func() any{"noteId": ref("n2"), "tagRef": ref("go")}},
		{"t4", "Tagging", map[string]any{"weight": 4.0}, map[string]func() any{"noteId": ref("n3"), "tagRef": ref("web")}},
		{"urgent", "Label", map[string]any{"name": "urgent"}, nil},
		{"later", "Label", map[string]any{"name": "later"}, nil},
		{"l1", "NoteLabel", map[string]any{}, map[string]func() any{"noteId": ref("n1"), "labelId": ref("urgent")}},
		{"l2", "NoteLabel", map[string]any{}, map[string]func() any{"noteId": ref("n2"), "labelId": ref("urgent")}},
		{"l3", "NoteLabel", map[string]any{}, map[string]func() any{"noteId": ref("n2"), "labelId": ref("later")}},
	}
	for _, r := range rows {
		data := map[string]any{}
		for k, v := range r.data {
			data[k] = v
		}
		for k, f := range r.refs {
			data[k] = f()
		}
		rec := w.e.mustCreate(w.m(r.model), data)
		w.ids[r.name] = rec["id"]
	}
}

// find runs Find with a filter parsed from JSON-like values against the registry.
func (w *relWorld) find(model string, raw map[string]any) []schema.Record {
	w.e.t.Helper()
	recs, err := w.findErr(model, raw)
	if err != nil {
		w.e.t.Fatalf("find %s %v: %v", model, raw, err)
	}
	return recs
}

func (w *relWorld) findErr(model string, raw map[string]any) ([]schema.Record, error) {
	f, err := filter.Parse(raw, w.m(model), w.reg)
	if err != nil {
		return nil, err
	}
	return w.e.s.Find(w.e.ctx, w.m(model), f)
}

// render writes records compactly: the given properties of each record, and related records
// (keys naming a relation) in brackets, recursively; e.g. `n1{owner:Ann}`.
func render(recs []schema.Record, label string) string {
	parts := make([]string, len(recs))
	for i, r := range recs {
		parts[i] = renderOne(r, label)
	}
	return strings.Join(parts, " ")
}

func renderOne(r schema.Record, label string) string {
	if r == nil {
		return "nil"
	}
	s := fmt.Sprint(r[label])
	var rels []string
	for k, v := range r {
		switch x := v.(type) {
		case schema.Record:
			rels = append(rels, k+":"+renderOne(x, labelOf(x)))
		case []schema.Record:
			items := make([]string, len(x))
			for i, it := range x {
				items[i] = renderOne(it, labelOf(it))
			}
			rels = append(rels, k+":["+strings.Join(items, " ")+"]")
		case nil:
			if isRelKey(k) {
				rels = append(rels, k+":nil")
			}
		}
	}
	sort.Strings(rels)
	if len(rels) > 0 {
		s += "{" + strings.Join(rels, " ") + "}"
	}
	return s
}

// relKeys of the world, for rendering nil relations.
var relNames = map[string]bool{"owner": true, "team": true, "profile": true, "note": true, "mentor": true}

func isRelKey(k string) bool { return relNames[k] }

// labelOf picks the property that names a record: name, title or text.
func labelOf(r schema.Record) string {
	for _, k := range []string{"name", "title", "text", "bio"} {
		if _, ok := r[k]; ok {
			return k
		}
	}
	return "id"
}

// queryCounter counts the SELECT statements a store sends.
type queryCounter struct {
	logger.Interface
	n atomic.Int64
}

func (c *queryCounter) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	if sql, _ := fc(); strings.HasPrefix(strings.TrimSpace(strings.ToUpper(sql)), "SELECT") {
		c.n.Add(1)
	}
	c.Interface.Trace(ctx, begin, fc, err)
}

// countQueries returns how many SELECT statements fn sent.
func (e *testEnv) countQueries(fn func()) int64 {
	e.t.Helper()
	c := &queryCounter{Interface: e.s.db.Logger}
	prev, prevPrepared := e.s.db.Logger, e.s.prepared.Logger
	e.s.db.Logger, e.s.prepared.Logger = c, c // reads go through the prepared session's own config
	defer func() { e.s.db.Logger, e.s.prepared.Logger = prev, prevPrepared }()
	fn()
	return c.n.Load()
}
