package schema

import (
	"reflect"
	"testing"
)

const validYAML = `
name: V
hidden: [pin]
properties:
	name: {type: string, required: true}
	nick: string
	code: string
	slug: string
	color: string
	role: string
	n: number
	tags: [string]
	email: string
	pin: {type: string, required: true}
	any: any
	must: any
validations:
	- {property: nick, kind: length, min: 2, max: 5}
	- {property: code, kind: length, is: 3}
	- {property: slug, kind: format, with: "^[a-z-]+$"}
	- {property: color, kind: inclusion, in: [red, green]}
	- {property: role, kind: exclusion, in: [admin, root], message: is not allowed}
	- {property: n, kind: numericality, int: true}
	- {property: n, kind: inclusion, in: [1, 2, 3, 4.5]}
	- {property: tags, kind: length, max: 2}
	- {property: email, kind: email}
	- {property: email, kind: uniqueness}
	- {property: any, kind: absence}
	- {property: must, kind: presence, message: must be given}
`

func TestValidate(t *testing.T) {
	m := mustModel(t, mustResolve(t, "v.yaml", validYAML), "V")
	valid := Record{"name": "x", "pin": "1", "must": 0.0}
	tests := []struct {
		name    string
		rec     Record
		partial bool
		codes   map[string][]string
		msgs    map[string][]string
	}{
		{"all rules pass", merge(valid, Record{"nick": "abc", "code": "xyz", "slug": "a-b", "color": "red", "role": "user",
			"n": 2.0, "tags": []any{"a"}, "email": "a@b.co"}), false, nil, nil},
		{"blank values skip rules but presence", merge(valid, Record{"nick": "", "code": nil, "slug": "", "color": nil, "tags": []any{}, "email": ""}), false, nil, nil},
		{"presence from required", Record{"name": "", "pin": nil, "must": false}, false,
			map[string][]string{"name": {"presence"}, "pin": {"presence"}}, map[string][]string{"name": {"can't be blank"}, "pin": {"can't be blank"}}},
		{"length min", merge(valid, Record{"nick": "a"}), false, map[string][]string{"nick": {"length.min"}}, map[string][]string{"nick": {"is too short"}}},
		{"length max", merge(valid, Record{"nick": "abcdef"}), false, map[string][]string{"nick": {"length.max"}}, map[string][]string{"nick": {"is too long"}}},
		{"length counts UTF-16 units", merge(valid, Record{"nick": "😀😀😀"}), false, map[string][]string{"nick": {"length.max"}}, map[string][]string{"nick": {"is too long"}}},
		{"length is", merge(valid, Record{"code": "ab"}), false, map[string][]string{"code": {"length.is"}}, map[string][]string{"code": {"is the wrong length"}}},
		{"array length", merge(valid, Record{"tags": []any{"a", "b", "c"}}), false, map[string][]string{"tags": {"length.max"}}, map[string][]string{"tags": {"is too long"}}},
		{"format", merge(valid, Record{"slug": "A B"}), false, map[string][]string{"slug": {"format"}}, map[string][]string{"slug": {"is invalid"}}},
		{"inclusion", merge(valid, Record{"color": "blue"}), false, map[string][]string{"color": {"inclusion"}}, map[string][]string{"color": {"is not included in the list"}}},
		{"exclusion with message", merge(valid, Record{"role": "admin"}), false, map[string][]string{"role": {"exclusion"}}, map[string][]string{"role": {"is not allowed"}}},
		{"numericality int and inclusion", merge(valid, Record{"n": 2.5}), false,
			map[string][]string{"n": {"numericality.int", "inclusion"}}, map[string][]string{"n": {"is not an integer", "is not included in the list"}}},
		{"numericality number", merge(valid, Record{"n": "7"}), false,
			map[string][]string{"n": {"numericality.number", "inclusion"}}, map[string][]string{"n": {"is not a number", "is not included in the list"}}},
		{"inclusion numeric", merge(valid, Record{"n": 4.5}), false, map[string][]string{"n": {"numericality.int"}}, map[string][]string{"n": {"is not an integer"}}},
		{"email", merge(valid, Record{"email": "foo@"}), false, map[string][]string{"email": {"custom.email"}}, map[string][]string{"email": {"is invalid"}}},
		{"email not a string", merge(valid, Record{"email": 5.0}), false, map[string][]string{"email": {"custom.string"}}, map[string][]string{"email": {"is invalid"}}},
		{"absence and presence on any", merge(valid, Record{"any": 1.0}), false, map[string][]string{"any": {"absence"}}, map[string][]string{"any": {"can't be set"}}},
		{"explicit presence rule with message", merge(valid, Record{"must": ""}), false,
			map[string][]string{"must": {"presence"}}, map[string][]string{"must": {"must be given"}}},
		{"explicit presence rule on a missing key", Record{"name": "x", "pin": "1"}, false,
			map[string][]string{"must": {"presence"}}, map[string][]string{"must": {"must be given"}}},
		{"partial checks present keys only", Record{"nick": "a"}, true, map[string][]string{"nick": {"length.min"}}, map[string][]string{"nick": {"is too short"}}},
		{"partial with nil required", Record{"name": nil}, true, map[string][]string{"name": {"presence"}}, map[string][]string{"name": {"can't be blank"}}},
		{"partial empty is valid", Record{}, true, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			verr := m.Validate(tt.rec, tt.partial)
			codes, msgs := map[string][]string(nil), map[string][]string(nil)
			if verr != nil {
				codes, msgs = verr.Codes, verr.Msgs
			}
			if !reflect.DeepEqual(codes, tt.codes) || !reflect.DeepEqual(msgs, tt.msgs) {
				t.Errorf("got codes %v msgs %v\nwant codes %v msgs %v", codes, msgs, tt.codes, tt.msgs)
			}
		})
	}
}

func merge(a, b Record) Record {
	out := Record{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

func TestValidateMessageAndHiddenValues(t *testing.T) {
	m := mustModel(t, mustResolve(t, "v.yaml", validYAML), "V")
	verr := m.Validate(Record{"name": "", "pin": "", "nick": "toolongvalue", "any": 1.0, "must": true}, false)
	if verr == nil {
		t.Fatal("want errors")
	}
	if !reflect.DeepEqual(verr.Order, []string{"name", "nick", "pin", "any"}) {
		t.Errorf("order %v", verr.Order)
	}
	if verr.Values["pin"] != nil || verr.Values["nick"] != "toolongvalue" {
		t.Errorf("values %v", verr.Values)
	}
	want := "The `V` instance is not valid. Details: `name` can't be blank (value: \"\"); `nick` is too long (value: \"toolongvalue\"); `pin` can't be blank (value: undefined); `any` can't be set (value: 1)."
	if verr.Error() != want {
		t.Errorf("got  %s\nwant %s", verr.Error(), want)
	}
}

func TestValidateUserConformance(t *testing.T) {
	u := mustModel(t, testdataRegistry(t), "User")
	tests := []struct {
		name  string
		rec   Record
		codes map[string][]string
	}{
		{"no email (lb3 11.2)", Record{"password": "x"}, map[string][]string{"email": {"presence"}}},
		{"foo@ (lb3 11.3)", Record{"password": "x", "email": "foo@"}, map[string][]string{"email": {"custom.email"}}},
		{"tld-only domain passes", Record{"password": "x", "email": "local@com"}, nil},
		{"no password", Record{"email": "a@b.c"}, map[string][]string{"password": {"presence"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			verr := u.Validate(tt.rec, false)
			var codes map[string][]string
			if verr != nil {
				codes = verr.Codes
			}
			if !reflect.DeepEqual(codes, tt.codes) {
				t.Errorf("got %v, want %v", codes, tt.codes)
			}
			if verr != nil && verr.Values["password"] != nil {
				t.Error("hidden password leaked into the error")
			}
		})
	}
}

func TestIsEmail(t *testing.T) {
	good := []string{"a@b.com", "local@com", "first.last+tag@sub.example.co.uk", "x_y-z@a-b.io", "o'neil@x.org",
		"üser@exämple.de", "a@1.2.3.4"}
	bad := []string{"", "foo@", "@b.com", "a@@b.com", "a@b..com", ".a@b.com", "a.@b.com", "a..b@c.com", "a b@c.com",
		"a@-b.com", "a@b-.com", "a@b_c.com", "a@b.com.", "abc", "a@b,com", "a(b)@c.com"}
	for _, s := range good {
		if !IsEmail(s) {
			t.Errorf("IsEmail(%q) = false", s)
		}
	}
	for _, s := range bad {
		if IsEmail(s) {
			t.Errorf("IsEmail(%q) = true", s)
		}
	}
}
