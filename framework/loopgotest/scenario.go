package loopgotest

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// Scenario is one HTTP exchange and what its answer must be; Run runs a table of them.
type Scenario struct {
	Name string // the subtest's name

	Method  string            // GET when empty
	URL     string            // path and query
	Body    any               // as Request.Body
	Token   string            // sent as Authorization
	TokenOf *string           // when set, the token is read from here when the scenario runs (one an earlier scenario's After stored)
	Headers map[string]string // as Request.Headers

	Status      int            // the expected status; required
	Contains    []string       // substrings the body must hold
	NotContains []string       // substrings the body must not hold
	JSON        map[string]any // dotted path in the JSON body -> expected value, or a Matcher (Absent, Present, Len)
	Rows        []Rows         // row counts in the database after the request

	Before func(t testing.TB, app *App)                // runs before the request
	After  func(t testing.TB, app *App, res *Response) // runs after the checks, with the answer
}

// Rows expects Count rows of Model matching Where (nil: all rows), counted through the app's
// model handle after the request.
type Rows struct {
	Model string
	Where map[string]any
	Count int64
}

// Matcher checks the value at a JSON path; ok is false when the path is absent.
type Matcher interface {
	Match(v any, ok bool) error
}

type matcherFunc func(v any, ok bool) error

func (f matcherFunc) Match(v any, ok bool) error { return f(v, ok) }

// Absent matches a path that is not in the body.
var Absent Matcher = matcherFunc(func(v any, ok bool) error {
	if ok {
		return fmt.Errorf("want absent, got %s", render(v))
	}
	return nil
})

// Present matches a path that is in the body, with any value (null included).
var Present Matcher = matcherFunc(func(v any, ok bool) error {
	if !ok {
		return fmt.Errorf("want present, is absent")
	}
	return nil
})

// Len matches a string of n bytes, or an array or object of n elements.
func Len(n int) Matcher {
	return matcherFunc(func(v any, ok bool) error {
		got := -1
		switch x := v.(type) {
		case string:
			got = len(x)
		case []any:
			got = len(x)
		case map[string]any:
			got = len(x)
		}
		if !ok || got != n {
			return fmt.Errorf("want length %d, got %s", n, render(v))
		}
		return nil
	})
}

// Run runs each scenario as a subtest on app, in order: later scenarios see what earlier ones
// wrote. Use a fresh app per call of Run for independent tables.
func Run(t *testing.T, app *App, scenarios []Scenario) {
	t.Helper()
	for _, s := range scenarios {
		t.Run(s.Name, func(t *testing.T) {
			t.Helper()
			s.Test(t, app)
		})
	}
}

// Test runs the scenario on app and reports every difference to tb (the status first: a wrong
// status stops the scenario, since its body is then another one).
func (s Scenario) Test(tb testing.TB, app *App) {
	tb.Helper()
	if s.Status == 0 {
		tb.Fatalf("scenario %q: Status is not set", s.Name)
	}
	if s.Before != nil {
		s.Before(tb, app)
	}
	tok := s.Token
	if s.TokenOf != nil {
		tok = *s.TokenOf
	}
	ex, err := app.do(Request{Method: s.Method, URL: s.URL, Body: s.Body, Token: tok, Headers: s.Headers})
	if err != nil {
		tb.Fatalf("%s %s: %v", s.Method, s.URL, err)
	}
	app.checkExchange(tb, ex)
	res := ex.Response
	if res.Status != s.Status {
		tb.Fatalf("%s %s: status %d, want %d; body: %s", ex.req.Method, s.URL, res.Status, s.Status, clip(res.Body))
	}
	body := res.String()
	for _, frag := range s.Contains {
		if !strings.Contains(body, frag) {
			tb.Errorf("%s %s: body does not contain %q: %s", ex.req.Method, s.URL, frag, clip(res.Body))
		}
	}
	for _, frag := range s.NotContains {
		if strings.Contains(body, frag) {
			tb.Errorf("%s %s: body contains %q: %s", ex.req.Method, s.URL, frag, clip(res.Body))
		}
	}
	if len(s.JSON) > 0 {
		var doc any
		if err := json.Unmarshal(res.Body, &doc); err != nil {
			tb.Errorf("%s %s: body is not JSON (%v): %s", ex.req.Method, s.URL, err, clip(res.Body))
		} else {
			for _, path := range sortedKeys(s.JSON) {
				if err := matchValue(doc, path, s.JSON[path]); err != nil {
					tb.Errorf("%s %s: %s: %v", ex.req.Method, s.URL, displayPath(path), err)
				}
			}
		}
	}
	for _, r := range s.Rows {
		n, err := app.count(r.Model, r.Where)
		if err != nil {
			tb.Errorf("%s %s: rows: %v", ex.req.Method, s.URL, err)
		} else if n != r.Count {
			tb.Errorf("%s %s: %d rows of %s where %v, want %d", ex.req.Method, s.URL, n, r.Model, r.Where, r.Count)
		}
	}
	if s.After != nil {
		s.After(tb, app, res)
	}
}

// matchValue checks the value at path against want: a Matcher, or a value equal to it once
// both are written as JSON (so 3 matches 3.0, and a map matches the object it marshals to).
func matchValue(doc any, path string, want any) error {
	got, ok := lookup(doc, path)
	if m, isMatcher := want.(Matcher); isMatcher {
		return m.Match(got, ok)
	}
	if !ok {
		return fmt.Errorf("absent, want %s", render(want))
	}
	norm, err := normalize(want)
	if err != nil {
		return fmt.Errorf("expected value: %v", err)
	}
	if !reflect.DeepEqual(got, norm) {
		return fmt.Errorf("got %s, want %s", render(got), render(norm))
	}
	return nil
}

// normalize returns v as decoded JSON (numbers float64, structs as objects).
func normalize(v any) (any, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	err = json.Unmarshal(raw, &out)
	return out, err
}

// render writes a value as JSON for a message.
func render(v any) string {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	return string(raw)
}

// displayPath names a path in a message; the whole body is "(body)".
func displayPath(p string) string {
	if p == "" {
		return "(body)"
	}
	return p
}

// clip shortens a body for a message.
func clip(b []byte) string {
	const limit = 2000
	if len(b) > limit {
		return string(b[:limit]) + "…"
	}
	return string(b)
}

// sortedKeys returns the keys of m in order, so failures are reported in a stable order.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
