package schema

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/loopgo/loopgo/framework/apierr"
)

const prepYAML = `
name: Item
hidden: [secret]
properties:
	title: string
	n: number
	when: date
	secret: number
`

func prepModel(t *testing.T, strict string) *Model {
	t.Helper()
	r := mustResolve(t, "item.yaml", prepYAML+"strict: "+strict+"\n")
	return mustModel(t, r, "Item")
}

func TestPrepareData(t *testing.T) {
	tests := []struct {
		name   string
		strict string
		in     map[string]any
		want   Record
		codes  map[string][]string
		msgs   map[string][]string
		values map[string]any
	}{
		{"coerces declared properties", "true",
			map[string]any{"title": "a", "n": json.Number("2"), "when": "2020-01-02", "id": 3.0},
			Record{"title": "a", "n": 2.0, "when": utc("2020-01-02T00:00:00Z"), "id": int64(3)}, nil, nil, nil},
		{"strict true rejects unknown", "true",
			map[string]any{"title": "a", "zeta": 1.0, "alpha": "x"}, nil,
			map[string][]string{"alpha": {"unknown-property"}, "zeta": {"unknown-property"}},
			map[string][]string{"alpha": {"is not defined in the model"}, "zeta": {"is not defined in the model"}},
			map[string]any{"alpha": "x", "zeta": 1.0}},
		{"strict filter drops unknown", "filter",
			map[string]any{"title": "a", "zeta": 1.0}, Record{"title": "a"}, nil, nil, nil},
		{"strict false keeps unknown", "false",
			map[string]any{"title": "a", "zeta": json.Number("1")}, Record{"title": "a", "zeta": json.Number("1")}, nil, nil, nil},
		{"type errors", "filter",
			map[string]any{"title": []any{5.0}, "n": "x", "when": "soon", "zeta": 1.0}, nil,
			map[string][]string{"title": {"type"}, "n": {"type"}, "when": {"date"}},
			map[string][]string{"title": {"is not a valid string"}, "n": {"is not a valid number"}, "when": {"is not a valid date"}},
			map[string]any{"title": []any{5.0}, "n": "x", "when": "soon"}},
		{"hidden values are not reported", "true",
			map[string]any{"secret": "abc"}, nil,
			map[string][]string{"secret": {"type"}}, map[string][]string{"secret": {"is not a valid number"}},
			map[string]any{"secret": nil}},
		{"nil values stay", "true", map[string]any{"title": nil}, Record{"title": nil}, nil, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := prepModel(t, tt.strict)
			got, err := m.PrepareData(tt.in, false)
			if tt.codes == nil {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				if !reflect.DeepEqual(got, tt.want) {
					t.Errorf("got %#v, want %#v", got, tt.want)
				}
				return
			}
			var verr *apierr.ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("want ValidationError, got %v", err)
			}
			if verr.Model != "Item" || !reflect.DeepEqual(verr.Codes, tt.codes) || !reflect.DeepEqual(verr.Msgs, tt.msgs) || !reflect.DeepEqual(verr.Values, tt.values) {
				t.Errorf("got codes %v msgs %v values %v", verr.Codes, verr.Msgs, verr.Values)
			}
		})
	}
}

func TestPrepareDataReturnsNewMap(t *testing.T) {
	m := prepModel(t, "false")
	in := map[string]any{"title": "a"}
	out, err := m.PrepareData(in, true)
	if err != nil {
		t.Fatal(err)
	}
	out["title"] = "changed"
	if in["title"] != "a" {
		t.Error("PrepareData returned the input map")
	}
	verr := prepModel(t, "true")
	_, err = verr.PrepareData(map[string]any{"b": 1, "a": 1, "n": "x"}, false)
	v, _ := apierr.AsValidation(err)
	if v == nil || !reflect.DeepEqual(v.Order, []string{"n", "a", "b"}) {
		t.Errorf("order should be declared properties, then unknown keys sorted: %+v", v)
	}
}

func TestApplyDefaults(t *testing.T) {
	r := mustResolve(t, "a.yaml", `
name: A
properties:
	rating: {type: number, default: 3}
	tags: {type: [string], default: [a]}
	meta: {type: object, default: {k: v}}
	created: {type: date, defaultFn: now}
	key: {type: string, defaultFn: uuid}
	g: {type: string, defaultFn: guid}
	v4: {type: string, defaultFn: uuidv4}
	plain: string
`)
	m := mustModel(t, r, "A")
	now := time.Date(2024, 5, 6, 7, 8, 9, 0, time.FixedZone("x", 7200))
	rec := Record{"rating": nil, "plain": "p"}
	m.ApplyDefaults(rec, now)
	if rec["rating"] != nil {
		t.Error("an explicit nil must not be replaced")
	}
	if _, ok := rec["id"]; ok {
		t.Error("the generated id has no default")
	}
	if !reflect.DeepEqual(rec["tags"], []any{"a"}) || !reflect.DeepEqual(rec["meta"], map[string]any{"k": "v"}) {
		t.Errorf("composite defaults %v %v", rec["tags"], rec["meta"])
	}
	if rec["created"] != now.UTC() {
		t.Errorf("now default %v", rec["created"])
	}
	for _, k := range []string{"key", "g", "v4"} {
		s, _ := rec[k].(string)
		if _, err := uuid.Parse(s); err != nil {
			t.Errorf("%s = %q is not a uuid", k, s)
		}
	}
	if rec["key"] == rec["g"] {
		t.Error("uuids must differ")
	}
	rec["tags"].([]any)[0] = "changed"
	rec2 := Record{}
	m.ApplyDefaults(rec2, now)
	if rec2["tags"].([]any)[0] != "a" || rec2["rating"] != 3.0 {
		t.Errorf("defaults are shared between records: %v", rec2)
	}
}
