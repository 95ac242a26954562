package apierr

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// ValidationError collects per-property failures, LoopBack's 422 ValidationError.
type ValidationError struct {
	Model  string
	Order  []string // properties in the order they failed
	Codes  map[string][]string
	Msgs   map[string][]string
	Values map[string]any // the offending values (nil for hidden properties)
}

// NewValidation returns an empty ValidationError for a model.
func NewValidation(model string) *ValidationError {
	return &ValidationError{Model: model, Codes: map[string][]string{}, Msgs: map[string][]string{}, Values: map[string]any{}}
}

// Add records one failure of property prop with a code (e.g. "presence") and message.
func (v *ValidationError) Add(prop, code, msg string, value any) {
	if _, seen := v.Codes[prop]; !seen {
		v.Order = append(v.Order, prop)
		v.Values[prop] = value
	}
	v.Codes[prop] = append(v.Codes[prop], code)
	v.Msgs[prop] = append(v.Msgs[prop], msg)
}

// Empty reports whether no failure was recorded.
func (v *ValidationError) Empty() bool { return v == nil || len(v.Order) == 0 }

// Merge appends the failures of o.
func (v *ValidationError) Merge(o *ValidationError) {
	if o == nil {
		return
	}
	for _, p := range o.Order {
		for i, c := range o.Codes[p] {
			v.Add(p, c, o.Msgs[p][i], o.Values[p])
		}
	}
}

// Err returns v as an error, or nil when it is empty.
func (v *ValidationError) Err() error {
	if v.Empty() {
		return nil
	}
	return v
}

// Error renders LoopBack's message: "The `M` instance is not valid. Details: `p` msg (value: v); ...".
func (v *ValidationError) Error() string {
	parts := make([]string, 0, len(v.Order))
	for _, p := range v.Order {
		parts = append(parts, fmt.Sprintf("`%s` %s (value: %s)", p, strings.Join(v.Msgs[p], " and "), renderValue(v.Values[p])))
	}
	return fmt.Sprintf("The `%s` instance is not valid. Details: %s.", v.Model, strings.Join(parts, "; "))
}

func renderValue(x any) string {
	if x == nil {
		return "undefined"
	}
	b, err := json.Marshal(x)
	if err != nil {
		return "undefined"
	}
	s := string(b)
	if len(s) > 32 {
		s = s[:29] + "..."
	}
	return s
}

// APIError converts v to the 422 envelope error with details {context, codes, messages}.
func (v *ValidationError) APIError() *Error {
	return &Error{
		StatusCode: 422,
		Name:       "ValidationError",
		Message:    v.Error(),
		Details: map[string]any{
			"context":  v.Model,
			"codes":    v.Codes,
			"messages": v.Msgs,
		},
	}
}

// AsValidation returns err as a *ValidationError when it is (or wraps) one.
func AsValidation(err error) (*ValidationError, bool) {
	var v *ValidationError
	if errors.As(err, &v) {
		return v, true
	}
	return nil, false
}
