package schema

import "testing"

func TestDefinitionErrorFormat(t *testing.T) {
	tests := []struct {
		name string
		err  DefinitionError
		want string
	}{
		{"full", DefinitionError{Pos: Pos{File: "models/note.yaml", Line: 7, Column: 5}, Model: "Note",
			Field: "properties.rating.type", Msg: `unknown type "nuber"`, Hint: typeHint},
			`models/note.yaml:7:5: model Note: properties.rating.type: unknown type "nuber"; write one of string, number, boolean, date, object, array, any, geopoint, or [type]`},
		{"no model yet", DefinitionError{Pos: Pos{File: "a.yaml", Line: 1, Column: 1}, Field: "name", Msg: "missing model name", Hint: "add name"},
			"a.yaml:1:1: name: missing model name; add name"},
		{"line only", DefinitionError{Pos: Pos{File: "a.yaml", Line: 3}, Msg: "invalid YAML: x"},
			"a.yaml:3: invalid YAML: x"},
		{"go-built", DefinitionError{Model: "Note", Field: "properties.x", Msg: "bad"},
			"model Note: properties.x: bad"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestCoerceErrorMessage(t *testing.T) {
	e := &CoerceError{Code: "date", Msg: "is not a valid date"}
	if e.Error() != "is not a valid date" {
		t.Errorf("got %q", e.Error())
	}
}
