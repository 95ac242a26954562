package store

import (
	"testing"

	"github.com/loopgo/loopgo/framework/filter"
)

func TestWhereOnRelatedModels(t *testing.T) {
	eachDialect(t, func(e *testEnv) {
		t := e.t
		w := newRelWorld(e)
		tests := []struct {
			name, model, where, want string
		}{
			{"belongsTo dot path", "Note", `{"owner.email":"ann@example.com"}`, "n1 n2"},
			{"belongsTo object form with operator", "Note", `{"owner":{"name":{"like":"B%"}}}`, "n3"},
			{"belongsTo operator inq", "Note", `{"owner.name":{"inq":["Bob","Cid"]}}`, "n3"},
			{"neq needs a related record", "Note", `{"owner.name":{"neq":"Ann"}}`, "n3"},
			{"self relation", "Person", `{"mentor.name":"Ann"}`, "Bob"},
			{"hasOne", "Person", `{"profile.bio":{"like":"%bio"}}`, "Ann"},
			{"hasMany: any related matches", "Person", `{"notes.rating":{"gte":2}}`, "Ann Bob"},
			{"hasMany object form, several conditions on one record", "Person", `{"notes":{"rating":{"gte":2},"title":"n3"}}`, "Bob"},
			{"hasMany with a definition scope", "Note", `{"publicComments.text":{"inq":["c2","c4"]}}`, "n2"},
			{"hasMany without scope", "Note", `{"comments.text":{"inq":["c2","c4"]}}`, "n1 n2"},
			{"through with keyThrough", "Note", `{"tags.name":"go"}`, "n1 n2"},
			{"hasAndBelongsToMany", "Note", `{"labels.name":"later"}`, "n2"},
			{"nested belongsTo", "Note", `{"owner.team.name":"Blue"}`, "n3"},
			{"nested object forms", "Note", `{"owner":{"team":{"name":{"neq":"Blue"}}}}`, "n1 n2"},
			{"nested hasMany to through", "Team", `{"members.notes.tags.name":"web"}`, "Blue"},
			{"or across relations", "Note", `{"or":[{"owner.name":"Bob"},{"tags.name":"sql"}]}`, "n1 n3"},
			{"and with a top-level condition", "Note", `{"rating":{"gt":1},"owner.name":"Ann"}`, "n2"},
			{"and inside the related object", "Person", `{"notes":{"and":[{"rating":{"lt":3}},{"title":{"neq":"n1"}}]}}`, "Ann"},
			{"hidden property dropped (whole condition)", "Note", `{"owner.password":"pw-ann"}`, "n1 n2 n3 n4"},
			{"hidden property dropped, others kept", "Note", `{"owner":{"password":"nope","name":"Bob"}}`, "n3"},
			{"hidden nested dropped", "Team", `{"members.password":{"like":"pw%"}}`, "Red Blue"},
			{"regexp on a related property", "Note", `{"owner.email":{"regexp":"^bob"}}`, "n3"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				recs := w.find(tt.model, decodeJSON(t, `{"where":`+tt.where+`}`))
				if got := render(recs, labelFor(tt.model)); got != tt.want {
					t.Errorf("got %q, want %q", got, tt.want)
				}
				c, err := filter.ParseWhereIn(decodeJSON(t, tt.where), w.m(tt.model), w.reg)
				if err != nil {
					t.Fatal(err)
				}
				n, err := e.s.Count(e.ctx, w.m(tt.model), c)
				if err != nil || int(n) != len(recs) {
					t.Errorf("count = %d, %v; want %d", n, err, len(recs))
				}
			})
		}
	})
}

func TestWhereOnRelatedModelsInWrites(t *testing.T) {
	eachDialect(t, func(e *testEnv) {
		t := e.t
		w := newRelWorld(e)
		note := w.m("Note")
		where := func(s string) filter.Cond {
			c, err := filter.ParseWhereIn(decodeJSON(t, s), note, w.reg)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		n, err := e.s.UpdateAll(e.ctx, note, where(`{"owner.name":"Ann"}`), map[string]any{"rating": 9.0})
		if err != nil || n != 2 {
			t.Fatalf("updateAll: %d %v", n, err)
		}
		if got := render(w.find("Note", decodeJSON(t, `{"where":{"rating":9}}`)), "title"); got != "n1 n2" {
			t.Errorf("updated = %s", got)
		}
		n, err = e.s.DeleteAll(e.ctx, note, where(`{"tags.name":"web"}`))
		if err != nil || n != 1 {
			t.Fatalf("deleteAll: %d %v", n, err)
		}
		if got := render(w.find("Note", nil), "title"); got != "n1 n2 n4" {
			t.Errorf("left = %s", got)
		}
		// A self relation: the subquery reads the table being updated.
		person := w.m("Person")
		c, err := filter.ParseWhereIn(decodeJSON(t, `{"mentor.name":"Ann"}`), person, w.reg)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := e.s.UpdateAll(e.ctx, person, c, map[string]any{"secret": "mentored"}); err != nil || n != 1 {
			t.Fatalf("updateAll self relation: %d %v", n, err)
		}
		if got := render(w.find("Person", decodeJSON(t, `{"where":{"secret":"mentored"}}`)), "name"); got != "Bob" {
			t.Errorf("updated = %s", got)
		}
	})
}

func TestWhereOnRelatedModelsErrors(t *testing.T) {
	e := openEnv(t, "sqlite:"+t.TempDir()+"/err.db")
	w := newRelWorld(e)
	tests := []struct {
		model, where string
		status       int
		msg          string
	}{
		{"Note", `{"owner.nope":1}`, 400, `Unknown property "nope" in where clause of Person`},
		{"Note", `{"owner":{"team":{"nope":1}}}`, 400, `Unknown property "nope" in where clause of Team`},
		{"Note", `{"owner":"Ann"}`, 400, `The relation "owner" in where clause of Note needs an object of conditions on Person, not "Ann"`},
		{"Note", `{"owner.name":{"$ne":1}}`, 400, `Operators "$ne" are not allowed in query`},
		{"Person", `{"notes.owner.notes.owner.notes.title":"x"}`, 400, `The where clause of Person follows too many relations (more than 4) at "notes.title"`},
	}
	for _, tt := range tests {
		_, err := w.findErr(tt.model, decodeJSON(t, `{"where":`+tt.where+`}`))
		code := ""
		if tt.msg == `Operators "$ne" are not allowed in query` {
			code = filter.CodeOperatorNotAllowed
		}
		wantAPIError(t, err, tt.status, code, tt.msg)
	}
	// ParseWhere has no model lookup: a relation path answers 400.
	_, err := filter.ParseWhere(decodeJSON(t, `{"owner.name":"Ann"}`), w.m("Note"))
	wantAPIError(t, err, 400, "", `The where clause of Note cannot use the relation "owner" here`)
	// A relation whose model lives in another store cannot be joined in SQL.
	other := openEnv(t, "sqlite:"+t.TempDir()+"/other.db")
	e.s.SetLinks(Links{Models: w.reg, StoreOf: func(model string) *Store {
		if model == "Person" {
			return other.s
		}
		return nil
	}})
	_, err = w.findErr("Note", decodeJSON(t, `{"where":{"owner.name":"Ann"}}`))
	wantAPIError(t, err, 400, "", `The where clause of Note cannot use the relation "owner": Person is stored in another datasource`)
}
