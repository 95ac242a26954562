package filter

import (
	"reflect"
	"testing"
)

func TestParseTopLevel(t *testing.T) {
	book, models := sample()
	tests := []struct {
		name, filter string
		want         wantErr // zero msg = success
	}{
		{"null", `null`, wantErr{}},
		{"empty", `{}`, wantErr{}},
		{"unknown keys ignored", `{"foo":1,"collect":"x"}`, wantErr{}},
		{"string", `"x"`, wantErr{msg: `The query filter "x" is not an object`}},
		{"number", `5`, wantErr{msg: `The query filter 5 is not an object`}},
		{"array", `[1,2]`, wantErr{msg: `The query filter [1,2] is not an object`}},
		{"false", `false`, wantErr{msg: `The query filter false is not an object`}},
		{"where not object", `{"where":"x"}`, wantErr{msg: `The where clause "x" is not an object`}},
		{"where unknown property", `{"where":{"x":1}}`, wantErr{msg: `Unknown property "x" in where clause of Book`}},
		{"where dollar", `{"where":{"title":{"$gt":""}}}`, wantErr{code: CodeOperatorNotAllowed, msg: `Operators "$gt" are not allowed in query`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse(decode(t, tt.filter), book, models)
			if tt.want.msg == "" {
				if err != nil {
					t.Fatalf("Parse(%s): %v", tt.filter, err)
				}
				if !reflect.DeepEqual(f, &Filter{}) {
					t.Errorf("Parse(%s) = %+v, want an empty filter", tt.filter, f)
				}
				return
			}
			checkErr(t, err, tt.want)
		})
	}
	if _, err := Parse(nil, nil, models); err == nil {
		t.Error("nil model accepted")
	} else {
		checkErr(t, err, wantErr{status: 500, msg: "Internal Server Error"})
	}
}

func TestParseLimitSkip(t *testing.T) {
	book, _ := sample()
	tests := []struct {
		filter      string
		limit, skip int
		err         string
	}{
		{`{"limit":5}`, 5, 0, ""},
		{`{"limit":"5"}`, 5, 0, ""},
		{`{"limit":" 7 "}`, 7, 0, ""},
		{`{"limit":"1e2"}`, 100, 0, ""},
		{`{"limit":null}`, 0, 0, ""},
		{`{"limit":""}`, 0, 0, ""},
		{`{"limit":0}`, 0, 0, `The limit parameter 0 is not valid`},
		{`{"limit":"0"}`, 0, 0, `The limit parameter "0" is not valid`},
		{`{"limit":-1}`, 0, 0, `The limit parameter -1 is not valid`},
		{`{"limit":1.5}`, 0, 0, `The limit parameter 1.5 is not valid`},
		{`{"limit":"abc"}`, 0, 0, `The limit parameter "abc" is not valid`},
		{`{"limit":"NaN"}`, 0, 0, `The limit parameter "NaN" is not valid`},
		{`{"limit":"Infinity"}`, 0, 0, `The limit parameter "Infinity" is not valid`},
		{`{"limit":"0x10"}`, 0, 0, `The limit parameter "0x10" is not valid`},
		{`{"limit":true}`, 0, 0, `The limit parameter true is not valid`},
		{`{"limit":[1]}`, 0, 0, `The limit parameter [1] is not valid`},
		{`{"limit":1e300}`, 0, 0, `The limit parameter 1e+300 is not valid`},
		{`{"skip":10}`, 0, 10, ""},
		{`{"skip":0}`, 0, 0, ""},
		{`{"skip":"3"}`, 0, 3, ""},
		{`{"offset":4}`, 0, 4, ""},
		{`{"skip":2,"offset":4}`, 0, 2, ""},
		{`{"skip":null,"offset":4}`, 0, 4, ""},
		{`{"limit":2,"skip":6}`, 2, 6, ""},
		{`{"skip":-1}`, 0, 0, `The offset/skip parameter -1 is not valid`},
		{`{"offset":"x"}`, 0, 0, `The offset/skip parameter "x" is not valid`},
		{`{"skip":0.5}`, 0, 0, `The offset/skip parameter 0.5 is not valid`},
		{`{"skip":{}}`, 0, 0, `The offset/skip parameter {} is not valid`},
	}
	for _, tt := range tests {
		f, err := Parse(decode(t, tt.filter), book, nil)
		if tt.err != "" {
			checkErr(t, err, wantErr{msg: tt.err})
			continue
		}
		if err != nil {
			t.Errorf("Parse(%s): %v", tt.filter, err)
			continue
		}
		if f.Limit != tt.limit || f.Skip != tt.skip {
			t.Errorf("Parse(%s): limit %d skip %d, want %d %d", tt.filter, f.Limit, f.Skip, tt.limit, tt.skip)
		}
	}
}

func TestParseOrder(t *testing.T) {
	book, _ := sample()
	tests := []struct {
		filter string
		want   []Order
		err    string
	}{
		{`{"order":"title"}`, []Order{{Property: "title"}}, ""},
		{`{"order":"title ASC"}`, []Order{{Property: "title"}}, ""},
		{`{"order":"title desc"}`, []Order{{Property: "title", Desc: true}}, ""},
		{`{"order":"rating DESC, title"}`, []Order{{Property: "rating", Desc: true}, {Property: "title"}}, ""},
		{`{"order":" rating  DeSc ,, title asc ,"}`, []Order{{Property: "rating", Desc: true}, {Property: "title"}}, ""},
		{`{"order":["rating DESC","id"]}`, []Order{{Property: "rating", Desc: true}, {Property: "id"}}, ""},
		{`{"order":["rating DESC, title","id ASC"]}`, []Order{{Property: "rating", Desc: true}, {Property: "title"}, {Property: "id"}}, ""},
		{`{"order":""}`, nil, ""},
		{`{"order":[]}`, nil, ""},
		{`{"order":"title UP"}`, nil, `The order "title UP" has invalid direction`},
		{`{"order":"title DESC NULLS LAST"}`, nil, `The order "title DESC NULLS LAST" has invalid direction`},
		{`{"order":"nope"}`, nil, `The order property "nope" is not valid`},
		{`{"order":"password DESC"}`, nil, `The order property "password" is not valid`},
		{`{"order":"title; DROP TABLE book"}`, nil, `The order "title; DROP TABLE book" has invalid direction`},
		{`{"order":"meta.a"}`, nil, `The order property "meta.a" is not valid`},
		{`{"order":5}`, nil, `The order 5 is not valid`},
		{`{"order":["title",{"a":1}]}`, nil, `The order {"a":1} is not valid`},
	}
	for _, tt := range tests {
		f, err := Parse(decode(t, tt.filter), book, nil)
		if tt.err != "" {
			checkErr(t, err, wantErr{msg: tt.err})
			continue
		}
		if err != nil {
			t.Errorf("Parse(%s): %v", tt.filter, err)
			continue
		}
		if !reflect.DeepEqual(f.Order, tt.want) {
			t.Errorf("Parse(%s).Order = %+v, want %+v", tt.filter, f.Order, tt.want)
		}
	}
}

func TestParseFields(t *testing.T) {
	book, _ := sample()
	in := func(names ...string) *Fields { return &Fields{Include: names} }
	out := func(names ...string) *Fields { return &Fields{Exclude: names} }
	tests := []struct {
		filter string
		want   *Fields
	}{
		{`{"fields":"title"}`, in("title")},
		{`{"fields":["title","rating","title"]}`, in("title", "rating")},
		{`{"fields":["rating","title"]}`, in("rating", "title")},
		{`{"fields":["title","nope",5,"password"]}`, in("title")},
		{`{"fields":[]}`, nil},
		{`{"fields":["password"]}`, nil},
		{`{"fields":{"title":true,"rating":true}}`, in("title", "rating")},
		{`{"fields":{"rating":true,"title":1,"id":false}}`, in("title", "rating")},
		{`{"fields":{"title":true,"password":true,"nope":true}}`, in("title")},
		{`{"fields":{"title":false,"rating":0}}`, out("title", "rating")},
		{`{"fields":{"title":false,"password":false,"nope":false}}`, out("title")},
		{`{"fields":{"title":"true","rating":"false"}}`, in("title")},
		{`{"fields":{"title":"false","rating":"0","published":""}}`, out("title", "rating", "published")},
		{`{"fields":{"title":null}}`, out("title")},
		{`{"fields":{"meta":{}}}`, in("meta")},
		{`{"fields":{}}`, nil},
		{`{"fields":true}`, nil},
		{`{"fields":null}`, nil},
	}
	for _, tt := range tests {
		f, err := Parse(decode(t, tt.filter), book, nil)
		if err != nil {
			t.Errorf("Parse(%s): %v", tt.filter, err)
			continue
		}
		if !reflect.DeepEqual(f.Fields, tt.want) {
			t.Errorf("Parse(%s).Fields = %+v, want %+v", tt.filter, f.Fields, tt.want)
		}
	}
}

func TestParseDefaultID(t *testing.T) {
	_, models := sample()
	avatar := models["Avatar"] // declares no id property: "id" is LoopBack's injected default
	f, err := Parse(decode(t, `{"where":{"id":3},"order":"id DESC","fields":{"id":true,"url":true}}`), avatar, models)
	if err != nil {
		t.Fatal(err)
	}
	if got := render(t, f.Where); got != "id eq 3" {
		t.Errorf("where = %s", got)
	}
	if c := f.Where.(*Cmp); !c.Prop.ID {
		t.Errorf("default id property not marked ID: %+v", c.Prop)
	}
	if !reflect.DeepEqual(f.Order, []Order{{Property: "id", Desc: true}}) {
		t.Errorf("order = %+v", f.Order)
	}
	if !reflect.DeepEqual(f.Fields, &Fields{Include: []string{"id", "url"}}) {
		t.Errorf("fields = %+v", f.Fields)
	}
	// A model whose id has another name has no "id".
	_, err = ParseWhere(decode(t, `{"id":1}`), models["Reader"])
	checkErr(t, err, wantErr{msg: `Unknown property "id" in where clause of Reader`})
}
