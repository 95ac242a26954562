package store

import (
	"encoding/json"
	"testing"

	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/filter"
	"github.com/loopgo/loopgo/framework/schema"
)

// decodeJSON turns a JSON filter into generic values.
func decodeJSON(t *testing.T, s string) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("bad JSON %s: %v", s, err)
	}
	return v
}

func TestInclude(t *testing.T) {
	eachDialect(t, func(e *testEnv) {
		t := e.t
		w := newRelWorld(e)
		tests := []struct {
			name   string
			model  string
			filter string
			want   string
		}{
			{"belongsTo", "Note", `{"include":"owner"}`,
				"n1{owner:Ann} n2{owner:Ann} n3{owner:Bob} n4{owner:nil}"},
			{"belongsTo with scope fields", "Note", `{"include":{"relation":"owner","scope":{"fields":["name"]}},"where":{"title":"n3"}}`,
				"n3{owner:Bob}"},
			{"belongsTo scope where not matched gives nil", "Note", `{"include":{"relation":"owner","scope":{"where":{"name":"Bob"}}}}`,
				"n1{owner:nil} n2{owner:nil} n3{owner:Bob} n4{owner:nil}"},
			{"hasOne", "Person", `{"include":"profile"}`,
				"Ann{profile:Ann's bio} Bob{profile:nil} Cid{profile:nil}"},
			{"hasMany", "Person", `{"include":"notes"}`,
				"Ann{notes:[n1 n2]} Bob{notes:[n3]} Cid{notes:[]}"},
			{"hasMany scope where and order", "Person", `{"include":{"relation":"notes","scope":{"where":{"rating":{"gte":2}},"order":"rating DESC"}}}`,
				"Ann{notes:[n2]} Bob{notes:[n3]} Cid{notes:[]}"},
			{"hasMany limit per parent", "Note", `{"include":{"relation":"comments","scope":{"limit":1}}}`,
				"n1{comments:[c1]} n2{comments:[c4]} n3{comments:[c5]} n4{comments:[]}"},
			{"hasMany skip and limit per parent with order", "Note", `{"include":{"relation":"comments","scope":{"order":"text DESC","skip":1,"limit":1}}}`,
				"n1{comments:[c2]} n2{comments:[]} n3{comments:[]} n4{comments:[]}"},
			{"hasMany skip only", "Note", `{"where":{"title":"n1"},"include":{"relation":"comments","scope":{"skip":1}}}`,
				"n1{comments:[c2 c3]}"},
			{"relation definition scope", "Note", `{"include":"publicComments"}`,
				"n1{publicComments:[c3 c1]} n2{publicComments:[c4]} n3{publicComments:[]} n4{publicComments:[]}"},
			{"definition scope merged with include scope", "Note", `{"include":{"relation":"publicComments","scope":{"where":{"text":{"neq":"c3"}}}}}`,
				"n1{publicComments:[c1]} n2{publicComments:[c4]} n3{publicComments:[]} n4{publicComments:[]}"},
			{"hasMany through with keyThrough", "Note", `{"include":"tags"}`,
				"n1{tags:[go sql]} n2{tags:[go]} n3{tags:[web]} n4{tags:[]}"},
			{"through with scope where, order, limit per parent", "Note", `{"include":{"relation":"tags","scope":{"where":{"name":{"neq":"web"}},"order":"name DESC","limit":1}}}`,
				"n1{tags:[sql]} n2{tags:[go]} n3{tags:[]} n4{tags:[]}"},
			{"hasAndBelongsToMany", "Note", `{"include":"labels"}`,
				"n1{labels:[urgent]} n2{labels:[urgent later]} n3{labels:[]} n4{labels:[]}"},
			{"nested belongsTo of belongsTo", "Note", `{"include":{"owner":"team"},"where":{"title":{"inq":["n1","n3","n4"]}}}`,
				"n1{owner:Ann{team:Red}} n3{owner:Bob{team:Blue}} n4{owner:nil}"},
			{"nested hasMany of hasMany with scope", "Person", `{"include":{"relation":"notes","scope":{"include":{"relation":"comments","scope":{"where":{"public":true}}}}}}`,
				"Ann{notes:[n1{comments:[c1 c3]} n2{comments:[c4]}]} Bob{notes:[n3{comments:[]}]} Cid{notes:[]}"},
			{"nested through then belongsTo back", "Team", `{"include":{"members":{"notes":"tags"}}}`,
				"Red{members:[Ann{notes:[n1{tags:[go sql]} n2{tags:[go]}]}]} Blue{members:[Bob{notes:[n3{tags:[web]}]}]}"},
			{"several includes", "Note", `{"where":{"title":"n1"},"include":["owner","tags",{"comments":"note"}]}`,
				"n1{comments:[c1{note:n1} c2{note:n1} c3{note:n1}] owner:Ann tags:[go sql]}"},
			{"parent with no rows", "Note", `{"where":{"title":"none"},"include":"owner"}`, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got := render(w.find(tt.model, decodeJSON(t, tt.filter)), labelFor(tt.model))
				if got != tt.want {
					t.Errorf("got  %s\nwant %s", got, tt.want)
				}
			})
		}
	})
}

// labelFor is the label property of a model in the world.
func labelFor(model string) string {
	switch model {
	case "Note":
		return "title"
	case "Comment":
		return "text"
	}
	return "name"
}

func TestIncludeFieldsInterplay(t *testing.T) {
	eachDialect(t, func(e *testEnv) {
		t := e.t
		w := newRelWorld(e)
		keysOfRec := func(r schema.Record) []string {
			var ks []string
			for k := range r {
				ks = append(ks, k)
			}
			sortStrings(ks)
			return ks
		}
		// Parent fields leave out the key the include needs: it is read, used, and removed.
		recs := w.find("Note", decodeJSON(t, `{"fields":["title"],"include":"owner","where":{"title":"n1"}}`))
		if len(recs) != 1 || joined(keysOfRec(recs[0])) != "owner,title" {
			t.Fatalf("note keys = %v", keysOfRec(recs[0]))
		}
		owner := recs[0]["owner"].(schema.Record)
		if owner["name"] != "Ann" {
			t.Errorf("owner = %v", owner)
		}
		// Excluding the key works the same way.
		recs = w.find("Person", decodeJSON(t, `{"fields":{"id":false,"email":false},"include":"notes","where":{"name":"Ann"}}`))
		if joined(keysOfRec(recs[0])) != "mentorId,name,notes,password,secret,teamId" {
			t.Errorf("person keys = %v", keysOfRec(recs[0]))
		}
		if got := render(recs[0]["notes"].([]schema.Record), "title"); got != "n1 n2" {
			t.Errorf("notes = %s", got)
		}
		// The scope's fields leave out the related foreign key: still stitched, then removed.
		recs = w.find("Person", decodeJSON(t, `{"include":{"relation":"notes","scope":{"fields":["title"],"include":{"relation":"comments","scope":{"fields":["text"],"limit":1}}}},"where":{"name":"Ann"}}`))
		notes := recs[0]["notes"].([]schema.Record)
		if len(notes) != 2 || joined(keysOfRec(notes[0])) != "comments,title" {
			t.Fatalf("notes = %v", notes)
		}
		if c := notes[0]["comments"].([]schema.Record); len(c) != 1 || joined(keysOfRec(c[0])) != "text" || c[0]["text"] != "c1" {
			t.Errorf("comments = %v", c)
		}
		// Through relation with scope fields.
		recs = w.find("Note", decodeJSON(t, `{"include":{"relation":"tags","scope":{"fields":["name"]}},"where":{"title":"n1"}}`))
		if tags := recs[0]["tags"].([]schema.Record); len(tags) != 2 || joined(keysOfRec(tags[0])) != "name" {
			t.Errorf("tags = %v", tags)
		}
	})
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func TestIncludeQueryCount(t *testing.T) {
	eachDialect(t, func(e *testEnv) {
		t := e.t
		w := newRelWorld(e)
		note, person := w.m("Note"), w.m("Person")
		for i := 0; i < 50; i++ {
			owner := w.id([]string{"ann", "bob", "cid"}[i%3])
			rec := e.mustCreate(note, map[string]any{"title": "bulk", "ownerId": owner})
			e.mustCreate(w.m("Comment"), map[string]any{"text": "bulk", "noteId": rec["id"]})
			e.mustCreate(w.m("Tagging"), map[string]any{"noteId": rec["id"], "tagRef": w.id("go")})
		}
		tests := []struct {
			name   string
			model  *schema.Model
			filter string
			rows   int
			want   int64
		}{
			{"50 notes include owner", note, `{"where":{"title":"bulk"},"include":"owner"}`, 50, 2},
			{"include owner, comments, tags", note, `{"where":{"title":"bulk"},"include":["owner","comments","tags"]}`, 50, 4},
			{"per-parent limit", note, `{"where":{"title":"bulk"},"include":{"relation":"comments","scope":{"limit":1}}}`, 50, 2},
			{"nested: people, notes, comments, owner", person, `{"include":{"notes":{"comments":{"note":"owner"}}}}`, 3, 5},
		}
		for _, tt := range tests {
			var recs []schema.Record
			n := e.countQueries(func() {
				f, err := filter.Parse(decodeJSON(t, tt.filter), tt.model, w.reg)
				if err != nil {
					t.Fatal(err)
				}
				if recs, err = e.s.Find(e.ctx, tt.model, f); err != nil {
					t.Fatal(err)
				}
			})
			if len(recs) != tt.rows || n != tt.want {
				t.Errorf("%s: %d rows in %d queries, want %d rows in %d", tt.name, len(recs), n, tt.rows, tt.want)
			}
		}
	})
}

func TestIncludeChunksLargeBatches(t *testing.T) {
	e := openEnv(t, "sqlite:"+t.TempDir()+"/big.db")
	w := newRelWorld(e)
	note := w.m("Note")
	err := e.s.Transaction(e.ctx, func(ctx contextT) error {
		for i := 0; i < maxKeysPerQuery+5; i++ {
			if _, err := e.s.Create(ctx, note, map[string]any{"title": "many", "ownerId": w.id("bob")}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var recs []schema.Record
	n := e.countQueries(func() {
		recs = w.find("Note", decodeJSON(t, `{"where":{"title":"many"},"include":"comments"}`))
	})
	if len(recs) != maxKeysPerQuery+5 || n != 3 {
		t.Errorf("%d notes in %d queries, want %d in 3", len(recs), n, maxKeysPerQuery+5)
	}
	for _, r := range recs {
		if c, ok := r["comments"].([]schema.Record); !ok || len(c) != 0 {
			t.Fatalf("comments = %#v", r["comments"])
		}
	}
}

func TestIncludeErrors(t *testing.T) {
	e := openEnv(t, "sqlite:"+t.TempDir()+"/err.db")
	w := newRelWorld(e)
	note := w.m("Note")
	// An include built in Go naming an unknown relation is the client's error.
	_, err := e.s.Find(e.ctx, note, &filter.Filter{Include: []filter.Include{{Relation: "nope"}}})
	wantAPIError(t, err, 400, "", `Relation "nope" is not defined for Note model`)
	// Built in Go without targets, the store resolves them through its links.
	recs, err := e.s.Find(e.ctx, note, &filter.Filter{Where: &filter.Cmp{Property: "title", Op: filter.Eq, Value: "n1"},
		Include: []filter.Include{{Relation: "owner"}, {Relation: "tags"}}})
	if err != nil || render(recs, "title") != "n1{owner:Ann tags:[go sql]}" {
		t.Fatalf("go-built include: %v %s", err, render(recs, "title"))
	}
	// Without links and targets the store cannot know the related model: 500.
	e2 := openEnv(t, "sqlite:"+t.TempDir()+"/nolinks.db")
	e2.migrate(note)
	e2.mustCreate(note, map[string]any{"title": "x"})
	_, err = e2.s.Find(e2.ctx, note, &filter.Filter{Include: []filter.Include{{Relation: "owner"}}})
	if ae, _ := apierr.As(err); e2.s.links.Load() != nil || ae == nil || ae.StatusCode != 500 {
		t.Fatalf("want 500 without links, got %v", err)
	}
	// A polymorphic relation cannot be included.
	poly := &schema.Relation{Name: "attachment", Type: schema.BelongsTo, Polymorphic: &schema.Polymorphic{As: "attachment"}}
	_, err = e.s.Find(e.ctx, note, &filter.Filter{Include: []filter.Include{{Relation: "attachment", Rel: poly}}})
	wantAPIError(t, err, 400, "", `Relation "attachment" of Note is polymorphic, which include does not support`)
	// A relation with disableInclude is skipped.
	rel := note.Relation("comments")
	rel.DisableInclude = true
	defer func() { rel.DisableInclude = false }()
	recs, err = e.s.Find(e.ctx, note, &filter.Filter{Where: &filter.Cmp{Property: "title", Op: filter.Eq, Value: "n1"},
		Include: []filter.Include{{Relation: "comments"}}})
	if _, has := recs[0]["comments"]; err != nil || has {
		t.Errorf("disableInclude: %v %v", err, recs)
	}
}

func TestIncludeHooksFireOnRelatedModel(t *testing.T) {
	e := openEnv(t, "sqlite:"+t.TempDir()+"/hooks.db")
	w := newRelWorld(e)
	var accessed, loaded int
	e.s.Observe("Comment", HookAccess, func(_ contextT, hc *HookContext) error {
		accessed++
		// an access hook restricting the related model applies to includes
		hc.Query.Where = andCond(hc.Query.Where, &filter.Cmp{Property: "public", Op: filter.Eq, Value: true})
		return nil
	})
	e.s.Observe("Comment", HookLoaded, func(_ contextT, hc *HookContext) error {
		loaded++
		hc.Data["seen"] = true
		return nil
	})
	recs := w.find("Note", decodeJSON(t, `{"include":"comments","where":{"title":"n1"}}`))
	if got := render(recs, "title"); got != "n1{comments:[c1 c3]}" || accessed != 1 || loaded != 2 {
		t.Errorf("got %s, access %d, loaded %d", got, accessed, loaded)
	}
	if c := recs[0]["comments"].([]schema.Record); c[0]["seen"] != true {
		t.Errorf("loaded hook change lost: %v", c[0])
	}
}
