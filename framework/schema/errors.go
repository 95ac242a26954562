package schema

import (
	"strconv"
	"strings"
)

// DefinitionError is a bad model definition, with where it was written and what to write instead.
type DefinitionError struct {
	Pos   Pos
	Model string
	Field string // e.g. "properties.rating.type"
	Msg   string // what is wrong
	Hint  string // what to write instead
}

// Error renders "file:line:col: model M: field: msg; hint", leaving out the parts that are unknown.
func (e *DefinitionError) Error() string {
	var b strings.Builder
	if e.Pos.File != "" {
		b.WriteString(e.Pos.File)
		if e.Pos.Line > 0 {
			b.WriteString(":" + strconv.Itoa(e.Pos.Line))
			if e.Pos.Column > 0 {
				b.WriteString(":" + strconv.Itoa(e.Pos.Column))
			}
		}
		b.WriteString(": ")
	}
	if e.Model != "" {
		b.WriteString("model " + e.Model + ": ")
	}
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Msg)
	if e.Hint != "" {
		b.WriteString("; " + e.Hint)
	}
	return b.String()
}

// CoerceError is a value that does not fit a type; Code is the ValidationError code.
type CoerceError struct {
	Code string
	Msg  string
}

// Error returns the message (e.g. "is not a valid number").
func (e *CoerceError) Error() string { return e.Msg }

// typeError is the CoerceError for a value that is not of type t.
func typeError(t Type) *CoerceError {
	if t == Date {
		return &CoerceError{Code: "date", Msg: "is not a valid date"}
	}
	return &CoerceError{Code: "type", Msg: "is not a valid " + string(t)}
}
