package framework_test

import (
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
)

const noteYAML = `
name: Note
plural: notes
properties:
  title:
    type: string
    required: true
  body: string
  published:
    type: boolean
    default: false
  rating: number
  ownerId: number
  meta: object
  tags: [string]
`

const modelConfig = `
Note: {dataSource: db, public: true}
`

func notesApp(t *testing.T) *testApp {
	return newTestApp(t, map[string]string{"note.yaml": noteYAML, "model-config.yaml": modelConfig})
}

func seedNotes(t *testing.T, a *testApp) {
	t.Helper()
	notes := []map[string]any{
		{"title": "alpha", "rating": 5, "published": true, "meta": map[string]any{"color": "red", "size": 3}, "tags": []any{"x", "y"}},
		{"title": "beta", "rating": 3, "body": "Hello World"},
		{"title": "gamma", "rating": 1, "ownerId": 7},
		{"title": "Delta", "rating": 4, "published": true, "meta": map[string]any{"color": "blue"}},
	}
	for _, n := range notes {
		if r := a.do("POST", "/api/notes", n); r.Status != 200 {
			t.Fatalf("seed %v: %d %s", n, r.Status, r.Raw)
		}
	}
}

func titles(r *response) string {
	var out []string
	for _, x := range r.list() {
		m, _ := x.(map[string]any)
		out = append(out, fmt.Sprint(m["title"]))
	}
	return strings.Join(out, ",")
}

func q(filter string) string { return url.QueryEscape(filter) }

func TestFindFilters(t *testing.T) {
	a := notesApp(t)
	seedNotes(t, a)
	cases := []struct {
		name   string
		path   string
		status int
		titles string
	}{
		{"all by id", "/api/notes", 200, "alpha,beta,gamma,Delta"},
		{"gte + order desc + limit", "/api/notes?filter=" + q(`{"where":{"rating":{"gte":3}},"order":"title DESC","limit":5}`), 200, "beta,alpha,Delta"},
		{"bracket like + fields", "/api/notes?filter[where][title][like]=%25a%25&filter[order]=rating%20ASC", 200, "gamma,beta,Delta,alpha"},
		{"implicit eq", "/api/notes?filter=" + q(`{"where":{"title":"beta"}}`), 200, "beta"},
		{"eq op", "/api/notes?filter=" + q(`{"where":{"rating":{"eq":1}}}`), 200, "gamma"},
		{"neq null-aware", "/api/notes?filter=" + q(`{"where":{"ownerId":{"neq":7}}}`), 200, "alpha,beta,Delta"},
		{"gt", "/api/notes?filter=" + q(`{"where":{"rating":{"gt":4}}}`), 200, "alpha"},
		{"lt", "/api/notes?filter=" + q(`{"where":{"rating":{"lt":3}}}`), 200, "gamma"},
		{"lte", "/api/notes?filter=" + q(`{"where":{"rating":{"lte":3}}}`), 200, "beta,gamma"},
		{"between", "/api/notes?filter=" + q(`{"where":{"rating":{"between":[3,4]}}}`), 200, "beta,Delta"},
		{"inq", "/api/notes?filter=" + q(`{"where":{"title":{"inq":["alpha","gamma"]}}}`), 200, "alpha,gamma"},
		{"nin", "/api/notes?filter=" + q(`{"where":{"title":{"nin":["alpha","gamma"]}}}`), 200, "beta,Delta"},
		{"nlike", "/api/notes?filter=" + q(`{"where":{"title":{"nlike":"%a%"}}}`), 200, ""},
		{"ilike", "/api/notes?filter=" + q(`{"where":{"title":{"ilike":"d%"}}}`), 200, "Delta"},
		{"nilike", "/api/notes?filter=" + q(`{"where":{"title":{"nilike":"%A%"}}}`), 200, ""},
		{"regexp", "/api/notes?filter=" + q(`{"where":{"title":{"regexp":"^[ab]"}}}`), 200, "alpha,beta"},
		{"regexp flags", "/api/notes?filter=" + q(`{"where":{"title":{"regexp":"/^d/i"}}}`), 200, "Delta"},
		{"and", "/api/notes?filter=" + q(`{"where":{"and":[{"rating":{"gt":1}},{"published":true}]}}`), 200, "alpha,Delta"},
		{"or", "/api/notes?filter=" + q(`{"where":{"or":[{"rating":1},{"title":"beta"}]}}`), 200, "beta,gamma"},
		{"null eq", "/api/notes?filter=" + q(`{"where":{"ownerId":null}}`), 200, "alpha,beta,Delta"},
		{"boolean from bracket", "/api/notes?filter[where][published]=true", 200, "alpha,Delta"},
		{"number from bracket", "/api/notes?filter[where][rating][gte]=4", 200, "alpha,Delta"},
		{"dot path", "/api/notes?filter=" + q(`{"where":{"meta.color":"blue"}}`), 200, "Delta"},
		{"skip + limit", "/api/notes?filter=" + q(`{"order":"rating DESC","skip":1,"limit":2}`), 200, "Delta,beta"},
		{"offset alias", "/api/notes?filter=" + q(`{"order":["rating ASC"],"offset":3}`), 200, "alpha"},
		{"where arg alone on find is ignored", "/api/notes?where=" + q(`{"title":"beta"}`), 200, "alpha,beta,gamma,Delta"},
		{"bad direction", "/api/notes?filter=" + q(`{"order":"title UP"}`), 400, ""},
		{"bad limit", "/api/notes?filter=" + q(`{"limit":-1}`), 400, ""},
		{"bad skip", "/api/notes?filter=" + q(`{"skip":"x"}`), 400, ""},
		{"not an object", "/api/notes?filter=" + q(`[1]`), 400, ""},
		{"malformed json", "/api/notes?filter=" + q(`{"where":`), 400, ""},
		{"dollar operator", "/api/notes?filter=" + q(`{"where":{"title":{"$gt":""}}}`), 400, ""},
		{"unknown property", "/api/notes?filter=" + q(`{"where":{"titel":"x"}}`), 400, ""},
		{"between needs two", "/api/notes?filter=" + q(`{"where":{"rating":{"between":[1]}}}`), 400, ""},
		{"inq needs array", "/api/notes?filter=" + q(`{"where":{"rating":{"inq":5}}}`), 400, ""},
		{"bad number", "/api/notes?filter=" + q(`{"where":{"rating":"abc"}}`), 400, ""},
		{"and not array", "/api/notes?filter=" + q(`{"where":{"and":{"a":1}}}`), 400, ""},
		{"bad regexp flags", "/api/notes?filter=" + q(`{"where":{"title":{"regexp":"/a/x"}}}`), 400, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := a.do("GET", tc.path, nil)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Raw)
			}
			if tc.status == 200 && titles(r) != tc.titles {
				t.Fatalf("titles %q, want %q", titles(r), tc.titles)
			}
			if tc.status >= 400 {
				if r.errField("statusCode") != float64(tc.status) {
					t.Fatalf("envelope missing: %s", r.Raw)
				}
				if strings.Contains(strings.ToLower(r.Raw), "select ") || strings.Contains(r.Raw, "sqlite") {
					t.Fatalf("SQL leaked: %s", r.Raw)
				}
			}
		})
	}
}

func TestFilterCodesAndFields(t *testing.T) {
	a := notesApp(t)
	seedNotes(t, a)
	r := a.do("GET", "/api/notes?filter="+q(`{"where":{"title":{"$gt":""}}}`), nil)
	if r.errField("code") != "OPERATOR_NOT_ALLOWED_IN_QUERY" {
		t.Fatalf("code: %s", r.Raw)
	}
	deep := `{"where":` + strings.Repeat(`{"and":[`, 13) + `{"rating":1}` + strings.Repeat(`]}`, 13) + `}`
	r = a.do("GET", "/api/notes?filter="+q(deep), nil)
	if r.Status != 400 || r.errField("code") != "QUERY_OBJECT_TOO_DEEP" {
		t.Fatalf("deep: %d %s", r.Status, r.Raw)
	}
	r = a.do("GET", "/api/notes?filter[where][title]=alpha&filter[fields][title]=true", nil)
	if r.Status != 200 || len(r.list()) != 1 {
		t.Fatalf("fields: %d %s", r.Status, r.Raw)
	}
	obj := r.list()[0].(map[string]any)
	if len(obj) != 1 || obj["title"] != "alpha" {
		t.Fatalf("fields include-list: %v", obj)
	}
	r = a.do("GET", "/api/notes?filter="+q(`{"where":{"title":"alpha"},"fields":{"body":false,"meta":false}}`), nil)
	obj = r.list()[0].(map[string]any)
	if _, ok := obj["body"]; ok {
		t.Fatalf("exclude-list kept body: %v", obj)
	}
	if obj["title"] != "alpha" || obj["rating"] != float64(5) {
		t.Fatalf("exclude-list: %v", obj)
	}
	r = a.do("GET", "/api/notes?filter="+q(`{"fields":["title","rating"],"where":{"title":"alpha"}}`), nil)
	obj = r.list()[0].(map[string]any)
	if len(obj) != 2 {
		t.Fatalf("fields list: %v", obj)
	}
}

func TestCRUDEndpoints(t *testing.T) {
	a := notesApp(t)
	seedNotes(t, a)
	type tc struct {
		name, method, path string
		body               any
		status             int
		check              func(t *testing.T, r *response)
	}
	field := func(k string, want any) func(*testing.T, *response) {
		return func(t *testing.T, r *response) {
			t.Helper()
			if got := r.obj()[k]; fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("%s = %v, want %v (%s)", k, got, want, r.Raw)
			}
		}
	}
	errMsg := func(want string) func(*testing.T, *response) {
		return func(t *testing.T, r *response) {
			t.Helper()
			if got := fmt.Sprint(r.errField("message")); !strings.Contains(got, want) {
				t.Fatalf("message %q, want %q", got, want)
			}
		}
	}
	cases := []tc{
		{"create returns 200 with defaults", "POST", "/api/notes", map[string]any{"title": "new", "rating": 2}, 200, func(t *testing.T, r *response) {
			field("published", false)(t, r)
			field("id", 5)(t, r)
		}},
		{"create array", "POST", "/api/notes", []any{map[string]any{"title": "a1"}, map[string]any{"title": "a2"}}, 200, func(t *testing.T, r *response) {
			if len(r.list()) != 2 {
				t.Fatalf("array create: %s", r.Raw)
			}
		}},
		{"create missing title 422", "POST", "/api/notes", map[string]any{"rating": 2}, 422, func(t *testing.T, r *response) {
			if r.errField("name") != "ValidationError" {
				t.Fatal(r.Raw)
			}
			d := r.errField("details").(map[string]any)
			codes := d["codes"].(map[string]any)
			if fmt.Sprint(codes["title"]) != "[presence]" || d["context"] != "Note" {
				t.Fatal(r.Raw)
			}
		}},
		{"create with id rejected (forceId)", "POST", "/api/notes", map[string]any{"id": 99, "title": "x"}, 422, func(t *testing.T, r *response) {
			codes := r.errField("details").(map[string]any)["codes"].(map[string]any)
			if fmt.Sprint(codes["id"]) != "[absence]" {
				t.Fatal(r.Raw)
			}
		}},
		{"create unknown property (strict)", "POST", "/api/notes", map[string]any{"title": "x", "colour": "red"}, 422, nil},
		{"create wrong type", "POST", "/api/notes", map[string]any{"title": "x", "rating": "lots"}, 422, nil},
		{"malformed json", "POST", "/api/notes", `{"title":`, 400, nil},
		{"findById", "GET", "/api/notes/2", nil, 200, field("title", "beta")},
		{"findById trailing slash and case", "GET", "/API/Notes/2/", nil, 200, field("title", "beta")},
		{"findById with filter fields", "GET", "/api/notes/2?filter=" + q(`{"fields":["title"]}`), nil, 200, func(t *testing.T, r *response) {
			if len(r.obj()) != 1 {
				t.Fatal(r.Raw)
			}
		}},
		{"findById missing", "GET", "/api/notes/999", nil, 404, func(t *testing.T, r *response) {
			errMsg(`Unknown "Note" id "999".`)(t, r)
			if r.errField("code") != "MODEL_NOT_FOUND" {
				t.Fatal(r.Raw)
			}
		}},
		{"findById non-numeric", "GET", "/api/notes/abc", nil, 404, nil},
		{"exists true", "GET", "/api/notes/1/exists", nil, 200, field("exists", true)},
		{"exists false", "GET", "/api/notes/999/exists", nil, 200, field("exists", false)},
		{"head exists", "HEAD", "/api/notes/1", nil, 200, nil},
		{"head missing", "HEAD", "/api/notes/999", nil, 404, nil},
		{"findOne", "GET", "/api/notes/findOne?filter=" + q(`{"where":{"rating":{"gt":3}},"order":"rating ASC"}`), nil, 200, field("title", "Delta")},
		{"findOne none", "GET", "/api/notes/findOne?filter=" + q(`{"where":{"rating":{"gt":30}}}`), nil, 404, nil},
		{"count", "GET", "/api/notes/count", nil, 200, nil},
		{"count where", "GET", "/api/notes/count?where=" + q(`{"rating":{"gte":3}}`), nil, 200, field("count", 3)},
		{"count where bracket", "GET", "/api/notes/count?where[title]=beta", nil, 200, field("count", 1)},
		{"patchAttributes", "PATCH", "/api/notes/2", map[string]any{"rating": 9}, 200, func(t *testing.T, r *response) {
			field("rating", 9)(t, r)
			field("title", "beta")(t, r)
		}},
		{"patchAttributes id change", "PATCH", "/api/notes/2", map[string]any{"id": 3}, 400, errMsg("id cannot be updated from 2 to 3 when forceId is set to true")},
		{"patchAttributes missing", "PATCH", "/api/notes/999", map[string]any{"rating": 1}, 404, errMsg("could not find a model with id 999")},
		{"replaceById PUT", "PUT", "/api/notes/3", map[string]any{"title": "gamma2"}, 200, func(t *testing.T, r *response) {
			field("title", "gamma2")(t, r)
			if r.obj()["ownerId"] != nil {
				t.Fatalf("replace kept ownerId: %s", r.Raw)
			}
		}},
		{"replaceById POST replace", "POST", "/api/notes/3/replace", map[string]any{"title": "gamma3", "rating": 1}, 200, field("title", "gamma3")},
		{"replaceById missing", "PUT", "/api/notes/999", map[string]any{"title": "x"}, 404, errMsg("Could not replace. Object with id 999 does not exist!")},
		{"replaceById invalid", "PUT", "/api/notes/3", map[string]any{"rating": 1}, 422, nil},
		{"patchOrCreate create", "PATCH", "/api/notes", map[string]any{"title": "upserted"}, 200, field("title", "upserted")},
		{"patchOrCreate update", "PATCH", "/api/notes", map[string]any{"id": 1, "rating": 8}, 200, func(t *testing.T, r *response) {
			field("title", "alpha")(t, r)
			field("rating", 8)(t, r)
		}},
		{"patchOrCreate unknown id with forceId", "PATCH", "/api/notes", map[string]any{"id": 999, "title": "x"}, 404, errMsg("Could not update attributes. Object with id 999 does not exist!")},
		{"replaceOrCreate PUT create", "PUT", "/api/notes", map[string]any{"title": "replaced"}, 200, field("title", "replaced")},
		{"replaceOrCreate POST", "POST", "/api/notes/replaceOrCreate", map[string]any{"id": 4, "title": "Delta2"}, 200, func(t *testing.T, r *response) {
			field("title", "Delta2")(t, r)
			if r.obj()["rating"] != nil {
				t.Fatal(r.Raw)
			}
		}},
		{"upsertWithWhere patch", "POST", "/api/notes/upsertWithWhere?where=" + q(`{"title":"beta"}`), map[string]any{"title": "beta", "body": "b"}, 200, field("body", "b")},
		{"upsertWithWhere validates the data as an instance", "POST", "/api/notes/upsertWithWhere?where=" + q(`{"title":"beta"}`), map[string]any{"body": "c"}, 422, errMsg("The `Note` instance is not valid. Details: `title` can't be blank (value: undefined).")},
		{"upsertWithWhere create", "POST", "/api/notes/upsertWithWhere?where=" + q(`{"title":"zeta"}`), map[string]any{"title": "zeta"}, 200, field("title", "zeta")},
		{"upsertWithWhere multiple", "POST", "/api/notes/upsertWithWhere?where=" + q(`{"published":false}`), map[string]any{"body": "b"}, 400, errMsg("There are multiple instances found.Upsert Operation will not be performed!")},
		{"upsertWithWhere empty", "POST", "/api/notes/upsertWithWhere?where=" + q(`{"title":"beta"}`), map[string]any{}, 400, errMsg("data object cannot be empty!")},
		{"updateAll", "POST", "/api/notes/update?where=" + q(`{"rating":{"lt":2}}`), map[string]any{"published": true}, 200, field("count", 1)},
		{"deleteById", "DELETE", "/api/notes/2", nil, 200, field("count", 1)},
		{"deleteById missing", "DELETE", "/api/notes/2", nil, 200, field("count", 0)},
		{"destroyAll not exposed", "DELETE", "/api/notes", nil, 404, nil},
		{"unknown method", "GET", "/api/notes/1/nothing", nil, 404, errMsg(`Shared class "Note" has no method handling GET`)},
		{"unknown model", "GET", "/api/nothing", nil, 404, errMsg("There is no method to handle GET /nothing")},
		{"non-api path", "GET", "/nothing", nil, 404, errMsg("Cannot GET /nothing")},
		{"body too large", "POST", "/api/notes", map[string]any{"title": strings.Repeat("x", 200*1024)}, 413, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := a.do(c.method, c.path, c.body)
			if r.Status != c.status {
				t.Fatalf("%s %s: status %d, want %d: %s", c.method, c.path, r.Status, c.status, r.Raw)
			}
			if c.check != nil {
				c.check(t, r)
			}
			if r.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Fatal("nosniff header missing")
			}
		})
	}
}

func TestConcurrentWritersNeverLocked(t *testing.T) {
	a := notesApp(t)
	const workers, each = 8, 15
	errs := make(chan string, workers*each)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				r := a.do("POST", "/api/notes", map[string]any{"title": fmt.Sprintf("w%d-%d", w, i)})
				if r.Status != 200 {
					errs <- fmt.Sprintf("%d %s", r.Status, r.Raw)
				}
				if r := a.do("PATCH", "/api/notes/1", map[string]any{"rating": i}); r.Status != 200 && r.Status != 404 {
					errs <- fmt.Sprintf("patch %d %s", r.Status, r.Raw)
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
	if r := a.do("GET", "/api/notes/count", nil); r.obj()["count"] != float64(workers*each) {
		t.Fatalf("count %s", r.Raw)
	}
}

func TestSharedMethodsAndPublic(t *testing.T) {
	cfg := `
Note:
  dataSource: db
  options:
    remoting:
      sharedMethods:
        find: false
        prototype.patchAttributes: false
Hidden: {dataSource: db, public: false}
`
	hidden := "name: Hidden\nproperties:\n  x: string\n"
	a := newTestApp(t, map[string]string{"note.yaml": noteYAML, "hidden.yaml": hidden, "model-config.yaml": cfg})
	for _, c := range []struct {
		method, path string
		body         any
		status       int
	}{
		{"GET", "/api/notes", nil, 404},
		{"POST", "/api/notes", map[string]any{"title": "x"}, 200},
		{"PATCH", "/api/notes/1", map[string]any{"title": "y"}, 404},
		{"GET", "/api/notes/1", nil, 200},
		{"GET", "/api/hiddens", nil, 404},
	} {
		if r := a.do(c.method, c.path, c.body); r.Status != c.status {
			t.Errorf("%s %s: %d, want %d: %s", c.method, c.path, r.Status, c.status, r.Raw)
		}
	}
	all := newTestApp(t, map[string]string{"note.yaml": noteYAML, "model-config.yaml": "Note:\n  dataSource: db\n  options:\n    remoting:\n      sharedMethods:\n        '*': true\n"})
	for i := 0; i < 3; i++ {
		all.do("POST", "/api/notes", map[string]any{"title": "x"})
	}
	if r := all.do("DELETE", "/api/notes", nil); r.Status != 200 || r.obj()["count"] != float64(3) {
		t.Fatalf("destroyAll exposed by '*': %d %s", r.Status, r.Raw)
	}
	none := newTestApp(t, map[string]string{"note.yaml": noteYAML, "model-config.yaml": "Note:\n  dataSource: db\n  options:\n    remoting:\n      sharedMethods:\n        '*': false\n"})
	if r := none.do("GET", "/api/notes", nil); r.Status != 404 {
		t.Fatalf("'*': false: %d", r.Status)
	}
}

func TestDeclaredValidationsOverHTTP(t *testing.T) {
	product := `
name: Product
plural: products
properties:
  name: string
  sku: {type: string, unique: true}
  status: string
  code: string
  price: number
  legacy: string
validations:
  - {property: name, kind: presence}
  - {property: name, kind: length, min: 3, max: 10}
  - {property: code, kind: format, with: "^[A-Z]{3}-[0-9]+$"}
  - {property: status, kind: inclusion, in: [draft, live]}
  - {property: name, kind: exclusion, in: [admin]}
  - {property: price, kind: numericality, int: true}
  - {property: legacy, kind: absence}
`
	a := newTestApp(t, map[string]string{"product.yaml": product, "model-config.yaml": "Product: {dataSource: db}\n"})
	cases := []struct {
		body map[string]any
		prop string
		code string
	}{
		{map[string]any{"code": "ABC-1"}, "name", "presence"},
		{map[string]any{"name": "ab"}, "name", "length.min"},
		{map[string]any{"name": "abcdefghijk"}, "name", "length.max"},
		{map[string]any{"name": "admin"}, "name", "exclusion"},
		{map[string]any{"name": "good", "code": "abc"}, "code", "format"},
		{map[string]any{"name": "good", "status": "gone"}, "status", "inclusion"},
		{map[string]any{"name": "good", "price": 2.5}, "price", "numericality.int"},
		{map[string]any{"name": "good", "legacy": "x"}, "legacy", "absence"},
	}
	for _, c := range cases {
		r := a.do("POST", "/api/products", c.body)
		codes, _ := r.errField("details").(map[string]any)["codes"].(map[string]any)
		if r.Status != 422 || fmt.Sprint(codes[c.prop]) != "["+c.code+"]" {
			t.Errorf("%v: %d %s, want %s on %s", c.body, r.Status, r.Raw, c.code, c.prop)
		}
	}
	ok := map[string]any{"name": "good", "code": "ABC-12", "status": "live", "price": 3, "sku": "s1"}
	if r := a.do("POST", "/api/products", ok); r.Status != 200 {
		t.Fatalf("valid product: %d %s", r.Status, r.Raw)
	}
	if r := a.do("POST", "/api/products", map[string]any{"name": "other", "sku": "s1"}); r.Status != 422 {
		t.Fatalf("unique sku: %d %s", r.Status, r.Raw)
	}
	if r := a.do("PATCH", "/api/products/1", map[string]any{"status": "gone"}); r.Status != 422 {
		t.Fatalf("patch validated: %d %s", r.Status, r.Raw)
	}
}
