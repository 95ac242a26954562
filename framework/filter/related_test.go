package filter

import (
	"testing"

	"github.com/loopgo/loopgo/framework/schema"
)

func TestParseRelatedWhere(t *testing.T) {
	book, models := sample()
	models["Loan"] = &schema.Model{Name: "Loan"}
	tests := []struct{ where, want string }{
		{`{"author.name":"Le Guin"}`, `author(name eq "Le Guin")`},
		{`{"author":{"name":"Le Guin"}}`, `author(name eq "Le Guin")`},
		{`{"author":{"name":{"like":"Le%"},"id":{"gt":"3"}}}`, `author(and(id gt 3, name like "Le%"))`},
		{`{"reviews.stars":{"gte":4}}`, `reviews(stars gte 4)`},
		{`{"reviews":{"or":[{"stars":5},{"text":{"neq":null}}]}}`, `reviews(or(stars eq 5, text neq null))`},
		{`{"readers.name":"x"}`, `readers(name eq "x")`},
		{`{"author.avatar.url":"u"}`, `author(avatar(url eq "u"))`},
		{`{"author":{"books":{"reviews.stars":1}}}`, `author(books(reviews(stars eq 1)))`},
		{`{"reviews.book.meta.color":"red"}`, `reviews(book(meta.color eq "red"))`},
		{`{"reviews.book.reviews.book.title":"x"}`, `reviews(book(reviews(book(title eq "x"))))`},
		{`{"title":"x","author.name":"y"}`, `and(author(name eq "y"), title eq "x")`},
		{`{"or":[{"author.name":"y"},{"reviews.stars":1}]}`, `or(author(name eq "y"), reviews(stars eq 1))`},
		// hidden properties of the related model are dropped, as top-level ones are
		{`{"author.email":"a@b.c"}`, `<nil>`},
		{`{"author":{"email":"a@b.c","name":"n"}}`, `author(name eq "n")`},
		{`{"author":{"email":"a@b.c"}}`, `<nil>`},
		{`{"title":"x","author.email":{"like":"a%"}}`, `title eq "x"`},
		{`{"reviews.book.password":"p"}`, `<nil>`},
		{`{"author":{}}`, `<nil>`},
	}
	for _, tt := range tests {
		c, err := ParseWhereIn(decode(t, tt.where), book, models)
		if err != nil {
			t.Errorf("%s: %v", tt.where, err)
			continue
		}
		if got := render(t, c); got != tt.want {
			t.Errorf("%s\n got %s\nwant %s", tt.where, got, tt.want)
		}
		f, err := Parse(map[string]any{"where": decode(t, tt.where)}, book, models)
		if err != nil || render(t, f.Where) != tt.want {
			t.Errorf("Parse %s: %v", tt.where, err)
		}
	}
	// The through model is recorded for the store.
	c, _ := ParseWhereIn(decode(t, `{"readers.name":"x"}`), book, models)
	if r := c.(*Related); r.Through != models["Loan"] {
		t.Errorf("through = %v", r.Through)
	}
}

func TestParseRelatedWhereErrors(t *testing.T) {
	book, models := sample()
	tests := []struct {
		where string
		want  wantErr
	}{
		{`{"author.nope":1}`, wantErr{msg: `Unknown property "nope" in where clause of Author`}},
		{`{"author":{"nope":1}}`, wantErr{msg: `Unknown property "nope" in where clause of Author`}},
		{`{"author":"x"}`, wantErr{msg: `The relation "author" in where clause of Book needs an object of conditions on Author, not "x"`}},
		{`{"author":null}`, wantErr{msg: `The relation "author" in where clause of Book needs an object of conditions on Author, not null`}},
		{`{"author.name":{"$gt":1}}`, wantErr{code: CodeOperatorNotAllowed, msg: `Operators "$gt" are not allowed in query`}},
		{`{"author.name":{"near":1}}`, wantErr{msg: `The name property has invalid clause {"near":1}: The near operator is not supported`}},
		{`{"audits.x":1}`, wantErr{msg: `The where clause of Book cannot use the relation "audits"`}},
		{`{"ghost.x":1}`, wantErr{status: 500, msg: "Internal Server Error"}},
		{`{"reviews.book.reviews.book.author.name":"x"}`, wantErr{msg: `The where clause of Book follows too many relations (more than 4) at "author.name"`}},
	}
	for _, tt := range tests {
		_, err := ParseWhereIn(decode(t, tt.where), book, models)
		checkErr(t, err, tt.want)
	}
	// Without a model lookup a relation cannot be followed.
	_, err := ParseWhere(decode(t, `{"author.name":"x"}`), book)
	checkErr(t, err, wantErr{msg: `The where clause of Book cannot use the relation "author" here`})
	// Polymorphic relations are refused.
	poly := &schema.Model{Name: "Pic", Relations: []*schema.Relation{{Name: "imageable", Type: "belongsTo", Polymorphic: &schema.Polymorphic{As: "imageable"}}},
		Properties: []*schema.Property{{Name: "id", Type: schema.Number, ID: true}}}
	_, err = ParseWhereIn(decode(t, `{"imageable.x":1}`), poly, models)
	checkErr(t, err, wantErr{msg: `The where clause of Pic cannot use the polymorphic relation "imageable"`})
}

func TestParseIncludeRecordsModels(t *testing.T) {
	book, models := sample()
	models["Loan"] = &schema.Model{Name: "Loan"}
	f, err := Parse(decode(t, `{"include":["author",{"relation":"readers","scope":{"include":"x"}}]}`), book, models)
	if err == nil {
		t.Fatalf("include x of Reader accepted: %+v", f)
	}
	f, err = Parse(decode(t, `{"include":["author","readers",{"reviews":"book"}]}`), book, models)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		rel             string
		target, through *schema.Model
	}{{"author", models["Author"], nil}, {"readers", models["Reader"], models["Loan"]}, {"reviews", models["Review"], nil}}
	for i, w := range want {
		inc := f.Include[i]
		if inc.Relation != w.rel || inc.Rel != book.Relation(w.rel) || inc.Target != w.target || inc.Through != w.through {
			t.Errorf("include %d = %+v", i, inc)
		}
	}
	if sub := f.Include[2].Scope.Include[0]; sub.Target != models["Book"] || sub.Rel == nil {
		t.Errorf("nested include = %+v", sub)
	}
}

func TestPruneIncludes(t *testing.T) {
	book, models := sample()
	f, err := Parse(decode(t, `{"include":["author",{"reviews":{"book":"author"}},{"author":"books"}]}`), book, models)
	if err != nil {
		t.Fatal(err)
	}
	PruneIncludes(f, func(m *schema.Model) bool { return m.Name != "Author" })
	if got := renderIncludes(t, f.Include); got != "reviews{include book{}}" {
		t.Errorf("pruned = %s", got)
	}
	// The original scopes are not changed (pruning works on copies of them).
	f2, _ := Parse(decode(t, `{"include":{"reviews":{"book":"author"}}}`), book, models)
	scope := f2.Include[0].Scope
	PruneIncludes(f2, func(m *schema.Model) bool { return m.Name != "Author" })
	if len(scope.Include[0].Scope.Include) != 1 {
		t.Error("pruning changed a shared scope")
	}
	// Includes without a known target are removed; nil filters are fine.
	f3, _ := Parse(decode(t, `{"include":"author"}`), book, nil)
	PruneIncludes(f3, func(*schema.Model) bool { return true })
	PruneIncludes(nil, nil)
	if len(f3.Include) != 0 {
		t.Errorf("include without target kept: %+v", f3.Include)
	}
}

func TestRelatedTargets(t *testing.T) {
	book, models := sample()
	f, err := Parse(decode(t, `{"where":{"or":[{"author.name":"x"},{"reviews.book.title":"y"}]},`+
		`"include":{"relation":"reviews","scope":{"where":{"book.author.name":"z"}}}}`), book, models)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range RelatedTargets(f) {
		names = append(names, m.Name)
	}
	if got := joinStrings(names); got != "Author,Review,Book" {
		t.Errorf("targets = %s", got)
	}
	if CondTargets(nil) != nil || RelatedTargets(nil) != nil {
		t.Error("nil inputs")
	}
}

func joinStrings(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ","
		}
		out += x
	}
	return out
}
