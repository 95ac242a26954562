// Package rest serves models over HTTP with Echo: LoopBack's routes per model, the token
// middleware, argument coercion, remote method dispatch, remote hooks and the error envelope.
package rest

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/loopgo/loopgo/framework/schema"
)

// Func implements a remote method: it reads c.Args (and c.InstanceID for prototype methods).
type Func func(ctx context.Context, c *Call) (any, error)

// Method is one remote method of a model exposed over HTTP.
type Method struct {
	Model         *schema.Model
	Name          string // without "prototype."
	Static        bool
	Aliases       []string
	Routes        []schema.Route
	Accepts       []schema.Arg
	Returns       []schema.Arg
	AccessType    string // READ, WRITE, EXECUTE (derived when empty)
	AccessScopes  []string
	Fn            Func
	NotFoundOnNil bool // a nil result answers 404 MODEL_NOT_FOUND (findById, findOne)
	Shared        bool // exposed over REST
	// Relation and Target are set on relation methods (__get__notes, ...): the relation and the
	// related model, whose own ACL also applies.
	Relation *schema.Relation
	Target   *schema.Model
}

// StringName is "Model.name" or "Model.prototype.name", the name remote hooks match.
func (m *Method) StringName() string {
	if m.Static {
		return m.Model.Name + "." + m.Name
	}
	return m.Model.Name + ".prototype." + m.Name
}

// SharedName is "name" or "prototype.name", the key of sharedMethods settings.
func (m *Method) SharedName() string {
	if m.Static {
		return m.Name
	}
	return "prototype." + m.Name
}

// Verbs lists the HTTP verbs of the method's routes, as declared ("get", "all", ...).
func (m *Method) Verbs() []string {
	verbs := make([]string, 0, len(m.Routes))
	for _, r := range m.Routes {
		verbs = append(verbs, r.Verb)
	}
	return verbs
}

// Token is the access token resolved for a request.
type Token struct {
	Digest    string // SHA-256 hex of the raw id: the stored key
	UserID    any
	UserModel string // model name of the token's user
	TTL       int64
	Scopes    []string
	Created   time.Time
	Raw       string `json:"-"` // the raw id as sent; never logged or serialised
}

// Call is one invocation of a remote method over HTTP.
type Call struct {
	Method     *Method
	Args       map[string]any
	InstanceID any    // prototype methods: the :id path value, coerced
	PathID     string // the :id segment of the matched route ("" when the route has none)
	Token      *Token // nil when anonymous
	Echo       echo.Context
	Result     any // set after the method ran; after hooks may replace it
	Status     int // success status override (after hooks may set it)
	Err        error
	State      map[string]any // free space shared by the hooks of one call
	Header     http.Header    // extra response headers
	// AuthorizedRoles holds the roles of the ACL rules that allowed the call (LoopBack's
	// options.authorizedRoles), set by the Authorizer.
	AuthorizedRoles map[string]bool
	valuesMu        sync.Mutex
	values          map[any]any // Value and SetValue: per-call state of packages, by typed key
	srv             *Server
}

// Value returns what SetValue stored on the call under key, or nil. Keys are values of a
// package's own unexported type, as for context values, so packages never collide.
func (c *Call) Value(key any) any {
	c.valuesMu.Lock()
	defer c.valuesMu.Unlock()
	return c.values[key]
}

// SetValue stores v on the call under key, for the rest of the call (see Value).
func (c *Call) SetValue(key, v any) {
	c.valuesMu.Lock()
	defer c.valuesMu.Unlock()
	if c.values == nil {
		c.values = map[any]any{}
	}
	c.values[key] = v
}

// EachDataRecord calls fn for the call's body data: the object, or each object of an array.
func (c *Call) EachDataRecord(fn func(rec map[string]any)) {
	switch d := c.Args["data"].(type) {
	case map[string]any:
		fn(d)
	case []any:
		for _, x := range d {
			if rec, ok := x.(map[string]any); ok {
				fn(rec)
			}
		}
	}
}

// UserID returns the caller's user id, or nil when anonymous.
func (c *Call) UserID() any {
	if c.Token == nil {
		return nil
	}
	return c.Token.UserID
}

// Request returns the HTTP request.
func (c *Call) Request() *http.Request { return c.Echo.Request() }

type callKey struct{}

// CallFrom returns the Call carried by ctx (set for the duration of a remote method), or nil.
func CallFrom(ctx context.Context) *Call {
	c, _ := ctx.Value(callKey{}).(*Call)
	return c
}

// WithCall returns ctx carrying c.
func WithCall(ctx context.Context, c *Call) context.Context {
	return context.WithValue(ctx, callKey{}, c)
}
