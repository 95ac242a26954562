package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/filter"
	"github.com/loopgo/loopgo/framework/schema"
)

const bodyKey = "loopgo.body"

type bodyResult struct {
	v   any
	err error
}

// maxDataDepth is LoopBack's limit on the nesting of request data.
const maxDataDepth = 32

// Body returns the request body decoded once per request: JSON (objects, arrays, values) or a
// urlencoded form (map of strings); nil for other content types. Over the limit -> 413.
func (s *Server) Body(ec echo.Context) (any, error) { return s.body(ec) }

func (s *Server) body(ec echo.Context) (any, error) {
	if req := ec.Request(); req.Body == nil || req.Method == http.MethodGet || req.Method == http.MethodHead {
		return nil, nil // nothing is read: nothing to keep for a second look
	}
	if r, ok := ec.Get(bodyKey).(*bodyResult); ok {
		return r.v, r.err
	}
	v, err := s.readBody(ec.Request())
	ec.Set(bodyKey, &bodyResult{v: v, err: err})
	return v, err
}

func (s *Server) readBody(req *http.Request) (any, error) {
	if req.Body == nil || req.Method == http.MethodGet || req.Method == http.MethodHead {
		return nil, nil
	}
	ct, _, _ := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
	isJSON := ct == "application/json" || strings.HasSuffix(ct, "+json")
	isForm := ct == "application/x-www-form-urlencoded"
	if !isJSON && !isForm {
		return nil, nil
	}
	raw, err := readLimited(req.Body, s.opts.BodyLimit)
	if err != nil {
		return nil, err
	}
	if isForm {
		return parseForm(string(raw))
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return map[string]any{}, nil
	}
	var v any
	if err := decodeJSON(raw, &v); err != nil {
		return nil, err
	}
	if depth(v, 0) > maxDataDepth {
		return nil, apierr.BadRequest("", "The data in the request body is nested too deeply (over %d levels)", maxDataDepth)
	}
	return v, nil
}

// readLimited reads a request body of at most limit bytes: 413 past it (without reading on).
func readLimited(body io.Reader, limit int64) ([]byte, error) {
	raw, err := io.ReadAll(io.LimitReader(body, limit+1))
	if errors.Is(err, echo.ErrStatusRequestEntityTooLarge) || (err == nil && int64(len(raw)) > limit) {
		return nil, errTooLarge() // over this limit, or over the app-wide one (BodyLimit)
	}
	if err != nil {
		return nil, apierr.BadRequest("", "Could not read the request body")
	}
	return raw, nil
}

// errTooLarge is body-parser's answer to a body over the limit.
func errTooLarge() error {
	return &apierr.Error{StatusCode: http.StatusRequestEntityTooLarge, Name: "PayloadTooLargeError", Message: "request entity too large"}
}

// errMalformedJSON is LoopBack's answer to a body that is not one JSON value.
func errMalformedJSON() error {
	return &apierr.Error{StatusCode: 400, Name: "SyntaxError", Message: "Malformed JSON in the request body"}
}

// decodeJSON decodes exactly one JSON value from raw into v.
func decodeJSON(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(v); err != nil {
		return errMalformedJSON()
	}
	// nothing but spaces may follow the value: `{"a":1}}` and `{} {}` are not one JSON value
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errMalformedJSON()
	}
	return nil
}

// ReadJSON decodes a JSON request body into v for routes of the application's own (boot
// routes): the body limit applies (413), and a body that is not JSON answers 400 in LoopBack's
// envelope as the REST API does; an empty body leaves v unchanged.
func (s *Server) ReadJSON(ec echo.Context, v any) error {
	req := ec.Request()
	if req.Body == nil {
		return nil
	}
	raw, err := readLimited(req.Body, s.opts.BodyLimit)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil
	}
	return decodeJSON(raw, v)
}

// WriteJSON answers v as JSON with LoopBack's content type (application/json; charset=utf-8).
func WriteJSON(ec echo.Context, status int, v any) error {
	buf, err := json.Marshal(v)
	if err != nil {
		return apierr.Internal(fmt.Errorf("encode answer: %w", err))
	}
	return ec.Blob(status, "application/json; charset=utf-8", buf)
}

func parseForm(raw string) (any, error) {
	q, err := url.ParseQuery(raw)
	if err != nil {
		return nil, apierr.BadRequest("", "Malformed form data in the request body")
	}
	out := make(map[string]any, len(q))
	for k, vs := range q {
		if len(vs) == 1 {
			out[k] = vs[0]
			continue
		}
		arr := make([]any, len(vs))
		for i, v := range vs {
			arr[i] = v
		}
		out[k] = arr
	}
	return out, nil
}

func depth(v any, d int) int {
	if d > maxDataDepth {
		return d
	}
	max := d
	switch x := v.(type) {
	case map[string]any:
		for _, e := range x {
			if n := depth(e, d+1); n > max {
				max = n
			}
		}
	case []any:
		for _, e := range x {
			if n := depth(e, d+1); n > max {
				max = n
			}
		}
	}
	return max
}

// buildArgs extracts and coerces every accepted argument of the call's method.
func (s *Server) buildArgs(ctx context.Context, call *Call, params map[string]string) error {
	m := call.Method
	call.Args = make(map[string]any, len(m.Accepts))
	ec := call.Echo
	for _, a := range m.Accepts {
		v, fromString, err := s.argValue(ec, a, params)
		if err != nil {
			return err
		}
		if missing(v) {
			if a.Required {
				return apierr.BadRequest("", "%s is a required argument", a.Name)
			}
			continue
		}
		cv, err := coerceArg(a, v, fromString)
		if err != nil {
			return err
		}
		call.Args[a.Name] = cv
	}
	return nil
}

func missing(v any) bool {
	if v == nil {
		return true
	}
	if s, ok := v.(string); ok && s == "" {
		return true
	}
	return false
}

func isStructured(t schema.Type) bool {
	switch t {
	case schema.String, schema.Number, schema.Integer, schema.Boolean, schema.Date, schema.Any, "":
		return false
	}
	return true
}

func coerceArg(a schema.Arg, v any, fromString bool) (any, error) {
	t := a.Type
	if isStructured(t) && t != schema.Array && t != schema.Object && t != schema.GeoPoint {
		t = schema.Object // a model name: the value is an object
	}
	cv, err := schema.CoerceArg(t, a.Items, v, fromString)
	if err != nil {
		var ce *schema.CoerceError
		if errors.As(err, &ce) {
			return nil, apierr.BadRequest("", "%s", ce.Msg)
		}
		return nil, apierr.BadRequest("", "%s: %s", a.Name, err.Error())
	}
	return cv, nil
}

// argValue finds an argument's raw value; fromString is true for URL, path and header values.
func (s *Server) argValue(ec echo.Context, a schema.Arg, params map[string]string) (any, bool, error) {
	switch a.Source {
	case "body":
		v, err := s.body(ec)
		if v == nil && err == nil {
			v = map[string]any{} // as body-parser: an absent body is an empty object
		}
		return v, false, err
	case "form", "formData":
		v, err := s.body(ec)
		if err != nil {
			return nil, false, err
		}
		if m, ok := v.(map[string]any); ok {
			return m[a.Name], isFormRequest(ec), nil
		}
		return nil, false, nil
	case "query":
		return s.queryArg(ec, a)
	case "path":
		if v, ok := params[a.Name]; ok {
			return v, true, nil
		}
		return nil, false, nil
	case "header":
		if v := ec.Request().Header.Get(a.Name); v != "" {
			return v, true, nil
		}
		return nil, false, nil
	case "req", "res", "context":
		return nil, false, nil
	}
	if v, ok := params[a.Name]; ok {
		return v, true, nil
	}
	if b, err := s.body(ec); err != nil {
		return nil, false, err
	} else if m, ok := b.(map[string]any); ok {
		if v, ok := m[a.Name]; ok {
			return v, isFormRequest(ec), nil
		}
	}
	if v, fs, err := s.queryArg(ec, a); err != nil || v != nil {
		return v, fs, err
	}
	if v := ec.Request().Header.Get(a.Name); v != "" {
		return v, true, nil
	}
	return nil, false, nil
}

func isFormRequest(ec echo.Context) bool {
	ct, _, _ := mime.ParseMediaType(ec.Request().Header.Get(echo.HeaderContentType))
	return ct == "application/x-www-form-urlencoded"
}

func (s *Server) queryArg(ec echo.Context, a schema.Arg) (any, bool, error) {
	q := ec.QueryParams()
	if vs, ok := q[a.Name]; ok && a.Type == schema.Array && !(len(vs) == 1 && strings.HasPrefix(vs[0], "[")) {
		arr := make([]any, len(vs))
		for i, v := range vs {
			arr[i] = v
		}
		return arr, true, nil
	}
	if a.Type == schema.Any {
		// an untyped argument: JSON when it looks like JSON, else the string (coerced sloppily)
		if vs, ok := q[a.Name]; ok && len(vs) == 1 && !looksJSON(vs[0]) {
			return vs[0], true, nil
		}
	}
	if isStructured(a.Type) || a.Type == schema.Any {
		v, present, err := filter.FromQuery(q, a.Name)
		if err != nil {
			return nil, false, err
		}
		if !present {
			return nil, false, nil
		}
		_, isString := v.(string)
		return v, isString, nil
	}
	vs, ok := q[a.Name]
	if !ok || len(vs) == 0 {
		return nil, false, nil
	}
	return vs[0], true, nil
}

// normalizeID converts a path id to the model's id type; nil when it cannot be a valid id.
func normalizeID(m *schema.Model, raw string) any {
	p := m.IDProperty()
	if p == nil || p.Type != schema.Number {
		return raw
	}
	if n, err := strconv.ParseInt(raw, 10, 64); err == nil {
		return n
	}
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return nil
	}
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return int64(f)
	}
	return f
}

// looksJSON reports whether a query value is a JSON object or array.
func looksJSON(s string) bool {
	s = strings.TrimSpace(s)
	return strings.HasPrefix(s, "{") || strings.HasPrefix(s, "[")
}

// NormalizeID converts an id value (a path string or a JSON number) to the model's id type; nil
// when it cannot be an id of that model.
func NormalizeID(m *schema.Model, v any) any {
	switch x := v.(type) {
	case string:
		return normalizeID(m, x)
	case float64, int64, int:
		return normalizeID(m, schema.IDString(x))
	}
	return v
}
