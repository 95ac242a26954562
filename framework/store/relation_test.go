package store

import (
	"testing"

	"github.com/loopgo/loopgo/framework/filter"
	"github.com/loopgo/loopgo/framework/schema"
)

// rel resolves a relation of the world.
func (w *relWorld) rel(model, name string) *Relation {
	w.e.t.Helper()
	r, err := ResolveRelation(w.e.s, w.m(model), name, w.reg, nil)
	if err != nil {
		w.e.t.Fatal(err)
	}
	return r
}

// labels renders the label property of records.
func labels(recs []schema.Record) string { return render(recs, labelOf(firstOf(recs))) }

func firstOf(recs []schema.Record) schema.Record {
	if len(recs) == 0 {
		return nil
	}
	return recs[0]
}

func TestRelationReads(t *testing.T) {
	eachDialect(t, func(e *testEnv) {
		t := e.t
		w := newRelWorld(e)
		ctx := e.ctx
		where := func(model, s string) filter.Cond {
			c, err := filter.ParseWhereIn(decodeJSON(t, s), w.m(model), w.reg)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		// belongsTo and hasOne get
		rec, err := w.rel("Note", "owner").Get(ctx, w.id("n3"), nil)
		if err != nil || rec["name"] != "Bob" {
			t.Errorf("n3 owner = %v, %v", rec, err)
		}
		if rec, err = w.rel("Note", "owner").Get(ctx, w.id("n4"), nil); err != nil || rec != nil {
			t.Errorf("n4 owner = %v, %v", rec, err)
		}
		if rec, err = w.rel("Person", "profile").Get(ctx, w.id("ann"), nil); err != nil || rec["bio"] != "Ann's bio" {
			t.Errorf("ann profile = %v, %v", rec, err)
		}
		if rec, err = w.rel("Person", "profile").Get(ctx, w.id("bob"), nil); err != nil || rec != nil {
			t.Errorf("bob profile = %v, %v", rec, err)
		}
		// hasMany find, with filter and include; through; HABTM; definition scope
		finds := []struct {
			model, rel, parent, filter, want string
		}{
			{"Person", "notes", "ann", `{}`, "n1 n2"},
			{"Person", "notes", "ann", `{"where":{"rating":{"gt":1}},"include":"comments"}`, "n2{comments:[c4]}"},
			{"Person", "notes", "cid", `{}`, ""},
			{"Note", "comments", "n1", `{"order":"text DESC","limit":2}`, "c3 c2"},
			{"Note", "publicComments", "n1", `{}`, "c3 c1"},
			{"Note", "tags", "n1", `{"order":"name DESC"}`, "sql go"},
			{"Note", "tags", "n1", `{"where":{"name":"go"}}`, "go"},
			{"Note", "labels", "n2", `{}`, "urgent later"},
			{"Note", "labels", "n3", `{}`, ""},
		}
		for _, tt := range finds {
			f, err := filter.Parse(decodeJSON(t, tt.filter), w.m(w.rel(tt.model, tt.rel).To.Name), w.reg)
			if err != nil {
				t.Fatal(err)
			}
			recs, err := w.rel(tt.model, tt.rel).Find(ctx, w.id(tt.parent), f)
			if got := labels(recs); err != nil || got != tt.want {
				t.Errorf("%s %s.%s %s = %q, %v; want %q", tt.parent, tt.model, tt.rel, tt.filter, got, err, tt.want)
			}
		}
		// count
		counts := []struct {
			model, rel, parent, where string
			want                      int64
		}{
			{"Person", "notes", "ann", `{}`, 2},
			{"Person", "notes", "ann", `{"title":"n2"}`, 1},
			{"Note", "tags", "n1", `{}`, 2},
			{"Note", "tags", "n1", `{"name":"web"}`, 0},
			{"Note", "publicComments", "n1", `{}`, 2},
			{"Note", "labels", "n2", `{}`, 2},
		}
		for _, tt := range counts {
			n, err := w.rel(tt.model, tt.rel).Count(ctx, w.id(tt.parent), where(w.rel(tt.model, tt.rel).To.Name, tt.where))
			if err != nil || n != tt.want {
				t.Errorf("count %s %s.%s %s = %d, %v; want %d", tt.parent, tt.model, tt.rel, tt.where, n, err, tt.want)
			}
		}
		// findById: related, unrelated, unknown
		byID := []struct {
			model, rel, parent, child string
			found                     bool
		}{
			{"Person", "notes", "ann", "n2", true},
			{"Person", "notes", "ann", "n3", false},
			{"Note", "tags", "n1", "sql", true},
			{"Note", "tags", "n2", "sql", false},
			{"Note", "publicComments", "n1", "c2", false},
			{"Note", "labels", "n2", "later", true},
		}
		for _, tt := range byID {
			rec, err := w.rel(tt.model, tt.rel).FindByID(ctx, w.id(tt.parent), w.id(tt.child), nil)
			if err != nil || (rec != nil) != tt.found {
				t.Errorf("findById %s %s.%s %s = %v, %v", tt.parent, tt.model, tt.rel, tt.child, rec, err)
			}
		}
		if rec, err := w.rel("Person", "notes").FindByID(ctx, w.id("ann"), "abc", nil); err != nil || rec != nil {
			t.Errorf("findById abc = %v, %v", rec, err)
		}
		// link exists
		for _, tt := range []struct {
			parent, tag string
			want        bool
		}{{"n1", "go", true}, {"n1", "web", false}, {"n4", "go", false}} {
			ok, err := w.rel("Note", "tags").Exists(ctx, w.id(tt.parent), w.id(tt.tag))
			if err != nil || ok != tt.want {
				t.Errorf("exists %s %s = %v, %v", tt.parent, tt.tag, ok, err)
			}
		}
	})
}

func TestRelationWrites(t *testing.T) {
	eachDialect(t, func(e *testEnv) {
		t := e.t
		w := newRelWorld(e)
		ctx := e.ctx
		notes, tags, profile := w.rel("Person", "notes"), w.rel("Note", "tags"), w.rel("Person", "profile")
		count := func(model string, where string) int64 {
			t.Helper()
			c, err := filter.ParseWhereIn(decodeJSON(t, where), w.m(model), w.reg)
			if err != nil {
				t.Fatal(err)
			}
			n, err := e.s.Count(ctx, w.m(model), c)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		// hasMany create sets the foreign key, overriding a client value
		rec, err := notes.Create(ctx, w.id("cid"), map[string]any{"title": "cid's", "ownerId": w.id("ann")})
		if err != nil || fmtKey(rec["ownerId"]) != fmtKey(w.id("cid")) {
			t.Fatalf("create note = %v, %v", rec, err)
		}
		// hasOne create, then a second one is refused
		if _, err := profile.Create(ctx, w.id("bob"), map[string]any{"bio": "Bob"}); err != nil {
			t.Fatal(err)
		}
		_, err = profile.Create(ctx, w.id("bob"), map[string]any{"bio": "again"})
		wantAPIError(t, err, 409, "", "HasOne relation cannot create more than one instance of Profile")
		// hasOne update and destroy
		if rec, err := profile.Update(ctx, w.id("bob"), map[string]any{"bio": "Bob 2"}); err != nil || rec["bio"] != "Bob 2" {
			t.Errorf("update profile = %v, %v", rec, err)
		}
		if rec, err := profile.Update(ctx, w.id("cid"), map[string]any{"bio": "x"}); err != nil || rec != nil {
			t.Errorf("update missing profile = %v, %v", rec, err)
		}
		_, err = profile.Update(ctx, w.id("bob"), map[string]any{"personId": w.id("ann")})
		wantAPIError(t, err, 400, "", "Cannot override foreign key personId from "+fmtKey(w.id("bob"))+" to "+fmtKey(w.id("ann")))
		if n, err := profile.Destroy(ctx, w.id("bob")); err != nil || n != 1 || count("Profile", `{"bio":"Bob 2"}`) != 0 {
			t.Errorf("destroy profile = %d, %v", n, err)
		}
		// hasMany updateById: related, unrelated, moving away
		if rec, err := notes.UpdateByID(ctx, w.id("ann"), w.id("n1"), map[string]any{"rating": 7.0}); err != nil || rec["rating"] != 7.0 {
			t.Errorf("updateById = %v, %v", rec, err)
		}
		if rec, err := notes.UpdateByID(ctx, w.id("ann"), w.id("n3"), map[string]any{"rating": 7.0}); err != nil || rec != nil {
			t.Errorf("updateById unrelated = %v, %v", rec, err)
		}
		_, err = notes.UpdateByID(ctx, w.id("ann"), w.id("n1"), map[string]any{"ownerId": w.id("bob")})
		wantAPIError(t, err, 400, "", "Cannot override foreign key ownerId from "+fmtKey(w.id("ann"))+" to "+fmtKey(w.id("bob")))
		// hasMany destroyById: unrelated is left alone
		if ok, err := notes.DestroyByID(ctx, w.id("ann"), w.id("n3")); err != nil || ok || count("Note", `{"title":"n3"}`) != 1 {
			t.Errorf("destroyById unrelated = %v, %v", ok, err)
		}
		if ok, err := notes.DestroyByID(ctx, w.id("ann"), w.id("n2")); err != nil || !ok || count("Note", `{"title":"n2"}`) != 0 {
			t.Errorf("destroyById = %v, %v", ok, err)
		}
		// through create: target and join record
		rec, err = tags.Create(ctx, w.id("n4"), map[string]any{"name": "new"})
		if err != nil || count("Tagging", `{"noteId":`+fmtKey(w.id("n4"))+`,"tagRef":`+fmtKey(rec["id"])+`}`) != 1 {
			t.Fatalf("create tag = %v, %v", rec, err)
		}
		// a failed create leaves nothing behind (transaction)
		_, err = tags.Create(ctx, w.id("n4"), map[string]any{"name": "bad", "id": 99})
		if err == nil || count("Tag", `{"name":"bad"}`) != 0 {
			t.Errorf("create with client id: %v", err)
		}
		// link: unknown target, new link with data, existing link returned as is
		_, err = tags.Link(ctx, w.id("n4"), 12345, nil)
		wantAPIError(t, err, 404, "MODEL_NOT_FOUND", `Unknown "Tag" id "12345".`)
		link, err := tags.Link(ctx, w.id("n4"), w.id("web"), map[string]any{"weight": 5.0})
		if err != nil || link["weight"] != 5.0 || fmtKey(link["tagRef"]) != fmtKey(w.id("web")) {
			t.Fatalf("link = %v, %v", link, err)
		}
		again, err := tags.Link(ctx, w.id("n4"), w.id("web"), map[string]any{"weight": 6.0})
		if err != nil || fmtKey(again["id"]) != fmtKey(link["id"]) || again["weight"] != 5.0 {
			t.Errorf("link again = %v, %v", again, err)
		}
		if ok, _ := tags.Exists(ctx, w.id("n4"), w.id("web")); !ok {
			t.Error("link does not exist")
		}
		// unlink
		if n, err := tags.Unlink(ctx, w.id("n4"), w.id("web")); err != nil || n != 1 {
			t.Errorf("unlink = %d, %v", n, err)
		}
		if n, err := tags.Unlink(ctx, w.id("n4"), w.id("web")); err != nil || n != 0 {
			t.Errorf("unlink again = %d, %v", n, err)
		}
		if count("Tag", `{"name":"web"}`) != 1 {
			t.Error("unlink deleted the tag")
		}
		// through destroyById deletes the target and its links
		if ok, err := tags.DestroyByID(ctx, w.id("n1"), w.id("sql")); err != nil || !ok {
			t.Errorf("destroy tag = %v, %v", ok, err)
		}
		if count("Tag", `{"name":"sql"}`) != 0 || count("Tagging", `{"tagRef":`+fmtKey(w.id("sql"))+`}`) != 0 {
			t.Error("tag or its links left")
		}
		if ok, err := tags.DestroyByID(ctx, w.id("n3"), w.id("go")); err != nil || ok || count("Tag", `{"name":"go"}`) != 1 {
			t.Errorf("destroy unrelated tag = %v, %v", ok, err)
		}
		// deleteAll: hasMany with where; through
		if n, err := w.rel("Note", "comments").DeleteAll(ctx, w.id("n1"), &filter.Cmp{Property: "public", Op: filter.Eq, Value: true}); err != nil || n != 2 {
			t.Errorf("delete comments = %d, %v", n, err)
		}
		if count("Comment", `{"noteId":`+fmtKey(w.id("n1"))+`}`) != 1 || count("Comment", `{}`) != 3 {
			t.Error("wrong comments deleted")
		}
		if n, err := w.rel("Note", "labels").DeleteAll(ctx, w.id("n2"), nil); err != nil || n != 2 {
			t.Errorf("delete labels = %d, %v", n, err)
		}
		if count("Label", `{}`) != 0 || count("NoteLabel", `{}`) != 0 {
			t.Error("labels or links left")
		}
	})
}

func TestRelationWrongOperations(t *testing.T) {
	e := openEnv(t, "sqlite:"+t.TempDir()+"/ops.db")
	w := newRelWorld(e)
	owner := w.rel("Note", "owner")
	if _, err := owner.Create(e.ctx, w.id("n1"), nil); err == nil {
		t.Error("belongsTo create accepted")
	}
	if _, err := w.rel("Person", "notes").Link(e.ctx, w.id("ann"), w.id("n1"), nil); err == nil {
		t.Error("hasMany link accepted")
	}
	if _, err := w.rel("Person", "notes").Get(e.ctx, w.id("ann"), nil); err == nil {
		t.Error("hasMany get accepted")
	}
	if _, err := ResolveRelation(e.s, w.m("Note"), "nope", w.reg, nil); err == nil {
		t.Error("unknown relation resolved")
	}
	if !owner.Single() || owner.IsThrough() || !w.rel("Note", "labels").IsThrough() {
		t.Error("kind reporting")
	}
}

func TestRelationAcrossStores(t *testing.T) {
	e := openEnv(t, "sqlite:"+t.TempDir()+"/a.db")
	w := newRelWorld(e)
	// Tags and their join model live in another datasource.
	other := openEnv(t, "sqlite:"+t.TempDir()+"/b.db")
	other.migrate(w.m("Tag"), w.m("Tagging"))
	storeOf := func(model string) *Store {
		if model == "Tag" || model == "Tagging" {
			return other.s
		}
		return nil
	}
	e.s.SetLinks(Links{Models: w.reg, StoreOf: storeOf})
	tags, err := ResolveRelation(e.s, w.m("Note"), "tags", w.reg, storeOf)
	if err != nil {
		t.Fatal(err)
	}
	tag, err := tags.Create(e.ctx, w.id("n4"), map[string]any{"name": "remote"})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := tags.Find(e.ctx, w.id("n4"), nil)
	if err != nil || labels(recs) != "remote" {
		t.Fatalf("find = %s, %v", labels(recs), err)
	}
	// includes read the other store (one query for the join)
	got := render(w.find("Note", decodeJSON(t, `{"where":{"title":"n4"},"include":"tags"}`)), "title")
	if got != "n4{tags:[remote]}" {
		t.Errorf("include across stores = %s", got)
	}
	if ok, err := tags.DestroyByID(e.ctx, w.id("n4"), tag["id"]); err != nil || !ok {
		t.Errorf("destroy = %v, %v", ok, err)
	}
}
