package schema

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

func TestCoerceArg(t *testing.T) {
	tests := []struct {
		name       string
		typ, items Type
		in         any
		fromString bool
		want       any
		err        string
	}{
		// values from a URL or header (sloppy)
		{"string", String, "", "a", true, "a", ""},
		{"empty string is absent", String, "", "", true, nil, ""},
		{"repeated string", String, "", []string{"a", "b"}, true, "a,b", ""},
		{"number", Number, "", "42", true, 42.0, ""},
		{"number decimal", Number, "", "-1.5e2", true, -150.0, ""},
		{"number hex", Number, "", "0x10", true, 16.0, ""},
		{"number empty", Number, "", "", true, nil, ""},
		{"number NaN", Number, "", "abc", true, nil, "Value is not a number."},
		{"number first of repeated", Number, "", []string{"3", "4"}, true, 3.0, ""},
		{"integer", Integer, "", "7", true, int64(7), ""},
		{"integer fraction", Integer, "", "7.5", true, nil, "Value is not a safe integer."},
		{"integer unsafe", Integer, "", "9007199254740993", true, nil, "Value is not a safe integer."},
		{"integer NaN", Integer, "", "x", true, nil, "Value is not a number."},
		{"boolean true", Boolean, "", "true", true, true, ""},
		{"boolean TRUE", Boolean, "", "TRUE", true, true, ""},
		{"boolean 0", Boolean, "", "0", true, false, ""},
		{"boolean bad", Boolean, "", "yes", true, nil, "Value is not a boolean."},
		{"date", Date, "", "2020-01-02T03:04:05Z", true, utc("2020-01-02T03:04:05Z"), ""},
		{"date bad", Date, "", "soon", true, nil, "Value is not a valid date."},
		{"object json", Object, "", `{"a":1}`, true, map[string]any{"a": 1.0}, ""},
		{"object json spaces", Object, "", ` {"a":[true]} `, true, map[string]any{"a": []any{true}}, ""},
		{"object bad json", Object, "", `{"a":}`, true, nil, "Cannot parse JSON-encoded object value."},
		{"object not object", Object, "", "abc", true, nil, "Value is not an object."},
		{"object null", Object, "", "null", true, nil, ""},
		{"object from brackets", Object, "", map[string]any{"a": "1"}, true, map[string]any{"a": "1"}, ""},
		{"model type is object", "Note", "", `{"title":"x"}`, true, map[string]any{"title": "x"}, ""},
		{"array json", Array, Number, "[1,2]", true, []any{1.0, 2.0}, ""},
		{"array json bad item", Array, Number, `["a"]`, true, nil, "Value is not a number."},
		{"array bad json", Array, "", "[1,]", true, nil, "Cannot parse JSON-encoded array value."},
		{"array unclosed is one item", Array, "", "[1,", true, []any{"[1,"}, ""},
		{"array repeated", Array, Number, []string{"1", "2"}, true, []any{1.0, 2.0}, ""},
		{"array single wrapped", Array, String, "a", true, []any{"a"}, ""},
		{"array any items sloppy", Array, "", []string{"1", "true", "x"}, true, []any{1.0, true, "x"}, ""},
		{"array empty", Array, "", "", true, nil, ""},
		{"any int", Any, "", "5", true, 5.0, ""},
		{"any float", Any, "", "-0.5", true, -0.5, ""},
		{"any true", Any, "", "true", true, true, ""},
		{"any False", Any, "", "False", true, false, ""},
		{"any null", Any, "", "null", true, nil, ""},
		{"any leading zero stays string", Any, "", "05", true, "05", ""},
		{"any huge stays string", Any, "", "12345678901234567890", true, "12345678901234567890", ""},
		{"any json", Any, "", `{"a":1}`, true, map[string]any{"a": 1.0}, ""},
		{"any bad json stays string", Any, "", `{a}`, true, "{a}", ""},
		{"any string", Any, "", "hello", true, "hello", ""},
		{"any empty", Any, "", "", true, nil, ""},
		{"geopoint", GeoPoint, "", "1,2", true, map[string]any{"lat": 1.0, "lng": 2.0}, ""},
		{"geopoint bad", GeoPoint, "", "x", true, nil, "Value is not a valid geopoint."},
		// values from a JSON body (typed)
		{"json string", String, "", "a", false, "a", ""},
		{"json string from number", String, "", 1.0, false, nil, "Value is not a string."},
		{"json number", Number, "", json.Number("2.5"), false, 2.5, ""},
		{"json number from string", Number, "", "2", false, nil, "Value is not a number."},
		{"json integer", Integer, "", 3.0, false, int64(3), ""},
		{"json integer fraction", Integer, "", 3.5, false, nil, "Value is not a safe integer."},
		{"json boolean", Boolean, "", true, false, true, ""},
		{"json boolean from string", Boolean, "", "true", false, nil, "Value is not a boolean."},
		{"json date string", Date, "", "2020-01-02", false, utc("2020-01-02T00:00:00Z"), ""},
		{"json date ms", Date, "", 0.0, false, utc("1970-01-01T00:00:00Z"), ""},
		{"json date bool", Date, "", true, false, nil, "Value is not a valid date."},
		{"json object", Object, "", map[string]any{"a": json.Number("1")}, false, map[string]any{"a": 1.0}, ""},
		{"json object from list", Object, "", []any{}, false, nil, "Value is not an object."},
		{"json object from string", Object, "", `{"a":1}`, false, nil, "Value is not an object."},
		{"json array", Array, String, []any{"a"}, false, []any{"a"}, ""},
		{"json array bad item", Array, String, []any{1.0}, false, nil, "Value is not a string."},
		{"json array not list", Array, "", "a", false, nil, "Value is not an array."},
		{"json any", Any, "", "5", false, "5", ""},
		{"json nil", Number, "", nil, false, nil, ""},
		{"file passes", "file", "", "x", false, "x", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CoerceArg(tt.typ, tt.items, tt.in, tt.fromString)
			if tt.err != "" {
				var ce *CoerceError
				if !errors.As(err, &ce) || ce.Msg != tt.err {
					t.Fatalf("got %#v, %v; want error %q", got, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v (%T), want %#v (%T)", got, got, tt.want, tt.want)
			}
		})
	}
}
