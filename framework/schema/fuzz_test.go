package schema

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzParseFile feeds arbitrary bytes to the model file reader and, when a definition is
// accepted, resolves it and runs the record operations on it. It asserts that nothing panics
// and that every failure is a *DefinitionError.
func FuzzParseFile(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.yaml")
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{
		"", "name: A", "name: A\nbase: A", "- x", "name: [", "name: A\n---\nname: B",
		"name: A\nproperties: {a: [string], b: {type: date, default: 2020-01-01}}",
		"name: A\nproperties: {a: number}\nvalidations: [{property: a, kind: inclusion, in: [1, x]}]",
		"name: A\nrelations: {b: {type: hasAndBelongsToMany, model: A}}",
		"name: A\nx: &a [1, 2]\ny: *a\nz: {<<: {k: 1}}",
		"a: &a [*a]",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		r := NewRegistry()
		err := r.ParseFile("fuzz.yaml", src)
		if err == nil {
			err = r.Resolve()
		}
		if err != nil {
			var de *DefinitionError
			if !errors.As(err, &de) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			_ = de.Error()
			return
		}
		data := map[string]any{"id": 1.0, "title": "x", "n": "5", "when": "2020-01-02", "tags": []any{"a"}}
		for _, m := range r.Models() {
			rec, _ := m.PrepareData(data, false)
			if rec == nil {
				rec = Record{}
			}
			m.ApplyDefaults(rec, time.Unix(0, 0))
			_ = m.Validate(rec, false)
			_ = m.Clone()
			for _, p := range m.Properties {
				_, _ = p.CoerceQuery("1")
			}
		}
	})
}

// FuzzCoerce feeds arbitrary strings to every coercion entry point and asserts that nothing
// panics and that failures are *CoerceError values.
func FuzzCoerce(f *testing.F) {
	for _, s := range []string{"", "1", "-0.5e3", "true", "2020-01-02T03:04:05Z", `{"a":1}`, "[1,2]", "1,2", "0x10", "null"} {
		f.Add(s)
	}
	types := []Type{String, Number, Integer, Boolean, Date, Object, Array, Any, GeoPoint, "Note"}
	f.Fuzz(func(t *testing.T, s string) {
		for _, typ := range types {
			for _, v := range []any{s, []string{s, s}, map[string]any{"lat": s, "lng": s}} {
				for _, fromString := range []bool{true, false} {
					if _, err := CoerceArg(typ, Number, v, fromString); err != nil {
						var ce *CoerceError
						if !errors.As(err, &ce) {
							t.Fatalf("CoerceArg error of type %T", err)
						}
					}
				}
				if typ == Integer {
					continue
				}
				p := &Property{Name: "p", Type: typ, Items: String}
				_, _ = p.CoerceData(v)
				_, _ = p.CoerceQuery(v)
			}
		}
	})
}
