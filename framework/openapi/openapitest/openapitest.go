// Package openapitest checks OpenAPI documents, and HTTP exchanges against them, with real
// validators (pb33f's libopenapi and libopenapi-validator), for tests: a document that does not
// describe what the server answers fails the test that made the exchange.
package openapitest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	verrors "github.com/pb33f/libopenapi-validator/errors"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
)

// Validate checks that doc is a valid OpenAPI 3.1 document: it parses, every reference
// resolves, and it passes the OpenAPI 3.1 schema.
func Validate(doc []byte) error {
	d, err := libopenapi.NewDocument(doc)
	if err != nil {
		return fmt.Errorf("parse: %w", err)
	}
	if v := d.GetVersion(); !strings.HasPrefix(v, "3.1") {
		return fmt.Errorf("openapi version %q, want 3.1", v)
	}
	if _, err := d.BuildV3Model(); err != nil {
		return fmt.Errorf("build model: %w", err)
	}
	v, errs := validator.NewValidator(d)
	if len(errs) > 0 {
		return fmt.Errorf("validator: %w", errors.Join(errs...))
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		return fmt.Errorf("document: %s", describe(verrs))
	}
	return validateSchemas(doc)
}

// validateSchemas compiles every schema of the document (components and the inline ones of
// paths) as JSON Schema 2020-12, OpenAPI 3.1's dialect, so that a schema the OpenAPI schema
// leaves unchecked (a misspelt type, a bad pattern) is an error too.
func validateSchemas(doc []byte) error {
	var root any
	if err := yaml.Unmarshal(doc, &root); err != nil {
		return fmt.Errorf("schemas: %w", err)
	}
	root = jsonValues(root)
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	const base = "file:///openapi.json"
	if err := c.AddResource(base, root); err != nil {
		return fmt.Errorf("schemas: %w", err)
	}
	var errs []error
	var walk func(v any, ptr string, isSchema bool)
	walk = func(v any, ptr string, isSchema bool) {
		if isSchema {
			if _, err := c.Compile(base + "#" + ptr); err != nil {
				errs = append(errs, fmt.Errorf("schema at %s: %w", ptr, err))
			}
			return
		}
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				p := ptr + "/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(k)
				walk(e, p, k == "schema" || ptr == "/components/schemas")
			}
		case []any:
			for i, e := range x {
				walk(e, ptr+"/"+strconv.Itoa(i), false)
			}
		}
	}
	walk(root, "", false)
	return errors.Join(errs...)
}

// jsonValues turns YAML's decoded maps into JSON's (string keys), as the compiler wants.
func jsonValues(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = jsonValues(e)
		}
		return x
	case map[any]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[fmt.Sprint(k)] = jsonValues(e)
		}
		return out
	case []any:
		for i, e := range x {
			x[i] = jsonValues(e)
		}
		return x
	case int:
		return float64(x)
	}
	return v
}

// describe renders validation errors with their schema failures.
func describe(errs []*verrors.ValidationError) string {
	var b strings.Builder
	for i, e := range errs {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(e.Message)
		if e.Reason != "" && e.Reason != e.Message {
			b.WriteString(": " + e.Reason)
		}
		for _, f := range e.SchemaValidationErrors {
			b.WriteString(" [" + f.Error() + "]")
		}
	}
	return b.String()
}

// Checker validates requests and responses against one document.
type Checker struct {
	mu     sync.Mutex
	v      validator.Validator
	root   string              // the server URL path, e.g. "/api"
	routes [][]string          // the document's path templates, split into segments
	verbs  map[string][]string // path template -> its documented verbs (upper case)
	any    map[string]bool     // path template -> its POST operation answers any verb (x-loopgo-any-verb)
}

// NewChecker returns a Checker for doc (which must be valid, see Validate). It compiles the
// schemas an exchange needs when it is checked (no start-up cost for a document of which a
// test uses a few operations).
func NewChecker(doc []byte) (*Checker, error) {
	d, err := libopenapi.NewDocument(doc)
	if err != nil {
		return nil, err
	}
	m, err := d.BuildV3Model()
	if err != nil {
		return nil, err
	}
	v, errs := validator.NewValidator(d, config.WithSchemaCache(nil))
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	c := &Checker{v: v}
	if len(m.Model.Servers) > 0 {
		c.root = "/" + strings.Trim(m.Model.Servers[0].URL, "/")
	}
	c.routes, c.verbs, c.any = templates(&m.Model)
	return c, nil
}

// templates lists the document's paths as segments, and the verbs of each path.
func templates(d *v3.Document) ([][]string, map[string][]string, map[string]bool) {
	var out [][]string
	verbs, anyVerb := map[string][]string{}, map[string]bool{}
	if d.Paths == nil {
		return out, verbs, anyVerb
	}
	for p, item := range d.Paths.PathItems.FromOldest() {
		segs := strings.Split(strings.Trim(p, "/"), "/")
		out = append(out, segs)
		key := strings.Join(segs, "/")
		for verb := range item.GetOperations().KeysFromOldest() {
			verbs[key] = append(verbs[key], strings.ToUpper(verb))
		}
		if item.Post != nil && item.Post.Extensions != nil {
			if n := item.Post.Extensions.GetOrZero("x-loopgo-any-verb"); n != nil && n.Value == "true" {
				anyVerb[key] = true
			}
		}
	}
	return out, verbs, anyVerb
}

// operationFor returns the verb of the document's operation that answers the request on the
// path it was rewritten to: its own verb, or POST where that operation answers any verb; ""
// when there is none.
func (c *Checker) operationFor(r *http.Request) string {
	segs := strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, c.root), "/"), "/")
	for _, t := range c.routes {
		if len(t) != len(segs) || !matches(t, segs) {
			continue
		}
		key := strings.Join(t, "/")
		for _, v := range c.verbs[key] {
			if v == r.Method {
				return v
			}
		}
		if c.any[key] && r.Method != http.MethodHead {
			return http.MethodPost
		}
	}
	return ""
}

// matches reports whether segments fit a template exactly (parameters match anything).
func matches(t, segs []string) bool {
	for i, s := range t {
		if !strings.HasPrefix(s, "{") && s != segs[i] {
			return false
		}
	}
	return true
}

// Documented rewrites req's path to the document's spelling (LoopBack matches paths in any
// case; the document has one) and reports whether the document has the path at all.
func (c *Checker) Documented(req *http.Request) (*http.Request, bool) {
	p := req.URL.Path
	if len(p) < len(c.root) || !strings.EqualFold(p[:len(c.root)], c.root) {
		return req, false
	}
	segs := strings.Split(strings.Trim(p[len(c.root):], "/"), "/")
	var best []string
	bestScore := -1
	for _, t := range c.routes {
		if len(t) != len(segs) {
			continue
		}
		score, ok := 0, true
		out := make([]string, len(t))
		for i, s := range t {
			switch {
			case strings.HasPrefix(s, "{"):
				out[i] = segs[i]
			case strings.EqualFold(s, segs[i]):
				out[i] = s
				score += 1 << (len(t) - i) // literal segments first, earlier ones weigh more
			default:
				ok = false
			}
			if !ok {
				break
			}
		}
		if ok && score > bestScore {
			best, bestScore = out, score
		}
	}
	if best == nil {
		return req, false
	}
	r := req.Clone(req.Context())
	u := *req.URL
	u.Path = c.root + "/" + strings.Join(best, "/")
	u.RawPath = ""
	r.URL = &u
	return r, true
}

// CheckRequest validates a request (its body given apart, as it may be read already); an
// undocumented path is not checked (checked false).
func (c *Checker) CheckRequest(req *http.Request, body []byte) (checked bool, err error) {
	r, ok := c.Documented(req)
	if !ok {
		return false, nil
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	verb := c.operationFor(r)
	if verb == "" {
		return true, fmt.Errorf("request %s %s: no such operation in the document", req.Method, req.URL.Path)
	}
	r.Method = verb
	c.mu.Lock()
	defer c.mu.Unlock()
	if ok, errs := c.v.ValidateHttpRequestSync(r); !ok {
		return true, fmt.Errorf("request %s %s: %s", req.Method, req.URL.RequestURI(), describe(errs))
	}
	return true, nil
}

// CheckResponse validates the answer to req: its status must be documented for the operation
// and its body must match the schema; an undocumented path is not checked (checked false).
func (c *Checker) CheckResponse(req *http.Request, status int, header http.Header, body []byte) (checked bool, err error) {
	r, ok := c.Documented(req)
	if !ok {
		return false, nil
	}
	r.Body = http.NoBody
	verb := c.operationFor(r)
	r.Method = verb
	if verb == "" {
		r.Method = req.Method
		switch {
		case r.Method == http.MethodHead:
			return false, nil // answered by the GET route, without a body
		case status != http.StatusNotFound:
			return true, fmt.Errorf("%s %s is not in the document, yet the server answered %d: %s", req.Method, req.URL.Path, status, clip(body))
		}
		return true, nil // a verb the API has no method for: 404, as documented by its absence
	}
	resp := &http.Response{StatusCode: status, Header: header, Body: io.NopCloser(bytes.NewReader(body)), Request: r,
		ContentLength: int64(len(body))}
	c.mu.Lock()
	defer c.mu.Unlock()
	if ok, errs := c.v.ValidateHttpResponse(r, resp); !ok {
		return true, fmt.Errorf("response %d to %s %s: %s; body: %s", status, req.Method, unescape(req.URL.RequestURI()), describe(errs), clip(body))
	}
	return true, nil
}

func unescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

func clip(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "..."
	}
	return string(b)
}
