package store

import (
	"reflect"
	"sort"
	"testing"

	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/filter"
	"github.com/loopgo/loopgo/framework/schema"
)

// seedNotes creates five notes covering NULLs, case, JSON values and dates.
func seedNotes(e *testEnv) *schema.Model {
	m := noteModel()
	e.migrate(m)
	for _, d := range []map[string]any{
		{"title": "Alpha", "body": "hello world", "rating": 1.0, "published": true, "created": day(1), "tags": []any{"a"},
			"meta": map[string]any{"color": "red", "size": 1.0, "ok": true, "deep": map[string]any{"x": "1"}}},
		{"title": "beta", "body": "Hello", "rating": 2.5, "published": false, "created": day(2),
			"meta": map[string]any{"color": "blue", "size": 10.0, "ok": false}, "tags": []any{"b", "c", 2.0}},
		{"title": "Gamma", "created": day(3), "meta": map[string]any{"color": nil, "size": 2.0}},
		{"title": "delta_1", "body": "100% sure", "rating": 10.0, "published": true, "created": day(4)},
		{"title": "ALPHA", "body": "x", "rating": 3.0, "published": false, "meta": map[string]any{"size": 3.5}, "tags": []any{"a", "c"}},
	} {
		e.mustCreate(m, d)
	}
	return m
}

func cmp(prop string, op filter.Op, v any) *filter.Cmp {
	return &filter.Cmp{Property: prop, Op: op, Value: v}
}

func cmpVals(prop string, op filter.Op, vs ...any) *filter.Cmp {
	return &filter.Cmp{Property: prop, Op: op, Values: vs}
}

func path(prop string, keys []string, op filter.Op, v any, vs ...any) *filter.Cmp {
	return &filter.Cmp{Property: prop, Path: keys, Op: op, Value: v, Values: vs}
}

func TestWhereOperators(t *testing.T) {
	eachDialect(t, func(e *testEnv) {
		m := seedNotes(e)
		tests := []struct {
			name  string
			where filter.Cond
			want  string
		}{
			{"nil where", nil, "Alpha,beta,Gamma,delta_1,ALPHA"},
			{"eq string", cmp("title", filter.Eq, "Alpha"), "Alpha"},
			{"eq is case-sensitive", cmp("title", filter.Eq, "alpha"), ""},
			{"eq null", cmp("body", filter.Eq, nil), "Gamma"},
			{"eq number", cmp("rating", filter.Eq, 2.5), "beta"},
			{"eq integer value on number", cmp("rating", filter.Eq, int64(10)), "delta_1"},
			{"eq boolean", cmp("published", filter.Eq, false), "beta,ALPHA"},
			{"eq date", cmp("created", filter.Eq, day(2)), "beta"},
			{"neq is null-aware", cmp("body", filter.Neq, "Hello"), "Alpha,Gamma,delta_1,ALPHA"},
			{"neq null", cmp("body", filter.Neq, nil), "Alpha,beta,delta_1,ALPHA"},
			{"gt number", cmp("rating", filter.Gt, 2.5), "delta_1,ALPHA"},
			{"gte number", cmp("rating", filter.Gte, 2.5), "beta,delta_1,ALPHA"},
			{"lt number", cmp("rating", filter.Lt, 2.5), "Alpha"},
			{"lte number", cmp("rating", filter.Lte, 2.5), "Alpha,beta"},
			{"gt null matches nothing", cmp("rating", filter.Gt, nil), ""},
			{"gt string is byte order", cmp("title", filter.Gt, "Gamma"), "beta,delta_1"},
			{"gt date", cmp("created", filter.Gt, day(3)), "delta_1"},
			{"between numbers inclusive", cmpVals("rating", filter.Between, 1.0, 3.0), "Alpha,beta,ALPHA"},
			{"between dates inclusive", cmpVals("created", filter.Between, day(2), day(3)), "beta,Gamma"},
			{"inq", cmpVals("title", filter.Inq, "beta", "Gamma", "zzz"), "beta,Gamma"},
			{"inq one", cmpVals("title", filter.Inq, "beta"), "beta"},
			{"inq with null", cmpVals("body", filter.Inq, "x", nil), "Gamma,ALPHA"},
			{"inq only null", cmpVals("body", filter.Inq, nil), "Gamma"},
			{"inq empty matches nothing", cmpVals("title", filter.Inq), ""},
			{"nin is null-aware", cmpVals("body", filter.Nin, "x"), "Alpha,beta,Gamma,delta_1"},
			{"nin with null", cmpVals("body", filter.Nin, "x", nil), "Alpha,beta,delta_1"},
			{"nin empty matches everything", cmpVals("title", filter.Nin), "Alpha,beta,Gamma,delta_1,ALPHA"},
			{"like prefix is case-sensitive", cmp("title", filter.Like, "Al%"), "Alpha"},
			{"like suffix", cmp("title", filter.Like, "%a"), "Alpha,beta,Gamma"},
			{"like underscore is one character", cmp("title", filter.Like, "bet_"), "beta"},
			{"like is anchored", cmp("title", filter.Like, "lph"), ""},
			{"like escaped underscore", cmp("title", filter.Like, `delta\_%`), "delta_1"},
			{"like escaped percent", cmp("body", filter.Like, `%\%%`), "delta_1"},
			{"like glob characters are literal", cmp("body", filter.Like, "*"), ""},
			{"like on a number column", cmp("rating", filter.Like, "2.%"), "beta"},
			{"nlike is null-aware", cmp("body", filter.NLike, "%ll%"), "Gamma,delta_1,ALPHA"},
			{"ilike", cmp("title", filter.ILike, "al%"), "Alpha,ALPHA"},
			{"nilike", cmp("title", filter.NILike, "al%"), "beta,Gamma,delta_1"},
			{"regexp", cmp("title", filter.Regexp, "^A"), "Alpha,ALPHA"},
			{"regexp is case-sensitive", cmp("title", filter.Regexp, "^a"), ""},
			{"regexp flag i", &filter.Cmp{Property: "title", Op: filter.Regexp, Value: "^a", Flags: "i"}, "Alpha,ALPHA"},
			{"regexp flag i on body", &filter.Cmp{Property: "body", Op: filter.Regexp, Value: "^hel", Flags: "gi"}, "Alpha,beta"},
			{"regexp unanchored", cmp("title", filter.Regexp, "mm"), "Gamma"},
			{"and", filter.And{cmp("published", filter.Eq, true), cmp("rating", filter.Gt, 1.0)}, "delta_1"},
			{"or", filter.Or{cmp("title", filter.Eq, "beta"), cmp("rating", filter.Eq, 10.0)}, "beta,delta_1"},
			{"nested", filter.And{
				filter.Or{cmp("title", filter.Like, "A%"), cmp("title", filter.Like, "G%")},
				cmp("rating", filter.Neq, 3.0),
			}, "Alpha,Gamma"},
			{"empty and", filter.And{}, "Alpha,beta,Gamma,delta_1,ALPHA"},
			{"empty or", filter.Or{}, ""},
			{"path eq string", path("meta", []string{"color"}, filter.Eq, "red"), "Alpha"},
			{"path gt number", path("meta", []string{"size"}, filter.Gt, 2.0), "beta,ALPHA"},
			{"path lt number", path("meta", []string{"size"}, filter.Lt, 2.5), "Alpha,Gamma"},
			{"path between", path("meta", []string{"size"}, filter.Between, nil, 2.0, 10.0), "beta,Gamma,ALPHA"},
			{"path eq null: missing or JSON null", path("meta", []string{"color"}, filter.Eq, nil), "Gamma,delta_1,ALPHA"},
			{"path neq is null-aware", path("meta", []string{"color"}, filter.Neq, "red"), "beta,Gamma,delta_1,ALPHA"},
			{"path neq null", path("meta", []string{"color"}, filter.Neq, nil), "Alpha,beta"},
			{"path eq true", path("meta", []string{"ok"}, filter.Eq, true), "Alpha"},
			{"path eq false", path("meta", []string{"ok"}, filter.Eq, false), "beta"},
			{"path nested", path("meta", []string{"deep", "x"}, filter.Eq, "1"), "Alpha"},
			{"path inq", path("meta", []string{"size"}, filter.Inq, nil, 1.0, 10.0), "Alpha,beta"},
			{"path nin", path("meta", []string{"size"}, filter.Nin, nil, 1.0, 10.0), "Gamma,delta_1,ALPHA"},
			{"path like", path("meta", []string{"color"}, filter.Like, "r%"), "Alpha"},
			{"array eq matches an element", cmp("tags", filter.Eq, "c"), "beta,ALPHA"},
			{"array eq number element", cmp("tags", filter.Eq, 2.0), "beta"},
			{"array eq whole array", cmp("tags", filter.Eq, []any{"a", "c"}), "ALPHA"},
			{"array neq is null-aware", cmp("tags", filter.Neq, "a"), "beta,Gamma,delta_1"},
			{"array inq", cmpVals("tags", filter.Inq, "b", "x"), "beta"},
			{"array nin", cmpVals("tags", filter.Nin, "a", "b"), "Gamma,delta_1"},
			{"array eq null", cmp("tags", filter.Eq, nil), "Gamma,delta_1"},
			{"path ilike", path("meta", []string{"color"}, filter.ILike, "B%"), "beta"},
		}
		for _, tc := range tests {
			recs, err := e.s.Find(e.ctx, m, &filter.Filter{Where: tc.where})
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
				continue
			}
			if got := joined(titles(recs)); got != tc.want {
				t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
			}
			if got := matchedInMemory(t, e, m, tc.where); got != tc.want {
				t.Errorf("%s: filter.Matcher (change streams) got %q, want %q", tc.name, got, tc.want)
			}
			n, err := e.s.Count(e.ctx, m, tc.where)
			if err != nil || int(n) != len(recs) {
				t.Errorf("%s: count %d, %v; find returned %d", tc.name, n, err, len(recs))
			}
		}
	})
}

func TestWhereErrors(t *testing.T) {
	eachDialect(t, func(e *testEnv) {
		m := seedNotes(e)
		tests := []struct {
			name  string
			where filter.Cond
			msg   string
		}{
			{"bad path key", path("meta", []string{"a-b"}, filter.Eq, "x"), `Invalid property path "a-b": keys may contain letters, digits and '_' only`},
			{"injection in path key", path("meta", []string{`a') OR 1=1 --`}, filter.Eq, "x"), `Invalid property path "a') OR 1=1 --": keys may contain letters, digits and '_' only`},
			{"path into a string", path("title", []string{"x"}, filter.Eq, "x"), `Property "title" is not an object: "title.x" is not a valid path`},
			{"unknown property", cmp("nope", filter.Eq, 1.0), `Unknown property "nope" in where`},
			{"between needs two values", cmpVals("rating", filter.Between, 1.0), `The between operator of "rating" needs exactly 2 values`},
			{"like needs a string", cmp("title", filter.Like, 5.0), `The like operator of "title" needs a string pattern`},
			{"value of the wrong type", cmp("rating", filter.Eq, map[string]any{}), `Value for property "rating" is not a valid number`},
			{"unknown operator", cmp("rating", "near", 1.0), `Unsupported operator "near"`},
			{"invalid regexp", cmp("title", filter.Regexp, "(unclosed"), "Invalid regular expression"},
		}
		for _, tc := range tests {
			_, err := e.s.Find(e.ctx, m, &filter.Filter{Where: tc.where})
			ae := apierr.From(err)
			if ae == nil || ae.StatusCode != 400 || ae.Message != tc.msg {
				t.Errorf("%s: got %v, want 400 %q", tc.name, err, tc.msg)
			}
		}
	})
}

func TestOrderLimitSkipFields(t *testing.T) {
	eachDialect(t, func(e *testEnv) {
		m := seedNotes(e)
		tests := []struct {
			name string
			f    *filter.Filter
			want string
		}{
			{"default order is id", &filter.Filter{}, "Alpha,beta,Gamma,delta_1,ALPHA"},
			{"order by string is byte order", &filter.Filter{Order: []filter.Order{{Property: "title"}}}, "ALPHA,Alpha,Gamma,beta,delta_1"},
			{"order desc, nulls smallest", &filter.Filter{Order: []filter.Order{{Property: "rating", Desc: true}}}, "delta_1,ALPHA,beta,Alpha,Gamma"},
			{"order asc, nulls first", &filter.Filter{Order: []filter.Order{{Property: "rating"}}}, "Gamma,Alpha,beta,ALPHA,delta_1"},
			{"ties broken by id", &filter.Filter{Order: []filter.Order{{Property: "published", Desc: true}}}, "Alpha,delta_1,beta,ALPHA,Gamma"},
			{"two keys", &filter.Filter{Order: []filter.Order{{Property: "published"}, {Property: "title", Desc: true}}}, "Gamma,beta,ALPHA,delta_1,Alpha"},
			{"order by id desc", &filter.Filter{Order: []filter.Order{{Property: "id", Desc: true}}}, "ALPHA,delta_1,Gamma,beta,Alpha"},
			{"unknown order property ignored", &filter.Filter{Order: []filter.Order{{Property: "nope"}}}, "Alpha,beta,Gamma,delta_1,ALPHA"},
			{"limit", &filter.Filter{Limit: 2}, "Alpha,beta"},
			{"limit and skip", &filter.Filter{Limit: 2, Skip: 1}, "beta,Gamma"},
			{"skip without limit", &filter.Filter{Skip: 3}, "delta_1,ALPHA"},
			{"skip past the end", &filter.Filter{Skip: 10}, ""},
			{"where, order, limit", &filter.Filter{
				Where: cmp("rating", filter.Neq, nil), Order: []filter.Order{{Property: "rating", Desc: true}}, Limit: 2,
			}, "delta_1,ALPHA"},
		}
		for _, tc := range tests {
			recs, err := e.s.Find(e.ctx, m, tc.f)
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
				continue
			}
			if got := joined(titles(recs)); got != tc.want {
				t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
			}
		}

		fields := []struct {
			name string
			f    *filter.Fields
			want []string
		}{
			{"include", &filter.Fields{Include: []string{"title", "rating"}}, []string{"rating", "title"}},
			{"include without id", &filter.Fields{Include: []string{"body"}}, []string{"body"}},
			{"exclude", &filter.Fields{Exclude: []string{"body", "meta", "tags", "created"}}, []string{"id", "published", "rating", "title"}},
			{"include unknown only", &filter.Fields{Include: []string{"nope"}}, []string{}},
		}
		for _, tc := range fields {
			recs, err := e.s.Find(e.ctx, m, &filter.Filter{Fields: tc.f, Limit: 1})
			if err != nil || len(recs) != 1 {
				t.Errorf("%s: %v, %v", tc.name, recs, err)
				continue
			}
			keys := []string{}
			for k := range recs[0] {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			if !reflect.DeepEqual(keys, tc.want) {
				t.Errorf("%s: keys %v, want %v", tc.name, keys, tc.want)
			}
		}
	})
}
