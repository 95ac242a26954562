package schema

import (
	"encoding/json"
	"math"
	"testing"
	"time"
)

type stringer struct{}

func (stringer) String() string { return "s" }

func TestNumberConversions(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	cases := []struct {
		name        string
		v           any
		float       float64
		isFloat     bool
		isNumber    bool // AsNumber
		parsed      bool // ParseNumber
		parsedValue float64
	}{
		{"float64", 2.5, 2.5, true, true, true, 2.5},
		{"int64", int64(1) << 53, 1 << 53, true, true, true, 1 << 53},
		{"int", -3, -3, true, true, true, -3},
		{"float32", float32(0.5), 0.5, true, true, true, 0.5},
		{"int8", int8(-8), -8, true, true, true, -8},
		{"uint64", uint64(7), 7, true, true, true, 7},
		{"uint8", uint8(255), 255, true, true, true, 255},
		{"json.Number", json.Number("12.5"), 12.5, true, true, true, 12.5},
		{"json.Number out of range", json.Number("1e400"), 0, false, false, false, 0},
		{"NaN", nan, 0, true, false, false, 0},
		{"+Inf", inf, inf, true, false, false, 0},
		{"numeric string", " 42 ", 0, false, false, true, 42},
		{"string NaN", "NaN", 0, false, false, false, 0},
		{"string Inf", "Inf", 0, false, false, false, 0},
		{"word", "abc", 0, false, false, false, 0},
		{"empty string", "", 0, false, false, false, 0},
		{"nil", nil, 0, false, false, false, 0},
		{"bool", true, 0, false, false, false, 0},
		{"list", []any{1}, 0, false, false, false, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, ok := AsFloat(c.v)
			if ok != c.isFloat || (ok && !math.IsNaN(c.float) && f != c.float && c.name != "NaN") {
				t.Errorf("AsFloat = %v, %v; want %v, %v", f, ok, c.float, c.isFloat)
			}
			if c.name == "NaN" && !math.IsNaN(f) {
				t.Errorf("AsFloat(NaN) = %v", f)
			}
			n, ok := AsNumber(c.v)
			if ok != c.isNumber || (ok && n != c.float) {
				t.Errorf("AsNumber = %v, %v; want %v", n, ok, c.isNumber)
			}
			p, ok := ParseNumber(c.v)
			if ok != c.parsed || (ok && p != c.parsedValue) {
				t.Errorf("ParseNumber = %v, %v; want %v, %v", p, ok, c.parsedValue, c.parsed)
			}
		})
	}
}

func TestTruthy(t *testing.T) {
	cases := []struct {
		v    any
		want bool
	}{
		{nil, false}, {false, false}, {true, true}, {"", false}, {"0", true}, {"false", true}, {"x", true},
		{0.0, false}, {math.NaN(), false}, {math.Inf(-1), true}, {-1.5, true}, {int64(0), false}, {int64(2), true},
		{0, false}, {1, true}, {int32(0), false}, {uint64(0), false}, {uint8(3), true}, {float32(0), false},
		{json.Number("0"), false}, {json.Number("0.0"), false}, {json.Number("3"), true}, {json.Number("x"), false},
		{map[string]any{}, true}, {[]any{}, true}, {time.Time{}, true},
	}
	for _, c := range cases {
		if got := Truthy(c.v); got != c.want {
			t.Errorf("Truthy(%#v) = %v, want %v", c.v, got, c.want)
		}
	}
}

func TestIDString(t *testing.T) {
	cases := []struct {
		v    any
		want string
	}{
		{nil, ""}, {"5", "5"}, {[]byte("ab"), "ab"}, {5, "5"}, {int64(5), "5"}, {5.0, "5"}, {int8(-5), "-5"},
		{int16(5), "5"}, {int32(5), "5"}, {uint(5), "5"}, {uint8(5), "5"}, {uint16(5), "5"}, {uint32(5), "5"},
		{uint64(1) << 63, "9223372036854775808"}, {2.5, "2.5"}, {float32(2.5), "2.5"}, {1e21, "1000000000000000000000"},
		{stringer{}, "s"}, {true, "true"}, {json.Number("7"), "7"},
	}
	for _, c := range cases {
		if got := IDString(c.v); got != c.want {
			t.Errorf("IDString(%#v) = %q, want %q", c.v, got, c.want)
		}
	}
}

func TestDefaultForeignKeys(t *testing.T) {
	cases := []struct {
		name string
		got  string
		want string
	}{
		{"model", DefaultForeignKey("UserProfile"), "userProfileId"},
		{"model lower already", DefaultForeignKey("note"), "noteId"},
		{"model non-ASCII", DefaultForeignKey("Élan"), "élanId"},
		{"empty model", DefaultForeignKey(""), "Id"},
		{"belongsTo keeps the case", DefaultBelongsToKey("Owner"), "OwnerId"},
		{"written key", (&Relation{Name: "owner", Type: BelongsTo, ForeignKey: "by"}).ForeignKeyName("Note"), "by"},
		{"belongsTo default", (&Relation{Name: "author", Type: BelongsTo}).ForeignKeyName("Note"), "authorId"},
		{"hasMany default", (&Relation{Name: "notes", Type: HasMany}).ForeignKeyName("UserProfile"), "userProfileId"},
		{"hasOne default", (&Relation{Name: "profile", Type: HasOne}).ForeignKeyName("User"), "userId"},
		{"through default", (&Relation{Name: "tags", Type: HasAndBelongsToMany, Model: "Tag"}).ForeignKeyName("Note"), "noteId"},
		{"keyThrough default", (&Relation{Name: "tags", Type: HasMany, Model: "TagGroup", Through: "Link"}).KeyThroughName(), "tagGroupId"},
		{"keyThrough written", (&Relation{Name: "tags", KeyThrough: "t"}).KeyThroughName(), "t"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s: %q, want %q", c.name, c.got, c.want)
		}
	}
}
