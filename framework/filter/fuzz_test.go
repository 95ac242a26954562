package filter

import (
	"net/url"
	"testing"

	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/schema"
)

// FuzzParse feeds arbitrary strings through FromQuery and Parse, both as a JSON `filter`
// argument and as a raw query string (bracket syntax): no panic, and every error is a client
// error (*apierr.Error with a 4xx status).
func FuzzParse(f *testing.F) {
	seeds := []string{
		`{}`,
		`null`,
		`{"where":{"title":"Dune"}}`,
		`{"where":{"rating":{"gt":3,"lte":5}},"limit":5,"skip":2}`,
		`{"where":{"or":[{"title":{"like":"D%"}},{"rating":{"between":[1,2]}}]}}`,
		`{"where":{"and":[{"tags":{"inq":["a","b"]}},{"meta.isbn":{"neq":null}}]}}`,
		`{"where":{"title":{"regexp":"/^d/ig"}}}`,
		`{"where":{"title":{"regexp":"/^d/x"}}}`,
		`{"where":{"password":"x","title":{"$ne":1}}}`,
		`{"where":{"and":[{"and":[{"and":[{"and":[{"and":[{"and":[{"title":1}]}]}]}]}]}]}}`,
		`{"order":"rating DESC, title","fields":{"title":true,"password":true}}`,
		`{"order":["nope"],"fields":["title"]}`,
		`{"limit":"abc","offset":-1}`,
		`{"include":["author",{"reviews":"book"}]}`,
		`{"include":{"relation":"reviews","scope":{"where":{"stars":{"gte":4}},"include":"book"}}}`,
		`{"include":{"author":{"books":{"reviews":"book"}}}}`,
		`{"include":"ghost"}`,
		`[1,2,3]`,
		`{"where":{"author.name":"x","reviews":{"stars":{"gt":1}},"readers.name":{"inq":["a"]}}}`,
		`{"where":{"or":[{"author":{"books":{"reviews.stars":1}}},{"author.email":"x"}]}}`,
		`filter[where][author][name][like]=a%25&filter[where][reviews.book.title]=t`,
		`filter[where][or][0][title]=a&filter[where][or][1][rating][gt]=2&filter[limit]=3`,
		`filter[fields][title]=false&filter[order][]=title&filter[include][relation]=reviews`,
		`filter[where][title][inq][25]=x&filter[where][title][inq][0]=y`,
	}
	for _, s := range seeds {
		f.Add(s)
	}
	book, models := sample()
	var rels []*schema.Relation // a sane model: drop the relation whose target is undefined
	for _, r := range book.Relations {
		if models[r.Model] != nil || r.DisableInclude {
			rels = append(rels, r)
		}
	}
	book.Relations = rels
	f.Fuzz(func(t *testing.T, s string) {
		check := func(err error) {
			if err == nil {
				return
			}
			ae, ok := apierr.As(err)
			if !ok {
				t.Fatalf("error %T is not an *apierr.Error: %v", err, err)
			}
			if ae.StatusCode < 400 || ae.StatusCode >= 500 {
				t.Fatalf("status %d for %q: %v", ae.StatusCode, s, err)
			}
		}
		inputs := []url.Values{{"filter": {s}}}
		if q, err := url.ParseQuery(s); err == nil {
			inputs = append(inputs, q)
		}
		for _, q := range inputs {
			raw, _, err := FromQuery(q, "filter")
			check(err)
			if err != nil {
				continue
			}
			_, err = Parse(raw, book, models)
			check(err)
			if m, ok := raw.(map[string]any); ok {
				_, err = ParseWhere(m["where"], book)
				check(err)
				_, err = ParseWhereIn(m["where"], book, models)
				check(err)
			}
		}
	})
}
