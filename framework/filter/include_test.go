package filter

import (
	"fmt"
	"strings"
	"testing"
)

// renderIncludes writes includes as `rel{where; order; limit; skip; fields; include}` recursively.
func renderIncludes(t *testing.T, incs []Include) string {
	t.Helper()
	parts := make([]string, len(incs))
	for i, inc := range incs {
		parts[i] = inc.Relation
		if inc.Scope != nil {
			parts[i] += "{" + renderScope(t, inc.Scope) + "}"
		}
	}
	return strings.Join(parts, " ")
}

func renderScope(t *testing.T, f *Filter) string {
	var parts []string
	if f.Where != nil {
		parts = append(parts, "where "+render(t, f.Where))
	}
	if len(f.Order) > 0 {
		parts = append(parts, fmt.Sprintf("order %v", f.Order))
	}
	if f.Limit > 0 {
		parts = append(parts, fmt.Sprintf("limit %d", f.Limit))
	}
	if f.Skip > 0 {
		parts = append(parts, fmt.Sprintf("skip %d", f.Skip))
	}
	if f.Fields != nil {
		parts = append(parts, fmt.Sprintf("fields %v/%v", f.Fields.Include, f.Fields.Exclude))
	}
	if len(f.Include) > 0 {
		parts = append(parts, "include "+renderIncludes(t, f.Include))
	}
	return strings.Join(parts, "; ")
}

func TestParseInclude(t *testing.T) {
	book, models := sample()
	tests := []struct{ include, want string }{
		{`"author"`, "author"},
		{`["author","reviews"]`, "author reviews"},
		{`{"author":"books"}`, "author{include books}"},
		{`{"author":["books","avatar"]}`, "author{include books avatar}"},
		{`{"author":{"books":"reviews"}}`, "author{include books{include reviews}}"},
		{`{"author":true,"reviews":false}`, "author reviews"},
		{`{"relation":"reviews"}`, "reviews"},
		{`{"rel":"reviews"}`, "reviews"},
		{`{"relation":"reviews","scope":{"where":{"stars":{"gte":4}},"order":"stars DESC","limit":3,"skip":1,"fields":["text"]}}`,
			`reviews{where stars gte 4; order [{stars true}]; limit 3; skip 1; fields [text]/[]}`},
		{`{"relation":"reviews","scope":{"include":{"relation":"book","scope":{"fields":{"title":true}}}}}`,
			`reviews{include book{fields [title]/[]}}`},
		{`["author",{"reviews":"book"},{"relation":"readers","scope":{"where":{"name":"x"}}}]`,
			`author reviews{include book} readers{where name eq "x"}`},
		{`[["author"],null]`, "author"},
		{`"audits"`, ""},
		{`["audits","author"]`, "author"},
		{`{"relation":"audits","scope":{"where":{"anything":1}}}`, ""},
		{`{"author":{"relation":"books","scope":{"limit":2}}}`, "author{include books{limit 2}}"},
		{`null`, ""},
		{`[]`, ""},
	}
	for _, tt := range tests {
		f, err := Parse(decode(t, `{"include":`+tt.include+`}`), book, models)
		if err != nil {
			t.Errorf("include %s: %v", tt.include, err)
			continue
		}
		if got := renderIncludes(t, f.Include); got != tt.want {
			t.Errorf("include %s\n got %s\nwant %s", tt.include, got, tt.want)
		}
	}
}

func TestParseIncludeErrors(t *testing.T) {
	book, models := sample()
	tests := []struct {
		include string
		want    wantErr
	}{
		{`"nope"`, wantErr{msg: `Relation "nope" is not defined for Book model`}},
		{`["author","nope"]`, wantErr{msg: `Relation "nope" is not defined for Book model`}},
		{`{"author":"nope"}`, wantErr{msg: `Relation "nope" is not defined for Author model`}},
		{`{"relation":5}`, wantErr{msg: `Relation "relation" is not defined for Book model`}},
		{`{"relation":"reviews","scope":{"where":{"title":"x"}}}`, wantErr{msg: `Unknown property "title" in where clause of Review`}},
		{`{"relation":"author","scope":{"where":{"email":"a@b.c"},"order":"email"}}`, wantErr{msg: `The order property "email" is not valid`}},
		{`{"relation":"reviews","scope":{"limit":-1}}`, wantErr{msg: `The limit parameter -1 is not valid`}},
		{`{"relation":"reviews","scope":{"where":{"stars":{"$gt":1}}}}`, wantErr{code: CodeOperatorNotAllowed, msg: `Operators "$gt" are not allowed in query`}},
		{`{"relation":"reviews","scope":"x"}`, wantErr{msg: `The scope "x" of relation "reviews" is not an object`}},
		{`5`, wantErr{msg: `The include 5 is not valid`}},
		{`[true]`, wantErr{msg: `The include true is not valid`}},
		{`{"author":5}`, wantErr{msg: `The include 5 is not valid`}},
		{`{"relation":"ghost","scope":{}}`, wantErr{status: 500, msg: "Internal Server Error"}},
	}
	for _, tt := range tests {
		_, err := Parse(decode(t, `{"include":`+tt.include+`}`), book, models)
		checkErr(t, err, tt.want)
	}
	// Without a model registry, includes without scope still work; scopes cannot be checked.
	f, err := Parse(decode(t, `{"include":["author","ghost"]}`), book, nil)
	if err != nil || renderIncludes(t, f.Include) != "author ghost" {
		t.Errorf("include without registry: %v %+v", err, f)
	}
	_, err = Parse(decode(t, `{"include":{"author":"books"}}`), book, nil)
	checkErr(t, err, wantErr{status: 500, msg: "Internal Server Error"})
}

func TestParseIncludeHiddenInScope(t *testing.T) {
	book, models := sample()
	f, err := Parse(decode(t, `{"include":{"relation":"author","scope":{"where":{"email":"a@b.c","name":"x"},"fields":["name","email"]}}}`), book, models)
	if err != nil {
		t.Fatal(err)
	}
	if got := renderIncludes(t, f.Include); got != `author{where name eq "x"; fields [name]/[]}` {
		t.Errorf("got %s", got)
	}
}

func TestParseIncludeLimit(t *testing.T) {
	book, models := sample()
	list := make([]any, MaxIncludes+1)
	for i := range list {
		list[i] = "author"
	}
	_, err := Parse(map[string]any{"include": list}, book, models)
	checkErr(t, err, wantErr{msg: "The filter includes too many relations (more than 100)"})
	if _, err := Parse(map[string]any{"include": list[:MaxIncludes]}, book, models); err != nil {
		t.Errorf("%d includes: %v", MaxIncludes, err)
	}
}
