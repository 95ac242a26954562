package loopgotest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
)

// Request is one HTTP request to an app.
type Request struct {
	Method string // GET when empty
	URL    string // path and query, e.g. /api/notes?filter[limit]=2; spaces, quotes and braces may stay unescaped
	// Body is sent as JSON: a string or []byte as it is, any other value marshalled; nil sends
	// no body. A body is sent with Content-Type: application/json unless Headers set another.
	Body    any
	Token   string            // sent as the Authorization header when not empty
	Headers map[string]string // more headers; "RemoteAddr" sets the client's address instead
}

// Response is an app's answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Do sends a request to the app's handler (no network) and returns the answer; a Body that
// cannot be marshalled fails the test.
func (a *App) Do(r Request) *Response {
	a.t.Helper()
	res, err := a.do(r)
	if err != nil {
		a.t.Fatalf("loopgotest: %s %s: %v", r.Method, r.URL, err)
	}
	a.checkExchange(a.t, res)
	return res.Response
}

// Get sends GET url with an optional token.
func (a *App) Get(url, token string) *Response {
	a.t.Helper()
	return a.Do(Request{Method: http.MethodGet, URL: url, Token: token})
}

// Post sends POST url with a JSON body and an optional token.
func (a *App) Post(url string, body any, token string) *Response {
	a.t.Helper()
	return a.Do(Request{Method: http.MethodPost, URL: url, Body: body, Token: token})
}

// Patch sends PATCH url with a JSON body and an optional token.
func (a *App) Patch(url string, body any, token string) *Response {
	a.t.Helper()
	return a.Do(Request{Method: http.MethodPatch, URL: url, Body: body, Token: token})
}

// Delete sends DELETE url with an optional token.
func (a *App) Delete(url, token string) *Response {
	a.t.Helper()
	return a.Do(Request{Method: http.MethodDelete, URL: url, Token: token})
}

// exchange is a request as sent and its answer, for the OpenAPI check.
type exchange struct {
	req  *http.Request
	sent []byte
	*Response
}

// do serves r on the app's handler.
func (a *App) do(r Request) (*exchange, error) {
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	var sent []byte
	switch b := r.Body.(type) {
	case nil:
	case string:
		sent = []byte(b)
	case []byte:
		sent = b
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			return nil, fmt.Errorf("body: %w", err)
		}
		sent = raw
	}
	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(sent)
	}
	req, err := http.NewRequest(method, "http://example.com"+r.URL, body)
	if err != nil {
		return nil, err
	}
	req.RemoteAddr = "192.0.2.1:1234" // as httptest.NewRequest
	req.RequestURI = req.URL.RequestURI()
	if r.Body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.Token != "" {
		req.Header.Set("Authorization", r.Token)
	}
	for k, v := range r.Headers {
		if k == "RemoteAddr" {
			req.RemoteAddr = v
			continue
		}
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	a.Handler().ServeHTTP(rec, req)
	return &exchange{req: req, sent: sent, Response: &Response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}}, nil
}

// String returns the body as text.
func (r *Response) String() string { return string(r.Body) }

// Decode unmarshals the JSON body into v.
func (r *Response) Decode(v any) error { return json.Unmarshal(r.Body, v) }

// JSON returns the decoded JSON body (nil when it is empty or not JSON); numbers are float64.
func (r *Response) JSON() any {
	var v any
	if json.Unmarshal(r.Body, &v) != nil {
		return nil
	}
	return v
}

// Object returns the body as a JSON object (nil when it is not one).
func (r *Response) Object() map[string]any {
	m, _ := r.JSON().(map[string]any)
	return m
}

// List returns the body as a JSON array (nil when it is not one).
func (r *Response) List() []any {
	l, _ := r.JSON().([]any)
	return l
}

// Value returns the value at a dotted path in the JSON body ("error.statusCode", "0.title";
// "" is the whole body) and whether it is there.
func (r *Response) Value(path string) (any, bool) { return lookup(r.JSON(), path) }

// Text returns the string at a dotted path in the JSON body ("" when absent or not a string).
func (r *Response) Text(path string) string {
	v, _ := r.Value(path)
	s, _ := v.(string)
	return s
}

// lookup walks a dotted path through decoded JSON: object keys, and indexes of arrays.
func lookup(v any, path string) (any, bool) {
	if path == "" {
		return v, true
	}
	for _, seg := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			next, ok := x[seg]
			if !ok {
				return nil, false
			}
			v = next
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// SignUpAndLogin creates a user by POST usersPath (e.g. /api/users) with data, then logs it in
// with the email or username and password of data, and returns the access token id. Any other
// answer than 200 fails the test.
func (a *App) SignUpAndLogin(usersPath string, data map[string]any) string {
	a.t.Helper()
	if res := a.Post(usersPath, data, ""); res.Status != http.StatusOK {
		a.t.Fatalf("loopgotest: sign-up at %s: %d %s", usersPath, res.Status, res.Body)
	}
	creds := map[string]any{}
	for _, k := range []string{"email", "username", "password"} {
		if v, ok := data[k]; ok {
			creds[k] = v
		}
	}
	return a.Login(usersPath, creds)
}

// Login logs in by POST usersPath/login with the credentials and returns the access token id.
// Any other answer than 200 with a token fails the test.
func (a *App) Login(usersPath string, creds map[string]any) string {
	a.t.Helper()
	res := a.Post(strings.TrimSuffix(usersPath, "/")+"/login", creds, "")
	tok := res.Text("id")
	if res.Status != http.StatusOK || tok == "" {
		a.t.Fatalf("loopgotest: login at %s: %d %s", usersPath, res.Status, res.Body)
	}
	return tok
}

// Count returns how many rows of model match where (nil: all), through the app's model handle;
// an error fails the test.
func (a *App) Count(model string, where map[string]any) int64 {
	a.t.Helper()
	n, err := a.count(model, where)
	if err != nil {
		a.t.Fatalf("loopgotest: %v", err)
	}
	return n
}

// count counts the rows of model matching where.
func (a *App) count(model string, where map[string]any) (int64, error) {
	var w any
	if where != nil {
		w = where
	}
	n, err := a.Model(model).Count(context.Background(), w)
	if err != nil {
		return 0, fmt.Errorf("count %s where %v: %w", model, where, err)
	}
	return n, nil
}
