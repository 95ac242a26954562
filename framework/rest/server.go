package rest

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/filter"
	"github.com/loopgo/loopgo/framework/schema"
	"github.com/loopgo/loopgo/framework/store"
)

// TokenResolver turns a raw access token id into a Token: nil, nil when unknown; an
// *apierr.Error (401 INVALID_TOKEN) when found but expired (the resolver deletes it).
type TokenResolver interface {
	ResolveToken(ctx context.Context, raw string) (*Token, error)
}

// Authorizer decides whether a call may run, and whether its caller may READ the related
// models a filter, a where or a result reaches (ReadChecker); a denial is an *apierr.Error
// (401/403/404).
type Authorizer interface {
	Authorize(ctx context.Context, c *Call) error
	ReadChecker
}

// Options configure a Server.
type Options struct {
	Root               string // restApiRoot, e.g. "/api"
	BodyLimit          int64  // bytes; 0 = 100 kB
	Logger             *slog.Logger
	Tokens             TokenResolver // nil = no token middleware
	Authorizer         Authorizer    // nil = everything allowed
	Explainer          Explainer     // serves POST <Root>/ACLs/explain; nil = no such route
	CurrentUserLiteral string        // e.g. "me"; "" = off
	CookieSecret       string        // signs token cookies (access_token, authorization); "" = cookies not read
	Models             filter.Models // for include scopes
	CaseSensitive      bool          // match paths outside Root exactly (IndexPaths is then a no-op)
	// Context, when set, derives the context a call runs with (e.g. to carry the caller's token).
	Context func(ctx context.Context, c *Call) context.Context
}

// Server holds the generated REST API of every public model, mounted on an Echo instance.
type Server struct {
	e       *echo.Echo
	opts    Options
	log     *slog.Logger
	classes []*class
	hooks   hookSet
	paths   pathsIndex // boot routes for case-insensitive matching (IndexPaths)
}

// New returns a Server mounted at opts.Root on e.
func New(e *echo.Echo, opts Options) *Server {
	if opts.Root == "" {
		opts.Root = "/api"
	}
	opts.Root = "/" + strings.Trim(opts.Root, "/")
	if opts.BodyLimit <= 0 {
		opts.BodyLimit = 100 * 1024
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	s := &Server{e: e, opts: opts, log: opts.Logger}
	e.Pre(s.foldPaths)
	e.Any(opts.Root, s.handle)
	e.Any(opts.Root+"/*", s.handle)
	if opts.Explainer != nil {
		s.mountExplain(opts.Explainer)
	}
	return s
}

// foldPaths runs foldPath before Echo routes a request.
func (s *Server) foldPaths(next echo.HandlerFunc) echo.HandlerFunc {
	return func(ec echo.Context) error {
		s.foldPath(ec.Request())
		return next(ec)
	}
}

// Root returns the REST API root path.
func (s *Server) Root() string { return s.opts.Root }

// SetAuthorizer replaces the authorizer (boot functions may install one late).
func (s *Server) SetAuthorizer(a Authorizer) { s.opts.Authorizer = a }

// SetTokens replaces the token resolver.
func (s *Server) SetTokens(t TokenResolver) { s.opts.Tokens = t }

// AddModel exposes methods of model m (stored in st) at its HTTP path; methods with Shared false
// are kept for ACL naming but get no route.
func (s *Server) AddModel(m *schema.Model, st *store.Store, methods []*Method) {
	c := &class{model: m, store: st, path: splitPath(strings.ToLower(m.HTTPPath)), byName: map[string]*Method{}}
	for _, mt := range methods {
		if !mt.Shared {
			c.byName[mt.SharedName()] = mt
			continue
		}
		c.addRoute(mt)
	}
	c.sortRoutes()
	s.classes = append(s.classes, c)
	// longest model paths first, so "a/b" wins over "a".
	sort.SliceStable(s.classes, func(i, j int) bool { return len(s.classes[i].path) > len(s.classes[j].path) })
}

// Methods returns the methods of a model by shared name ("find", "prototype.patchAttributes").
func (s *Server) Methods(model string) map[string]*Method {
	for _, c := range s.classes {
		if c.model.Name == model {
			return c.byName
		}
	}
	return nil
}

func (s *Server) findClass(segs []string) (*class, []string) {
	for _, c := range s.classes {
		// a model without a shared method (private, AccessToken, Role) answers as an unknown
		// path, so its existence is not revealed
		if len(segs) < len(c.path) || len(c.routes) == 0 {
			continue
		}
		ok := true
		for i, p := range c.path {
			if strings.ToLower(segs[i]) != p {
				ok = false
				break
			}
		}
		if ok {
			return c, segs[len(c.path):]
		}
	}
	return nil, nil
}

// handle is the single Echo handler under the REST root: it routes as LoopBack does
// (case-insensitive, trailing slash ignored) and runs the call pipeline.
func (s *Server) handle(ec echo.Context) error {
	req := ec.Request()
	ctx := req.Context()
	tok, err := s.resolveToken(ctx, ec)
	if err != nil {
		return err
	}
	path := req.URL.Path
	if s.opts.CurrentUserLiteral != "" {
		if path, err = s.rewriteCurrentUser(path, tok); err != nil {
			return err
		}
	}
	segs := splitPath(strings.TrimPrefix(path, s.opts.Root))
	c, rest := s.findClass(segs)
	if c == nil {
		return &apierr.Error{StatusCode: 404, Name: "Error", Message: fmt.Sprintf("There is no method to handle %s /%s", req.Method, strings.Join(segs, "/"))}
	}
	r, params := c.match(req.Method, rest)
	if r == nil {
		return &apierr.Error{StatusCode: 404, Name: "Error", Message: fmt.Sprintf("Shared class %q has no method handling %s /%s", c.model.Name, req.Method, strings.Join(rest, "/"))}
	}
	call := &Call{Method: r.method, Token: tok, Echo: ec, State: map[string]any{}, srv: s}
	if r.status != 0 {
		call.Status = r.status
	}
	ctx = WithCall(ctx, call)
	if s.opts.Context != nil {
		ctx = s.opts.Context(ctx, call)
	}
	return s.invoke(ctx, c, call, params)
}

// rewriteCurrentUser replaces "/<literal>" segments with the token's user id.
func (s *Server) rewriteCurrentUser(path string, tok *Token) (string, error) {
	lit := s.opts.CurrentUserLiteral
	segs := strings.Split(path, "/")
	found := false
	for i, sg := range segs {
		if sg == lit {
			found = true
			if tok == nil || tok.UserID == nil {
				return "", apierr.Unauthorized("AUTHORIZATION_REQUIRED", "Authorization Required")
			}
			segs[i] = schema.IDString(tok.UserID)
		}
	}
	if !found {
		return path, nil
	}
	return strings.Join(segs, "/"), nil
}

// invoke runs the pipeline: args -> ACL -> instance check -> before hooks -> method -> after hooks.
func (s *Server) invoke(ctx context.Context, c *class, call *Call, params map[string]string) error {
	m := call.Method
	if err := s.buildArgs(ctx, call, params); err != nil {
		return s.fail(ctx, call, err)
	}
	call.PathID = params["id"]
	if !m.Static {
		call.InstanceID = normalizeID(c.model, params["id"])
	}
	if s.opts.Authorizer != nil {
		if err := s.opts.Authorizer.Authorize(ctx, call); err != nil {
			return s.fail(ctx, call, err)
		}
	}
	if !m.Static && c.store != nil && c.model.Persisted {
		ok, err := c.store.Exists(ctx, c.model, call.InstanceID)
		if err != nil {
			return s.fail(ctx, call, err)
		}
		if !ok {
			return s.fail(ctx, call, apierr.NotFound("could not find a model with id %v", params["id"]))
		}
	}
	if err := s.hooks.run(ctx, beforeHook, call); err != nil {
		return s.fail(ctx, call, err)
	}
	res, err := m.Fn(ctx, call)
	if err != nil {
		return s.fail(ctx, call, err)
	}
	if m.NotFoundOnNil && isNil(res) {
		return s.fail(ctx, call, notFoundFor(c.model, call))
	}
	if err := call.guardResult(ctx, res); err != nil {
		return s.fail(ctx, call, err)
	}
	call.Result = res
	if err := s.hooks.run(ctx, afterHook, call); err != nil {
		return s.fail(ctx, call, err)
	}
	return s.respond(call)
}

// fail runs afterRemoteError hooks, which may replace the error, and returns it.
func (s *Server) fail(ctx context.Context, call *Call, err error) error {
	call.Err = err
	if herr := s.hooks.run(ctx, errorHook, call); herr != nil {
		return herr
	}
	return call.Err
}

func notFoundFor(m *schema.Model, call *Call) error {
	if id, ok := call.Args["id"]; ok && call.Method.Name == "findById" {
		return apierr.NotFound("Unknown %q id %q.", m.Name, fmt.Sprint(id))
	}
	if call.Method.Name == "findOne" {
		return apierr.NotFound("Unknown %q id \"undefined\".", m.Name)
	}
	return apierr.NotFound("No %q instance(s) found", m.Name)
}

func apiErr(err error) (*apierr.Error, bool) { return apierr.As(err) }

func isNil(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case schema.Record:
		return x == nil
	case Instance:
		return x.Rec == nil
	case *Instance:
		return x == nil || x.Rec == nil
	}
	return false
}

// respond writes the call's result as the method's returns say: no returns -> 204.
func (s *Server) respond(call *Call) error {
	ec := call.Echo
	for k, vs := range call.Header {
		for _, v := range vs {
			ec.Response().Header().Add(k, v)
		}
	}
	if st, ok := call.Result.(Stream); ok {
		return st.ServeStream(ec.Response(), ec.Request())
	}
	m := call.Method
	status := call.Status
	if len(m.Returns) == 0 && call.Result == nil {
		if status == 0 {
			status = http.StatusNoContent
		}
		ec.Response().Header().Set(echo.HeaderContentType, "application/json; charset=utf-8")
		return ec.NoContent(status)
	}
	if status == 0 {
		status = http.StatusOK
	}
	body := call.Result
	if len(m.Returns) > 0 && !m.Returns[0].Root {
		obj := map[string]any{}
		if len(m.Returns) == 1 {
			obj[m.Returns[0].Name] = call.Result
		} else if mp, ok := call.Result.(map[string]any); ok {
			for _, r := range m.Returns {
				obj[r.Name] = mp[r.Name]
			}
		}
		body = obj
	}
	if ec.Request().Method == http.MethodHead {
		// the headers a GET would carry, without the body (as Express answers HEAD)
		ec.Response().Header().Set(echo.HeaderContentType, "application/json; charset=utf-8")
		return ec.NoContent(status)
	}
	buf, err := s.EncodeJSON(body)
	if err != nil {
		return apierr.Internal(fmt.Errorf("encode result of %s: %w", m.StringName(), err))
	}
	return ec.Blob(status, "application/json; charset=utf-8", buf)
}
