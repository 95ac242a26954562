package filter

import (
	"encoding/json"
	"strings"
	"testing"
)

// decode parses a JSON test input the way FromQuery does.
func decode(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("bad test JSON %s: %v", s, err)
	}
	return v
}

func TestParseWhereOperators(t *testing.T) {
	book, _ := sample()
	tests := []struct {
		name, where, want string
	}{
		{"nil", `null`, "<nil>"},
		{"empty object", `{}`, "<nil>"},
		{"implicit eq", `{"title":"Dune"}`, `title eq "Dune"`},
		{"eq", `{"title":{"eq":"Dune"}}`, `title eq "Dune"`},
		{"implicit null", `{"title":null}`, `title eq null`},
		{"neq null", `{"title":{"neq":null}}`, `title neq null`},
		{"neq", `{"rating":{"neq":3}}`, `rating neq 3`},
		{"gt", `{"rating":{"gt":3}}`, `rating gt 3`},
		{"gte", `{"rating":{"gte":3.5}}`, `rating gte 3.5`},
		{"lt", `{"rating":{"lt":3}}`, `rating lt 3`},
		{"lte", `{"rating":{"lte":3}}`, `rating lte 3`},
		{"between", `{"rating":{"between":[1,5]}}`, `rating between [1 5]`},
		{"inq", `{"rating":{"inq":[1,2,3]}}`, `rating inq [1 2 3]`},
		{"inq with null", `{"title":{"inq":["a",null]}}`, `title inq ["a" null]`},
		{"inq empty", `{"rating":{"inq":[]}}`, `rating inq []`},
		{"inq array-like object", `{"rating":{"inq":{"0":1,"1":2}}}`, `rating inq [1 2]`},
		{"nin", `{"title":{"nin":["a","b"]}}`, `title nin ["a" "b"]`},
		{"like", `{"title":{"like":"D%"}}`, `title like "D%"`},
		{"nlike", `{"title":{"nlike":"D_ne"}}`, `title nlike "D_ne"`},
		{"ilike", `{"title":{"ilike":"d%"}}`, `title ilike "d%"`},
		{"nilike", `{"title":{"nilike":"d%"}}`, `title nilike "d%"`},
		{"like on a number property stays a string", `{"rating":{"like":"4%"}}`, `rating like "4%"`},
		{"regexp plain", `{"title":{"regexp":"^D.*e$"}}`, `title regexp "^D.*e$"/`},
		{"regexp with flags", `{"title":{"regexp":"/^d/ig"}}`, `title regexp "^d"/ig`},
		{"regexp repeated flag", `{"title":{"regexp":"/^d/ii"}}`, `title regexp "^d"/i`},
		{"regexp no flags", `{"title":{"regexp":"/a/b/"}}`, `title regexp "a/b"/`},
		{"regexp single slash", `{"title":{"regexp":"/"}}`, `title regexp "/"/`},
		{"regexp slash inside", `{"title":{"regexp":"a/b"}}`, `title regexp "a/b"/`},
		{"two operators", `{"rating":{"lte":5,"gte":1}}`, `and(rating gte 1, rating lte 5)`},
		{"two properties sorted", `{"title":"x","rating":2}`, `and(rating eq 2, title eq "x")`},
		{"and", `{"and":[{"title":"x"},{"rating":{"gt":1}}]}`, `and(title eq "x", rating gt 1)`},
		{"or", `{"or":[{"title":"x"},{"title":"y"}]}`, `or(title eq "x", title eq "y")`},
		{"or single branch", `{"or":[{"title":"x"}]}`, `title eq "x"`},
		{"or array-like object", `{"or":{"0":{"title":"x"},"1":{"rating":1}}}`, `or(title eq "x", rating eq 1)`},
		{"nested", `{"or":[{"and":[{"title":"a"},{"rating":1}]},{"published":true}]}`,
			`or(and(title eq "a", rating eq 1), published eq true)`},
		{"null clause skipped", `{"and":[null,{"title":"a"}]}`, `title eq "a"`},
		{"empty and", `{"and":[]}`, "<nil>"},
		{"id", `{"id":7}`, `id eq 7`},
		{"bool", `{"published":false}`, `published eq false`},
		{"array property with scalar", `{"tags":"sf"}`, `tags eq "sf"`},
		{"array property inq", `{"tags":{"inq":["a","b"]}}`, `tags inq ["a" "b"]`},
		{"dot path", `{"meta.isbn":"123"}`, `meta.isbn eq "123"`},
		{"dot path deep with operator", `{"meta.a.b":{"gt":2}}`, `meta.a.b gt 2`},
		{"dot path into any", `{"extra.x_1":true}`, `extra.x_1 eq true`},
		{"dot path into array", `{"tags.0":"x"}`, `tags.0 eq "x"`},
		{"dot path null", `{"meta.a":null}`, `meta.a eq null`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseWhere(decode(t, tt.where), book)
			if err != nil {
				t.Fatalf("ParseWhere(%s): %v", tt.where, err)
			}
			if got := render(t, c); got != tt.want {
				t.Errorf("ParseWhere(%s) = %s\n want %s", tt.where, got, tt.want)
			}
		})
	}
}

func TestParseWhereHiddenPropertiesAreDropped(t *testing.T) {
	book, _ := sample()
	tests := []struct{ where, want string }{
		{`{"password":"hunter2"}`, "<nil>"},
		{`{"password":{"like":"h%"},"title":"x"}`, `title eq "x"`},
		{`{"or":[{"password":"a"},{"title":"x"}]}`, `title eq "x"`},
		{`{"or":[{"password":"a"},{"secret.x":"b"}]}`, "<nil>"},
		{`{"and":[{"title":"x"},{"and":[{"password":"a"}]}]}`, `title eq "x"`},
		{`{"meta.password":"a","rating":1}`, `rating eq 1`},
		{`{"secret.key":"a"}`, "<nil>"},
		{`{"password":{"$gt":""}}`, "operator error"},
	}
	for _, tt := range tests {
		c, err := ParseWhere(decode(t, tt.where), book)
		if tt.want == "operator error" {
			checkErr(t, err, wantErr{code: CodeOperatorNotAllowed, msg: `Operators "$gt" are not allowed in query`})
			continue
		}
		if err != nil {
			t.Fatalf("ParseWhere(%s): %v", tt.where, err)
		}
		if got := render(t, c); got != tt.want {
			t.Errorf("ParseWhere(%s) = %s, want %s", tt.where, got, tt.want)
		}
	}
}

func TestParseWhereErrors(t *testing.T) {
	book, _ := sample()
	tests := []struct {
		name, where string
		want        wantErr
	}{
		{"not an object", `"x"`, wantErr{msg: `The where clause "x" is not an object`}},
		{"array", `[{"a":1}]`, wantErr{msg: `The where clause [{"a":1}] is not an object`}},
		{"unknown property", `{"nope":1}`, wantErr{msg: `Unknown property "nope" in where clause of Book`}},
		{"unknown property in or", `{"or":[{"title":"x"},{"nope":1}]}`, wantErr{msg: `Unknown property "nope" in where clause of Book`}},
		{"and not array", `{"and":{"title":"x"}}`, wantErr{msg: `The and operator has invalid clauses {"title":"x"}: Value is not an array or object with sequential numeric indices`}},
		{"or string", `{"or":"x"}`, wantErr{msg: `The or operator has invalid clauses "x": Value is not an array or object with sequential numeric indices`}},
		{"or empty object", `{"or":{}}`, wantErr{msg: `The or operator has invalid clauses {}: Value is an empty object`}},
		{"or clause not object", `{"or":[1]}`, wantErr{msg: `The where clause 1 is not an object`}},
		{"nor", `{"nor":[{"title":"x"}]}`, wantErr{msg: `The nor operator is not supported`}},
		{"between one", `{"rating":{"between":[1]}}`, wantErr{msg: `The rating property has invalid clause {"between":[1]}: Expected precisely 2 values, received 1`}},
		{"between three", `{"rating":{"between":[1,2,3]}}`, wantErr{msg: `The rating property has invalid clause {"between":[1,2,3]}: Expected precisely 2 values, received 3`}},
		{"between scalar", `{"rating":{"between":1}}`, wantErr{msg: `The rating property has invalid clause {"between":1}: Value is not an array or object with sequential numeric indices`}},
		{"between null item", `{"rating":{"between":[1,null]}}`, wantErr{msg: `The rating property has invalid clause {"between":[1,null]}: Expected a value, received null`}},
		{"inq scalar", `{"rating":{"inq":5}}`, wantErr{msg: `The rating property has invalid clause {"inq":5}: Value is not an array or object with sequential numeric indices`}},
		{"nin sparse object", `{"rating":{"nin":{"0":1,"2":3}}}`, wantErr{msg: `The rating property has invalid clause {"nin":{"0":1,"2":3}}: Value is not an array or object with sequential numeric indices`}},
		{"inq nested list", `{"rating":{"inq":[[1]]}}`, wantErr{msg: `The rating property has invalid clause {"inq":[[1]]}: Expected a single value, not an object or a list`}},
		{"like number", `{"title":{"like":5}}`, wantErr{msg: `The title property has invalid clause {"like":5}: Expected a string`}},
		{"nilike object", `{"title":{"nilike":{}}}`, wantErr{msg: `The title property has invalid clause {"nilike":{}}: Expected a string`}},
		{"regexp number", `{"title":{"regexp":1}}`, wantErr{msg: `The title property has invalid clause {"regexp":1}: Expected a string`}},
		{"regexp bad flags", `{"title":{"regexp":"/a/ixsx"}}`, wantErr{msg: `Invalid regex flags: x,s`}},
		{"gt null", `{"rating":{"gt":null}}`, wantErr{msg: `The rating property has invalid clause {"gt":null}: Expected a value, received null`}},
		{"eq object", `{"title":{"eq":{"a":1}}}`, wantErr{msg: `The title property has invalid clause {"eq":{"a":1}}: Expected a single value, not an object or a list`}},
		{"implicit eq list", `{"title":["a","b"]}`, wantErr{msg: `The title property has invalid clause ["a","b"]: Expected a single value, not an object or a list`}},
		{"unknown operator", `{"title":{"foo":1}}`, wantErr{msg: `The title property has invalid clause {"foo":1}: Unknown operator "foo"`}},
		{"near", `{"location":{"near":"1,2"}}`, wantErr{msg: `The location property has invalid clause {"near":"1,2"}: The near operator is not supported`}},
		{"empty operator object", `{"title":{}}`, wantErr{msg: `The title property has invalid clause {}: Expected an operator or a value`}},
		{"dot path on string", `{"title.x":1}`, wantErr{msg: `The property "title" of Book is not an object: "title.x" is not a valid path`}},
		{"dot path empty segment", `{"meta..x":1}`, wantErr{msg: `The path "meta..x" in where clause of Book is not valid: each key must be letters, digits or _`}},
		{"dot path quote", `{"meta.a'b":1}`, wantErr{msg: `The path "meta.a'b" in where clause of Book is not valid: each key must be letters, digits or _`}},
		{"dot path object value", `{"meta.a":{"eq":[1]}}`, wantErr{msg: `The meta.a property has invalid clause {"eq":[1]}: Expected a single value, not an object or a list`}},
		{"dollar operator", `{"title":{"$ne":"x"}}`, wantErr{code: CodeOperatorNotAllowed, msg: `Operators "$ne" are not allowed in query`}},
		{"dollar keys everywhere", `{"$or":[{"title":{"$regex":"x"}}],"rating":{"$gt":1,"lt":{"$x":1}}}`,
			wantErr{code: CodeOperatorNotAllowed, msg: `Operators "$gt, $or, $regex, $x" are not allowed in query`}},
		{"dollar below a hidden property", `{"and":[{"password":{"$exists":true}}]}`, wantErr{code: CodeOperatorNotAllowed, msg: `Operators "$exists" are not allowed in query`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseWhere(decode(t, tt.where), book)
			checkErr(t, err, tt.want)
		})
	}
}

func TestParseWhereOperatorDetails(t *testing.T) {
	book, _ := sample()
	_, err := ParseWhere(decode(t, `{"title":{"$ne":"x","$in":["a"]}}`), book)
	ae, _ := asAPI(err)
	if ae == nil {
		t.Fatalf("want *apierr.Error, got %v", err)
	}
	d, ok := ae.Details.(map[string]any)
	if !ok {
		t.Fatalf("details = %#v, want a map", ae.Details)
	}
	ops, _ := d["operators"].([]string)
	if strings.Join(ops, ",") != "$in,$ne" {
		t.Errorf("details.operators = %#v, want [$in $ne]", d["operators"])
	}
}

// nested builds {"and":[{"and":[ ... {"title":"x"} ...]}]} with n "and" levels.
func nested(n int) map[string]any {
	w := map[string]any{"title": "x"}
	for i := 0; i < n; i++ {
		w = map[string]any{"and": []any{w}}
	}
	return w
}

func TestParseWhereDepth(t *testing.T) {
	book, _ := sample()
	tooDeep := wantErr{code: CodeTooDeep, msg: "The query object exceeds maximum depth 12"}
	// Each "and" level adds 2 (key, index); the leaf "title" adds 1: depth = 2n+1.
	if _, err := ParseWhere(nested(5), book); err != nil { // depth 11
		t.Fatalf("depth 11: %v", err)
	}
	_, err := ParseWhere(nested(6), book) // depth 13
	checkErr(t, err, tooDeep)

	// Exactly 12: 5 "and" levels (10) + property (11) + operator (12).
	wrap := func(w map[string]any) map[string]any {
		for i := 0; i < 5; i++ {
			w = map[string]any{"and": []any{w}}
		}
		return w
	}
	if _, err := ParseWhere(wrap(map[string]any{"title": map[string]any{"eq": "x"}}), book); err != nil {
		t.Fatalf("depth 12: %v", err)
	}
	// 13: ... + property (11) + operator (12) + list index (13).
	_, err = ParseWhere(wrap(map[string]any{"rating": map[string]any{"inq": []any{1.0}}}), book)
	checkErr(t, err, tooDeep)

	// Parse counts from the filter: the same where is one level deeper there.
	_, err = Parse(map[string]any{"where": wrap(map[string]any{"title": map[string]any{"eq": "x"}})}, book, nil)
	checkErr(t, err, tooDeep)
}

func TestParseWhereCircular(t *testing.T) {
	book, _ := sample()
	selfMap := map[string]any{"title": "x"}
	selfMap["and"] = []any{selfMap}
	_, err := ParseWhere(selfMap, book)
	checkErr(t, err, wantErr{code: CodeCircular, msg: "The query object is circular"})

	list := []any{nil}
	list[0] = map[string]any{"or": list}
	_, err = ParseWhere(map[string]any{"and": list}, book)
	checkErr(t, err, wantErr{code: CodeCircular, msg: "The query object is circular"})

	// The same map twice side by side is shared, not circular.
	shared := map[string]any{"title": "x"}
	c, err := ParseWhere(map[string]any{"or": []any{shared, shared}}, book)
	if err != nil {
		t.Fatalf("shared map: %v", err)
	}
	if got := render(t, c); got != `or(title eq "x", title eq "x")` {
		t.Errorf("shared map = %s", got)
	}

	// A circular filter is refused by Parse as well.
	f := map[string]any{}
	f["where"] = map[string]any{"and": []any{f}}
	_, err = Parse(f, book, nil)
	checkErr(t, err, wantErr{code: CodeCircular, msg: "The query object is circular"})
}

func TestParseWhereLimits(t *testing.T) {
	book, _ := sample()
	items := make([]any, MaxListItems)
	for i := range items {
		items[i] = float64(i)
	}
	if _, err := ParseWhere(map[string]any{"rating": map[string]any{"inq": items}}, book); err != nil {
		t.Fatalf("inq of %d: %v", MaxListItems, err)
	}
	_, err := ParseWhere(map[string]any{"rating": map[string]any{"nin": append(items, 1.0)}}, book)
	checkErr(t, err, wantErr{msg: "~: Expected at most 1000 values, received 1001"})

	or := make([]any, MaxWhereNodes)
	for i := range or {
		or[i] = map[string]any{"rating": float64(i)}
	}
	_, err = ParseWhere(map[string]any{"or": or}, book) // 1000 comparisons + the or node
	checkErr(t, err, wantErr{msg: "The where clause has too many conditions (more than 1000)"})
	if _, err := ParseWhere(map[string]any{"or": or[:MaxWhereNodes-1]}, book); err != nil {
		t.Fatalf("999 comparisons: %v", err)
	}
}

func TestParseWhereGoValues(t *testing.T) {
	book, _ := sample()
	// Go callers (hooks, remote methods) may pass Go numbers.
	c, err := ParseWhere(map[string]any{"rating": map[string]any{"inq": []any{1, int64(2)}}, "id": 3}, book)
	if err != nil {
		t.Fatal(err)
	}
	if got := render(t, c); got != `and(id eq 3, rating inq [1 2])` {
		t.Errorf("got %s", got)
	}
	_, err = ParseWhere(map[string]any{"title": map[string]string{"a": "b"}}, book)
	checkErr(t, err, wantErr{msg: `The title property has invalid clause {"a":"b"}: Expected a single value, not an object or a list`})
	if _, err := ParseWhere(nil, nil); err == nil {
		t.Error("nil model accepted")
	} else {
		checkErr(t, err, wantErr{status: 500, msg: "Internal Server Error"})
	}
}
