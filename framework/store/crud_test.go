package store

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/filter"
	"github.com/loopgo/loopgo/framework/schema"
)

func TestCreateReturnsStoredRecordWithGoTypes(t *testing.T) {
	eachDialect(t, func(e *testEnv) {
		m := noteModel()
		e.migrate(m)
		created := time.Date(2024, 3, 4, 5, 6, 7, 891234567, time.FixedZone("X", 3600))
		rec := e.mustCreate(m, map[string]any{
			"title": "a", "rating": 4.5, "published": true, "created": created,
			"tags": []any{"x", 2.0}, "meta": map[string]any{"k": "v", "n": 1.0},
		})
		want := schema.Record{
			"id": int64(1), "title": "a", "rating": 4.5, "published": true,
			"created": time.Date(2024, 3, 4, 4, 6, 7, 891000000, time.UTC),
			"tags":    []any{"x", 2.0}, "meta": map[string]any{"k": "v", "n": 1.0},
		}
		if !reflect.DeepEqual(rec, want) {
			t.Fatalf("created record\n got %#v\nwant %#v", rec, want)
		}
		second := e.mustCreate(m, map[string]any{"title": "b", "published": false})
		if _, has := second["rating"]; has || second["id"] != int64(2) || second["published"] != false {
			t.Fatalf("second record (unset properties are absent): %#v", second)
		}
		want["body"] = nil // a read has every column
		got, err := e.s.FindByID(e.ctx, m, "1", nil)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("FindByID(\"1\") = %#v, %v", got, err)
		}
	})
}

func TestCreateIDRules(t *testing.T) {
	eachDialect(t, func(e *testEnv) {
		forced := noteModel()
		free := noteModel()
		free.Name, free.ForceID = "Free", false
		e.migrate(forced, free)

		_, err := e.s.Create(e.ctx, forced, map[string]any{"id": 7.0, "title": "x"})
		verr := wantValidation(t, err, map[string][]string{"id": {"absence"}})
		if verr.Msgs["id"][0] != "can't be set" {
			t.Fatalf("message %q", verr.Msgs["id"][0])
		}
		if n, _ := e.s.Count(e.ctx, forced, nil); n != 0 {
			t.Fatalf("rejected create stored a row: %d", n)
		}
		// A null id is no id.
		if rec := e.mustCreate(forced, map[string]any{"id": nil, "title": "x"}); rec["id"] != int64(1) {
			t.Fatalf("id %v", rec["id"])
		}

		rec := e.mustCreate(free, map[string]any{"id": 10.0, "title": "ten"})
		if rec["id"] != int64(10) {
			t.Fatalf("explicit id: %#v", rec["id"])
		}
		_, err = e.s.Create(e.ctx, free, map[string]any{"id": 10.0, "title": "again"})
		wantAPIError(t, err, 409, "", "Duplicate entry for Free.id")
		// The next generated id does not collide with the chosen one.
		next := e.mustCreate(free, map[string]any{"title": "next"})
		if id, _ := next["id"].(int64); id <= 10 {
			t.Fatalf("generated id after explicit 10: %v", next["id"])
		}
	})
}

func TestCreateUniqueness(t *testing.T) {
	eachDialect(t, func(e *testEnv) {
		m := userModel()
		e.migrate(m)
		e.mustCreate(m, map[string]any{"email": "a@x.io", "username": "ann", "password": "h1"})

		_, err := e.s.Create(e.ctx, m, map[string]any{"email": "a@x.io", "username": "ann", "password": "h1"})
		verr := wantValidation(t, err, map[string][]string{
			"email": {"uniqueness"}, "username": {"uniqueness"}, "password": {"uniqueness"},
		})
		want := "The `Account` instance is not valid. Details: `email` Email already exists (value: \"a@x.io\"); " +
			"`username` is not unique (value: \"ann\"); `password` is not unique (value: undefined)."
		if verr.Error() != want {
			t.Fatalf("message\n got %s\nwant %s", verr.Error(), want)
		}
		// Case-sensitive, like LoopBack's default.
		e.mustCreate(m, map[string]any{"email": "A@x.io", "username": "Ann", "password": "h2"})
		// Blank values are not checked: many records may lack a username.
		e.mustCreate(m, map[string]any{"email": "b@x.io", "password": "h3"})
		e.mustCreate(m, map[string]any{"email": "c@x.io", "username": nil, "password": "h4"})
	})
}

func TestUniqueIndexViolationIsAValidationError(t *testing.T) {
	eachDialect(t, func(e *testEnv) {
		m := userModel()
		e.migrate(m)
		e.mustCreate(m, map[string]any{"email": "a@x.io", "username": "ann"})
		// A concurrent writer that passed the check: the index catches it, the client sees 422.
		err := e.s.Transaction(e.ctx, func(ctx contextT) error {
			_, err := e.s.insert(ctx, m, schema.Record{"email": "b@x.io", "username": "ann"})
			return err
		})
		verr := wantValidation(t, err, map[string][]string{"username": {"uniqueness"}})
		if verr.Msgs["username"][0] != "is not unique" {
			t.Fatalf("message %q", verr.Msgs["username"][0])
		}
		err = e.s.Transaction(e.ctx, func(ctx contextT) error {
			_, err := e.s.insert(ctx, m, schema.Record{"email": "a@x.io"})
			return err
		})
		wantValidation(t, err, map[string][]string{"email": {"uniqueness"}})
		err = e.s.Transaction(e.ctx, func(ctx contextT) error {
			_, err := e.s.insert(ctx, m, schema.Record{"id": int64(1), "email": "z@x.io"})
			return err
		})
		wantAPIError(t, err, 409, "", "Duplicate entry for Account.id")
	})
}

func TestReadMethods(t *testing.T) {
	eachDialect(t, func(e *testEnv) {
		m := noteModel()
		e.migrate(m)
		for _, ti := range []string{"a", "b", "c"} {
			e.mustCreate(m, map[string]any{"title": ti})
		}
		tests := []struct {
			name string
			run  func() (any, error)
			want any
		}{
			{"find all", func() (any, error) { r, err := e.s.Find(e.ctx, m, nil); return joined(titles(r)), err }, "a,b,c"},
			{"findOne none", func() (any, error) {
				r, err := e.s.FindOne(e.ctx, m, &filter.Filter{Where: &filter.Cmp{Property: "title", Op: filter.Eq, Value: "zz"}})
				return r == nil, err
			}, true},
			{"findOne first by order", func() (any, error) {
				r, err := e.s.FindOne(e.ctx, m, &filter.Filter{Order: []filter.Order{{Property: "title", Desc: true}}})
				return r["title"], err
			}, "c"},
			{"findById missing", func() (any, error) { r, err := e.s.FindByID(e.ctx, m, 99, nil); return r == nil, err }, true},
			{"findById bad id", func() (any, error) { r, err := e.s.FindByID(e.ctx, m, "abc", nil); return r == nil, err }, true},
			{"findById fields", func() (any, error) {
				r, err := e.s.FindByID(e.ctx, m, int64(2), &filter.Filter{Fields: &filter.Fields{Include: []string{"title"}}})
				return r, err
			}, schema.Record{"title": "b"}},
			{"findById with where", func() (any, error) {
				r, err := e.s.FindByID(e.ctx, m, 2, &filter.Filter{Where: &filter.Cmp{Property: "title", Op: filter.Eq, Value: "a"}})
				return r == nil, err
			}, true},
			{"exists", func() (any, error) { return e.s.Exists(e.ctx, m, 3.0) }, true},
			{"exists missing", func() (any, error) { return e.s.Exists(e.ctx, m, 4) }, false},
			{"exists bad id", func() (any, error) { return e.s.Exists(e.ctx, m, "x") }, false},
			{"count all", func() (any, error) { return e.s.Count(e.ctx, m, nil) }, int64(3)},
			{"count where", func() (any, error) {
				return e.s.Count(e.ctx, m, &filter.Cmp{Property: "title", Op: filter.Gt, Value: "a"})
			}, int64(2)},
		}
		for _, tc := range tests {
			got, err := tc.run()
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("%s: got %#v, %v; want %#v", tc.name, got, err, tc.want)
			}
		}
	})
}

func TestPatchByID(t *testing.T) {
	eachDialect(t, func(e *testEnv) {
		m := noteModel()
		u := userModel()
		e.migrate(m, u)
		e.mustCreate(m, map[string]any{"title": "a", "body": "keep", "rating": 1.0})

		rec, err := e.s.PatchByID(e.ctx, m, "1", map[string]any{"title": "A", "rating": nil})
		if err != nil {
			t.Fatal(err)
		}
		if rec["title"] != "A" || rec["body"] != "keep" || rec["rating"] != nil || rec["id"] != int64(1) {
			t.Fatalf("patched: %#v", rec)
		}
		// The same id in the body is fine, a different one is not.
		if _, err := e.s.PatchByID(e.ctx, m, 1, map[string]any{"id": 1.0, "body": "b"}); err != nil {
			t.Fatal(err)
		}
		_, err = e.s.PatchByID(e.ctx, m, 1, map[string]any{"id": 2.0})
		wantAPIError(t, err, 400, "", "id cannot be updated from 1 to 2 when forceId is set to true")
		_, err = e.s.PatchByID(e.ctx, m, 42, map[string]any{"title": "x"})
		wantAPIError(t, err, 404, "MODEL_NOT_FOUND", "could not find a model with id 42")
		_, err = e.s.PatchByID(e.ctx, m, "nope", map[string]any{"title": "x"})
		wantAPIError(t, err, 404, "MODEL_NOT_FOUND", "could not find a model with id nope")

		e.mustCreate(u, map[string]any{"email": "a@x.io", "username": "ann"})
		e.mustCreate(u, map[string]any{"email": "b@x.io", "username": "bob"})
		// Keeping one's own unique value is not a conflict; taking another's is.
		if _, err := e.s.PatchByID(e.ctx, u, 1, map[string]any{"email": "a@x.io", "username": "ann"}); err != nil {
			t.Fatal(err)
		}
		_, err = e.s.PatchByID(e.ctx, u, 1, map[string]any{"username": "bob"})
		wantValidation(t, err, map[string][]string{"username": {"uniqueness"}})
	})
}

func TestReplaceByID(t *testing.T) {
	eachDialect(t, func(e *testEnv) {
		m := noteModel()
		e.migrate(m)
		e.mustCreate(m, map[string]any{"title": "a", "body": "gone", "rating": 1.0})
		rec, err := e.s.ReplaceByID(e.ctx, m, 1, map[string]any{"title": "b"})
		if err != nil {
			t.Fatal(err)
		}
		if rec["title"] != "b" || rec["body"] != nil || rec["rating"] != nil || rec["id"] != int64(1) {
			t.Fatalf("replaced: %#v", rec)
		}
		_, err = e.s.ReplaceByID(e.ctx, m, 1, map[string]any{"id": 2.0, "title": "c"})
		wantAPIError(t, err, 400, "", "id property (id) cannot be updated from 1 to 2")
		_, err = e.s.ReplaceByID(e.ctx, m, 9, map[string]any{"title": "c"})
		wantAPIError(t, err, 404, "MODEL_NOT_FOUND", "Could not replace. Object with id 9 does not exist!")
	})
}

func TestPatchOrCreateAndReplaceOrCreate(t *testing.T) {
	eachDialect(t, func(e *testEnv) {
		forced := noteModel()
		free := noteModel()
		free.Name, free.ForceID = "Free", false
		e.migrate(forced, free)
		e.mustCreate(forced, map[string]any{"title": "a", "body": "b"})

		tests := []struct {
			name    string
			run     func() (schema.Record, error)
			status  int
			msg     string
			title   string
			id      int64
			bodyNil bool
		}{
			{name: "patch: no id creates", run: func() (schema.Record, error) {
				return e.s.PatchOrCreate(e.ctx, forced, map[string]any{"title": "new"})
			}, title: "new", id: 2, bodyNil: true},
			{name: "patch: existing id patches", run: func() (schema.Record, error) {
				return e.s.PatchOrCreate(e.ctx, forced, map[string]any{"id": 1.0, "title": "A"})
			}, title: "A", id: 1},
			{name: "patch: forceId unknown id", run: func() (schema.Record, error) {
				return e.s.PatchOrCreate(e.ctx, forced, map[string]any{"id": 50.0, "title": "x"})
			}, status: 404, msg: "Could not update attributes. Object with id 50 does not exist!"},
			{name: "patch: unknown id creates it", run: func() (schema.Record, error) {
				return e.s.PatchOrCreate(e.ctx, free, map[string]any{"id": 50.0, "title": "fifty"})
			}, title: "fifty", id: 50, bodyNil: true},
			{name: "replace: existing id replaces", run: func() (schema.Record, error) {
				return e.s.ReplaceOrCreate(e.ctx, forced, map[string]any{"id": 1.0, "title": "R"})
			}, title: "R", id: 1, bodyNil: true},
			{name: "replace: no id creates", run: func() (schema.Record, error) {
				return e.s.ReplaceOrCreate(e.ctx, forced, map[string]any{"title": "new2"})
			}, title: "new2", id: 3, bodyNil: true},
			{name: "replace: forceId unknown id", run: func() (schema.Record, error) {
				return e.s.ReplaceOrCreate(e.ctx, forced, map[string]any{"id": 60.0, "title": "x"})
			}, status: 404, msg: "Could not replace. Object with id 60 does not exist!"},
			{name: "replace: unknown id creates it", run: func() (schema.Record, error) {
				return e.s.ReplaceOrCreate(e.ctx, free, map[string]any{"id": 60.0, "title": "sixty"})
			}, title: "sixty", id: 60, bodyNil: true},
		}
		for _, tc := range tests {
			rec, err := tc.run()
			if tc.status != 0 {
				wantAPIError(t, err, tc.status, "MODEL_NOT_FOUND", tc.msg)
				continue
			}
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if rec["title"] != tc.title || rec["id"] != tc.id || (rec["body"] == nil) != tc.bodyNil {
				t.Fatalf("%s: %#v", tc.name, rec)
			}
		}
	})
}

func TestUpsertWithWhere(t *testing.T) {
	eachDialect(t, func(e *testEnv) {
		m := noteModel()
		e.migrate(m)
		e.mustCreate(m, map[string]any{"title": "a", "body": "x"})
		e.mustCreate(m, map[string]any{"title": "b", "body": "x"})
		byTitle := func(v string) filter.Cond { return &filter.Cmp{Property: "title", Op: filter.Eq, Value: v} }

		_, err := e.s.UpsertWithWhere(e.ctx, m, byTitle("a"), map[string]any{})
		wantAPIError(t, err, 400, "", "data object cannot be empty!")
		_, err = e.s.UpsertWithWhere(e.ctx, m, &filter.Cmp{Property: "body", Op: filter.Eq, Value: "x"}, map[string]any{"rating": 1.0})
		wantAPIError(t, err, 400, "", "There are multiple instances found.Upsert Operation will not be performed!")

		rec, err := e.s.UpsertWithWhere(e.ctx, m, byTitle("a"), map[string]any{"rating": 2.0})
		if err != nil || rec["id"] != int64(1) || rec["rating"] != 2.0 || rec["body"] != "x" {
			t.Fatalf("patch path: %#v, %v", rec, err)
		}
		rec, err = e.s.UpsertWithWhere(e.ctx, m, byTitle("zz"), map[string]any{"title": "zz"})
		if err != nil || rec["id"] != int64(3) || rec["title"] != "zz" {
			t.Fatalf("create path: %#v, %v", rec, err)
		}
	})
}

func TestUpdateAll(t *testing.T) {
	eachDialect(t, func(e *testEnv) {
		m := noteModel()
		e.migrate(m)
		for _, ti := range []string{"a", "b", "c"} {
			e.mustCreate(m, map[string]any{"title": ti, "rating": 1.0})
		}
		gtA := &filter.Cmp{Property: "title", Op: filter.Gt, Value: "a"}
		n, err := e.s.UpdateAll(e.ctx, m, gtA, map[string]any{"rating": 5.0})
		if err != nil || n != 2 {
			t.Fatalf("updateAll = %d, %v", n, err)
		}
		// Setting the value a row already has still counts it (matched rows, as LoopBack).
		n, err = e.s.UpdateAll(e.ctx, m, gtA, map[string]any{"rating": 5.0})
		if err != nil || n != 2 {
			t.Fatalf("updateAll again = %d, %v", n, err)
		}
		recs, _ := e.s.Find(e.ctx, m, nil)
		if recs[0]["rating"] != 1.0 || recs[1]["rating"] != 5.0 || recs[2]["rating"] != 5.0 {
			t.Fatalf("after updateAll: %v", recs)
		}
		n, err = e.s.UpdateAll(e.ctx, m, nil, map[string]any{})
		if err != nil || n != 3 {
			t.Fatalf("empty data = %d, %v", n, err)
		}
		_, err = e.s.UpdateAll(e.ctx, m, nil, map[string]any{"id": 3.0})
		wantAPIError(t, err, 400, "", "id cannot be updated")
	})
}

func TestDelete(t *testing.T) {
	eachDialect(t, func(e *testEnv) {
		m := noteModel()
		e.migrate(m)
		for _, ti := range []string{"a", "b", "c", "d"} {
			e.mustCreate(m, map[string]any{"title": ti})
		}
		tests := []struct {
			name string
			run  func() (int64, error)
			want int64
		}{
			{"by id", func() (int64, error) { return e.s.DeleteByID(e.ctx, m, "1") }, 1},
			{"by id again", func() (int64, error) { return e.s.DeleteByID(e.ctx, m, 1) }, 0},
			{"by bad id", func() (int64, error) { return e.s.DeleteByID(e.ctx, m, "x") }, 0},
			{"where", func() (int64, error) {
				return e.s.DeleteAll(e.ctx, m, &filter.Cmp{Property: "title", Op: filter.Inq, Values: []any{"b", "c"}})
			}, 2},
			{"all", func() (int64, error) { return e.s.DeleteAll(e.ctx, m, nil) }, 1},
		}
		for _, tc := range tests {
			if n, err := tc.run(); err != nil || n != tc.want {
				t.Fatalf("%s: %d, %v; want %d", tc.name, n, err, tc.want)
			}
		}
	})
}

func TestNonStrictModelKeepsUndeclaredProperties(t *testing.T) {
	eachDialect(t, func(e *testEnv) {
		m := noteModel()
		m.Strict = schema.StrictFalse
		e.migrate(m)
		rec := e.mustCreate(m, map[string]any{"title": "a", "color": "red", "size": 3.0})
		if rec["color"] != "red" || rec["size"] != 3.0 {
			t.Fatalf("created: %#v", rec)
		}
		e.mustCreate(m, map[string]any{"title": "b", "color": "blue"})
		rec, err := e.s.PatchByID(e.ctx, m, 1, map[string]any{"size": 4.0, "shape": "round"})
		if err != nil || rec["color"] != "red" || rec["size"] != 4.0 || rec["shape"] != "round" {
			t.Fatalf("patched: %#v, %v", rec, err)
		}
		n, err := e.s.UpdateAll(e.ctx, m, nil, map[string]any{"flag": true})
		if err != nil || n != 2 {
			t.Fatalf("updateAll: %d, %v", n, err)
		}
		recs, err := e.s.Find(e.ctx, m, &filter.Filter{Where: &filter.Cmp{Property: "color", Op: filter.Eq, Value: "blue"}})
		if err != nil || joined(titles(recs)) != "b" || recs[0]["flag"] != true {
			t.Fatalf("filter on undeclared: %v, %v", recs, err)
		}
		recs, err = e.s.Find(e.ctx, m, &filter.Filter{Fields: &filter.Fields{Include: []string{"title", "color"}}})
		if err != nil || !reflect.DeepEqual(recs[0], schema.Record{"title": "a", "color": "red"}) {
			t.Fatalf("fields with undeclared: %v, %v", recs, err)
		}
		rec, err = e.s.ReplaceByID(e.ctx, m, 1, map[string]any{"title": "a2"})
		if err != nil || rec["color"] != nil || rec["title"] != "a2" {
			t.Fatalf("replace drops undeclared: %#v, %v", rec, err)
		}
	})
}

func TestStringIDModel(t *testing.T) {
	eachDialect(t, func(e *testEnv) {
		m := &schema.Model{
			Name: "Tag", Persisted: true, Strict: schema.StrictTrue, Table: uniqueTable("tags"),
			Properties: []*schema.Property{
				{Name: "code", Type: schema.String, ID: true},
				{Name: "label", Type: schema.String},
			},
		}
		e.migrate(m)
		rec := e.mustCreate(m, map[string]any{"code": "go", "label": "Go"})
		if rec["code"] != "go" {
			t.Fatalf("created %#v", rec)
		}
		_, err := e.s.Create(e.ctx, m, map[string]any{"label": "no id"})
		wantValidation(t, err, map[string][]string{"code": {"presence"}})
		_, err = e.s.Create(e.ctx, m, map[string]any{"code": "go"})
		wantAPIError(t, err, 409, "", "Duplicate entry for Tag.code")
		got, err := e.s.FindByID(e.ctx, m, "go", nil)
		if err != nil || got["label"] != "Go" {
			t.Fatalf("findById: %#v, %v", got, err)
		}
		if n, err := e.s.DeleteByID(e.ctx, m, "go"); err != nil || n != 1 {
			t.Fatalf("delete: %d, %v", n, err)
		}
	})
}

func TestModelErrorsAreInternal(t *testing.T) {
	e := openEnv(t, "sqlite::memory:")
	notPersisted := &schema.Model{Name: "Plain", Properties: []*schema.Property{{Name: "id", ID: true, Type: schema.Number}}}
	noID := &schema.Model{Name: "NoID", Persisted: true}
	badTable := &schema.Model{Name: "Bad", Persisted: true, Table: "a.b", Properties: []*schema.Property{{Name: "id", ID: true, Type: schema.Number}}}
	for _, m := range []*schema.Model{nil, notPersisted, noID, badTable} {
		_, err := e.s.Create(e.ctx, m, map[string]any{})
		ae := apierr.From(err)
		if ae.StatusCode != 500 || ae.Message != "Internal Server Error" {
			t.Fatalf("model %v: %v", m, err)
		}
	}
	if err := e.s.Migrate(e.ctx, []*schema.Model{badTable}); err == nil || !strings.Contains(err.Error(), `invalid table name "a.b"`) {
		t.Fatalf("migrate bad table: %v", err)
	}
}
