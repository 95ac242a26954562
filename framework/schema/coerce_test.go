package schema

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"
)

// coerceCase is one coercion: a property, an input, and the expected value or error.
type coerceCase struct {
	name    string
	prop    Property
	in      any
	want    any
	errCode string // "" = success
	errMsg  string
}

func runCoerce(t *testing.T, f func(*Property, any) (any, error), cases []coerceCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.prop
			got, err := f(&p, tc.in)
			if tc.errCode != "" {
				var ce *CoerceError
				if !errors.As(err, &ce) {
					t.Fatalf("want CoerceError %s, got %#v, %v", tc.errCode, got, err)
				}
				if ce.Code != tc.errCode || ce.Msg != tc.errMsg {
					t.Errorf("got error %s %q, want %s %q", ce.Code, ce.Msg, tc.errCode, tc.errMsg)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %#v (%T), want %#v (%T)", got, got, tc.want, tc.want)
			}
		})
	}
}

var (
	pString = Property{Name: "s", Type: String}
	pNumber = Property{Name: "n", Type: Number}
	pIntID  = Property{Name: "id", Type: Number, ID: true, Generated: true}
	pBool   = Property{Name: "b", Type: Boolean}
	pDate   = Property{Name: "d", Type: Date}
	pObject = Property{Name: "o", Type: Object}
	pArray  = Property{Name: "a", Type: Array}
	pTags   = Property{Name: "tags", Type: Array, Items: String}
	pDates  = Property{Name: "ds", Type: Array, Items: Date}
	pAny    = Property{Name: "x", Type: Any}
	pGeo    = Property{Name: "g", Type: GeoPoint}
)

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func TestCoerceData(t *testing.T) {
	runCoerce(t, (*Property).CoerceData, []coerceCase{
		{"nil stays nil", pNumber, nil, nil, "", ""},
		{"string", pString, "hi", "hi", "", ""},
		{"empty string", pString, "", "", "", ""},
		{"number becomes its text", pString, 5.0, "5", "", ""},
		{"fraction becomes its text", pString, 1.5, "1.5", "", ""},
		{"bool becomes its text", pString, true, "true", "", ""},
		{"object with keys is not a string", pString, map[string]any{"a": 1.0}, nil, "type", "is not a valid string"},
		{"list is not a string", pString, []any{"a"}, nil, "type", "is not a valid string"},
		{"object is not a string", pString, map[string]any{}, nil, "type", "is not a valid string"},
		{"float64", pNumber, 2.5, 2.5, "", ""},
		{"json.Number", pNumber, json.Number("4.25"), 4.25, "", ""},
		{"int", pNumber, 7, 7.0, "", ""},
		{"int64", pNumber, int64(-3), -3.0, "", ""},
		{"numeric string", pNumber, "4", 4.0, "", ""},
		{"numeric string spaces", pNumber, " 1e3 ", 1000.0, "", ""},
		{"decimal string", pNumber, "-.5", -0.5, "", ""},
		{"non-numeric string", pNumber, "4x", nil, "type", "is not a valid number"},
		{"empty string number", pNumber, "", nil, "type", "is not a valid number"},
		{"Infinity string", pNumber, "Infinity", nil, "type", "is not a valid number"},
		{"hex float string", pNumber, "0x1p4", nil, "type", "is not a valid number"},
		{"bool is not a number", pNumber, true, nil, "type", "is not a valid number"},
		{"bad json.Number", pNumber, json.Number("x"), nil, "type", "is not a valid number"},
		{"generated id int64", pIntID, 5.0, int64(5), "", ""},
		{"generated id from json.Number", pIntID, json.Number("12"), int64(12), "", ""},
		{"generated id from string", pIntID, "12", int64(12), "", ""},
		{"generated id fraction", pIntID, 1.5, nil, "type", "is not a valid integer id"},
		{"generated id too large", pIntID, 1e300, nil, "type", "is not a valid integer id"},
		{"bool", pBool, false, false, "", ""},
		{"bool string true", pBool, "true", true, "", ""},
		{"bool string FALSE", pBool, "FALSE", false, "", ""},
		{"bool string 1", pBool, "1", true, "", ""},
		{"bool string 0", pBool, "0", false, "", ""},
		{"bool number 1", pBool, 1.0, true, "", ""},
		{"bool number 0", pBool, json.Number("0"), false, "", ""},
		{"bool number 2", pBool, 2.0, nil, "type", "is not a valid boolean"},
		{"bool yes", pBool, "yes", true, "", ""},
		{"bool off", pBool, "OFF", false, "", ""},
		{"bool empty string", pBool, "", false, "", ""},
		{"bool other word", pBool, "maybe", nil, "type", "is not a valid boolean"},
		{"date RFC3339", pDate, "2020-01-02T03:04:05Z", utc("2020-01-02T03:04:05Z"), "", ""},
		{"date toISOString", pDate, "2020-01-02T03:04:05.678Z", utc("2020-01-02T03:04:05.678Z"), "", ""},
		{"date offset to UTC", pDate, "2020-01-02T03:04:05+02:00", utc("2020-01-02T01:04:05Z"), "", ""},
		{"date compact offset", pDate, "2020-01-02T03:04:05+0200", utc("2020-01-02T01:04:05Z"), "", ""},
		{"date only", pDate, "2020-01-02", utc("2020-01-02T00:00:00Z"), "", ""},
		{"date without zone", pDate, "2020-01-02T03:04:05", utc("2020-01-02T03:04:05Z"), "", ""},
		{"date minutes", pDate, "2020-01-02T03:04", utc("2020-01-02T03:04:00Z"), "", ""},
		{"date with space", pDate, "2020-01-02 03:04:05.5", utc("2020-01-02T03:04:05.5Z"), "", ""},
		{"date RFC1123", pDate, "Thu, 02 Jan 2020 03:04:05 GMT", utc("2020-01-02T03:04:05Z"), "", ""},
		{"date epoch ms", pDate, 1577934245678.0, utc("2020-01-02T03:04:05.678Z"), "", ""},
		{"date epoch json.Number", pDate, json.Number("0"), utc("1970-01-01T00:00:00Z"), "", ""},
		{"date time.Time", pDate, time.Date(2020, 1, 2, 4, 4, 5, 0, time.FixedZone("x", 3600)), utc("2020-01-02T03:04:05Z"), "", ""},
		{"date invalid", pDate, "yesterday", nil, "date", "is not a valid date"},
		{"date invalid month", pDate, "2020-13-01", nil, "date", "is not a valid date"},
		{"date bool", pDate, true, nil, "date", "is not a valid date"},
		{"date out of range", pDate, 9e15, nil, "date", "is not a valid date"},
		{"object", pObject, map[string]any{"a": json.Number("1")}, map[string]any{"a": 1.0}, "", ""},
		{"object from list", pObject, []any{1.0}, nil, "type", "is not a valid object"},
		{"object from string", pObject, "{}", nil, "type", "is not a valid object"},
		{"array", pArray, []any{1.0, "a"}, []any{1.0, "a"}, "", ""},
		{"array of strings", pArray, []string{"a"}, []any{"a"}, "", ""},
		{"array not list", pArray, "a", nil, "type", "is not a valid array"},
		{"typed array", pTags, []any{"a", "b"}, []any{"a", "b"}, "", ""},
		{"typed array nil item", pTags, []any{"a", nil}, []any{"a", nil}, "", ""},
		{"typed array bad item", pTags, []any{"a", []any{}}, nil, "type", "item 1 is not a valid string"},
		{"dates array", pDates, []any{"2020-01-02"}, []any{utc("2020-01-02T00:00:00Z")}, "", ""},
		{"dates array bad item", pDates, []any{"x"}, nil, "date", "item 0 is not a valid date"},
		{"any as is", pAny, "5", "5", "", ""},
		{"any normalizes numbers", pAny, []any{json.Number("2")}, []any{2.0}, "", ""},
		{"geopoint object", pGeo, map[string]any{"lat": 1.5, "lng": json.Number("-2")}, map[string]any{"lat": 1.5, "lng": -2.0}, "", ""},
		{"geopoint string", pGeo, "10, 20.5", map[string]any{"lat": 10.0, "lng": 20.5}, "", ""},
		{"geopoint numeric strings", pGeo, map[string]any{"lat": "1", "lng": "2"}, map[string]any{"lat": 1.0, "lng": 2.0}, "", ""},
		{"geopoint lat range", pGeo, map[string]any{"lat": 91.0, "lng": 0.0}, nil, "type", "is not a valid geopoint"},
		{"geopoint lng range", pGeo, "0,181", nil, "type", "is not a valid geopoint"},
		{"geopoint extra key", pGeo, map[string]any{"lat": 1.0, "lng": 2.0, "x": 1.0}, nil, "type", "is not a valid geopoint"},
		{"geopoint missing", pGeo, map[string]any{"lat": 1.0}, nil, "type", "is not a valid geopoint"},
		{"geopoint bad string", pGeo, "a,b", nil, "type", "is not a valid geopoint"},
	})
}

func TestCoerceQuery(t *testing.T) {
	runCoerce(t, (*Property).CoerceQuery, []coerceCase{
		{"nil", pString, nil, nil, "", ""},
		{"string", pString, "a", "a", "", ""},
		{"string from number", pString, 5.0, "5", "", ""},
		{"string from fraction", pString, 0.25, "0.25", "", ""},
		{"string from json.Number", pString, json.Number("7"), "7", "", ""},
		{"string from bool", pString, true, "true", "", ""},
		{"string from object", pString, map[string]any{}, nil, "type", "is not a valid string"},
		{"number string", pNumber, "30", 30.0, "", ""},
		{"number float", pNumber, 2.5, 2.5, "", ""},
		{"number unparsable", pNumber, "abc", nil, "type", "is not a valid number"},
		{"number sql injection", pNumber, "1 OR 1=1", nil, "type", "is not a valid number"},
		{"number bool", pNumber, false, nil, "type", "is not a valid number"},
		{"generated id string", pIntID, "5", int64(5), "", ""},
		{"generated id fraction kept", pIntID, "5.5", 5.5, "", ""},
		{"bool true", pBool, "true", true, "", ""},
		{"bool 1", pBool, "1", true, "", ""},
		{"bool false", pBool, "false", false, "", ""},
		{"bool 0", pBool, "0", false, "", ""},
		{"bool bad", pBool, "nope", nil, "type", "is not a valid boolean"},
		{"date", pDate, "2020-01-02", utc("2020-01-02T00:00:00Z"), "", ""},
		{"date invalid", pDate, "2020-02-30", nil, "date", "is not a valid date"},
		{"object as is", pObject, "x", "x", "", ""},
		{"any as is", pAny, "5", "5", "", ""},
		{"typed array scalar as item", pTags, 5.0, "5", "", ""},
		{"typed array list", pTags, []any{"a", 1.0}, []any{"a", "1"}, "", ""},
		{"untyped array scalar", pArray, "a", "a", "", ""},
		{"geopoint", pGeo, "1,2", map[string]any{"lat": 1.0, "lng": 2.0}, "", ""},
	})
}

func TestParseDate(t *testing.T) {
	good := map[string]string{
		"2020-01-02T03:04:05.123456789Z":  "2020-01-02T03:04:05.123456789Z",
		" 2020-01-02 ":                    "2020-01-02T00:00:00Z",
		"2020-01-02T03:04:05-05:00":       "2020-01-02T08:04:05Z",
		"2020-01-02T03:04Z":               "2020-01-02T03:04:00Z",
		"Thu, 02 Jan 2020 03:04:05 +0100": "2020-01-02T02:04:05Z",
	}
	for in, want := range good {
		got, ok := ParseDate(in)
		if !ok || !got.Equal(utc(want)) || got.Location() != time.UTC {
			t.Errorf("ParseDate(%q) = %v, %v; want %s", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "2020", "2020-1-2", "02/01/2020", "2020-01-02T25:00:00Z", "1577934245678", "now"} {
		if _, ok := ParseDate(bad); ok {
			t.Errorf("ParseDate(%q) should fail", bad)
		}
	}
}
