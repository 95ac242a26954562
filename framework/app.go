// Package framework is Loopgo's application: a registry of models, datasources and boot
// functions that serves LoopBack 3's REST API with Echo.
package framework

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/labstack/echo/v4"
	"gopkg.in/yaml.v3"

	"github.com/loopgo/loopgo/framework/accounts"
	"github.com/loopgo/loopgo/framework/acl"
	"github.com/loopgo/loopgo/framework/authz"
	"github.com/loopgo/loopgo/framework/filter"
	"github.com/loopgo/loopgo/framework/openapi"
	"github.com/loopgo/loopgo/framework/rest"
	"github.com/loopgo/loopgo/framework/schema"
	"github.com/loopgo/loopgo/framework/store"
	"github.com/loopgo/loopgo/framework/throttle"
)

// BootFunc runs once at start-up, after models and datasources are ready, before listening.
type BootFunc func(ctx context.Context, app *App) error

type bootEntry struct {
	name string
	fn   BootFunc
}

// App is a Loopgo application.
type App struct {
	cfg           Config
	log           *slog.Logger
	reg           *schema.Registry
	echo          *echo.Echo
	rest          *rest.Server
	modelCfg      map[string]ModelConfig
	stores        map[string]*store.Store
	attached      map[string]*store.Store // model name -> its datasource
	handles       map[string]*Model
	boots         []bootEntry
	observers     []observer
	remoteHooks   []remoteHook
	setup         bool
	mu            sync.Mutex
	server        *http.Server
	addr          net.Addr
	ready         chan struct{}
	readyOnce     sync.Once
	draining      atomic.Bool // shutdown has begun: the health check answers 503
	closeOnce     sync.Once
	roles         *acl.Roles
	corsOn        bool
	mixins        map[string]MixinFunc
	authorization *authz.Authorizer
	accounts      *accounts.Service // users, tokens, account lifecycle (accounts_api.go)
	apiDoc        *openapi.Document
	streams       *changeStreams // change streams (changestream.go); nil when off
}

// New returns an App for cfg; the built-in models (User, AccessToken, ...) are already loaded.
func New(cfg Config) (*App, error) {
	cfg = cfg.withDefaults()
	level, logRequests, err := cfg.requestLogLevel()
	if err != nil {
		return nil, err
	}
	a := &App{
		cfg: cfg, log: cfg.Logger, reg: schema.NewRegistry(),
		modelCfg: map[string]ModelConfig{}, stores: map[string]*store.Store{},
		attached: map[string]*store.Store{}, handles: map[string]*Model{}, ready: make(chan struct{}),
		roles:  acl.NewRoles(),
		mixins: map[string]MixinFunc{"TimeStamp": TimeStamp},
	}
	a.echo = rest.NewEcho(rest.EchoOptions{
		Logger: a.log, RequestLog: logRequests, RequestLogLevel: level, TrustProxy: cfg.TrustProxy,
		BodyLimit: cfg.bodyLimit(), CORS: rest.CORS{AllowOrigins: cfg.CORS.AllowOrigins, AllowCredentials: cfg.CORS.AllowCredentials},
	})
	a.corsOn = len(cfg.CORS.AllowOrigins) > 0
	a.authorization = a.newAuthorizer()
	if err := a.loadFS(accounts.FS, "models"); err != nil {
		return nil, fmt.Errorf("built-in models: %w", err)
	}
	if err := a.reg.ParseFile("throttle.yaml", throttle.ModelYAML); err != nil {
		return nil, fmt.Errorf("throttle model: %w", err)
	}
	if err := a.reg.ParseFile("throttle-lock.yaml", throttle.LockModelYAML); err != nil {
		return nil, fmt.Errorf("throttle lock model: %w", err)
	}
	a.installAccounts()
	a.Model("ACL").Observe("after save", a.authorization.InvalidateACLs).Observe("after delete", a.authorization.InvalidateACLs)
	return a, nil
}

// Config returns the application configuration.
func (a *App) Config() Config { return a.cfg }

// Logger returns the application logger.
func (a *App) Logger() *slog.Logger { return a.log }

// Echo returns the Echo instance, for boot functions that add routes and middleware.
func (a *App) Echo() *echo.Echo { return a.echo }

// Registry returns the model definitions.
func (a *App) Registry() *schema.Registry { return a.reg }

// LoadModels reads every *.yaml model file at the root of fsys, and model-config.yaml, which
// attaches models to datasources.
func (a *App) LoadModels(fsys fs.FS) error { return a.loadFS(fsys, ".") }

func (a *App) loadFS(fsys fs.FS, dir string) error {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return fmt.Errorf("read models: %w", err)
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if !e.IsDir() && (strings.HasSuffix(e.Name(), ".yaml") || strings.HasSuffix(e.Name(), ".yml")) {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	for _, n := range names {
		src, err := fs.ReadFile(fsys, path.Join(dir, n))
		if err != nil {
			return fmt.Errorf("read %s: %w", n, err)
		}
		if strings.TrimSuffix(strings.TrimSuffix(n, ".yml"), ".yaml") == "model-config" {
			mc, err := parseModelConfig(n, src)
			if err != nil {
				return err
			}
			for k, v := range mc {
				a.modelCfg[k] = v
			}
			continue
		}
		if err := a.reg.ParseFile(n, src); err != nil {
			return err
		}
	}
	return nil
}

// AttachModel attaches a model to a datasource from Go (like a model-config.yaml entry).
func (a *App) AttachModel(name, datasource string, public bool) {
	a.modelCfg[name] = ModelConfig{DataSource: datasource, Public: &public}
}

// Boot registers a boot function; they run in registration order during Setup.
func (a *App) Boot(name string, fn BootFunc) {
	a.boots = append(a.boots, bootEntry{name: name, fn: fn})
}

// Store returns the datasource with that name (after Setup), or nil.
func (a *App) Store(name string) *store.Store { return a.stores[name] }

// StoreOf returns the datasource a model is attached to (after Setup), or nil.
func (a *App) StoreOf(model string) *store.Store { return a.attached[model] }

// Setup resolves models, opens datasources, migrates tables, builds the REST API and runs the
// boot functions. Start calls it; tests call it to use Handler without listening.
func (a *App) Setup(ctx context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.setup {
		return nil
	}
	if err := a.resolveModels(); err != nil {
		return err
	}
	// connecting and migrating have a deadline: a database that accepts connections but never
	// answers must not hang start-up
	dbctx, cancel := context.WithTimeout(ctx, a.cfg.Timeouts.withDefaults().Startup)
	defer cancel()
	if err := a.openDatasources(dbctx); err != nil {
		return err
	}
	if err := a.migrate(dbctx); err != nil {
		return err
	}
	if err := a.setupChangeStreams(dbctx); err != nil {
		return err
	}
	if err := a.setupAccounts(); err != nil {
		return err
	}
	a.installOwnerGuards()
	if err := a.buildREST(); err != nil {
		return err
	}
	for _, b := range a.boots {
		if err := b.fn(ctx, a); err != nil {
			return fmt.Errorf("boot function %q: %w", b.name, err)
		}
	}
	if err := a.finishUserModels(ctx); err != nil {
		return err
	}
	if err := a.setupOpenAPI(); err != nil {
		return err
	}
	a.rest.IndexPaths()
	a.setup = true
	return nil
}

// resolveModels applies model-config's relations, ACLs and options, resolves the definitions,
// attaches the implicit models, applies mixins and checks relation scopes: the first step of
// Setup, before any datasource is opened.
func (a *App) resolveModels() error {
	for name, mc := range a.modelCfg {
		if mc.Relations.Kind != 0 || mc.ACLs.Kind != 0 || mc.OptionsDef.Kind != 0 {
			if err := a.reg.ExtendFromConfig(mc.file, name, nodeOrNil(&mc.Relations), nodeOrNil(&mc.ACLs), nodeOrNil(&mc.OptionsDef)); err != nil {
				return err
			}
		}
	}
	if err := a.reg.Resolve(); err != nil {
		return err
	}
	a.implicitAttachments()
	if err := a.applyMixins(); err != nil {
		return err
	}
	return a.checkRelationScopes()
}

// implicitAttachments attaches AccessToken (unless model-config lists it) and the throttle's
// event model beside the first user model: user models need both.
func (a *App) implicitAttachments() {
	for _, m := range a.reg.Models() {
		mc, ok := a.modelCfg[m.Name]
		if !ok || !m.IsA("User") || mc.DataSource == "" {
			continue
		}
		for _, name := range []string{"AccessToken", throttle.ModelName, throttle.LockModelName} {
			if _, listed := a.modelCfg[name]; !listed {
				a.AttachModel(name, mc.DataSource, false)
			}
		}
		return
	}
}

func (a *App) openDatasources(ctx context.Context) error {
	used := map[string]bool{}
	for name, mc := range a.modelCfg {
		m := a.reg.Model(name)
		if m == nil {
			return fmt.Errorf("model-config: model %q is not defined; known models: %s", name, strings.Join(a.modelNames(), ", "))
		}
		if mc.DataSource == "" {
			continue
		}
		if _, ok := a.cfg.Datasources[mc.DataSource]; !ok {
			return fmt.Errorf("model-config: model %q uses datasource %q, which is not configured; add it under datasources: in the config", name, mc.DataSource)
		}
		used[mc.DataSource] = true
	}
	names := make([]string, 0, len(used))
	for n := range used {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		ds := a.cfg.Datasources[n]
		st, err := store.Open(ctx, n, ds.URL, store.Options{Logger: a.log, MaxOpenConns: ds.MaxOpenConns})
		if err != nil {
			return fmt.Errorf("datasource %q (%s): %w", n, redactURL(ds.URL), err)
		}
		a.stores[n] = st
		a.registerObservers(st)
	}
	for name, mc := range a.modelCfg {
		if mc.DataSource != "" {
			a.attached[name] = a.stores[mc.DataSource]
		}
	}
	a.attachJoinModels()
	return nil
}

// attachJoinModels attaches the join model of every hasAndBelongsToMany relation (written in
// `through`, or made by the schema as <From><To>) beside its model, not exposed, when
// model-config does not list it.
func (a *App) attachJoinModels() {
	for _, m := range a.reg.Models() {
		st := a.attached[m.Name]
		if st == nil {
			continue
		}
		for _, r := range m.Relations {
			if r.Through == "" || a.attached[r.Through] != nil {
				continue
			}
			if _, listed := a.modelCfg[r.Through]; listed {
				continue
			}
			a.attached[r.Through] = st
			a.AttachModel(r.Through, st.Name(), false)
		}
	}
}

func (a *App) modelNames() []string {
	var out []string
	for _, m := range a.reg.Models() {
		out = append(out, m.Name)
	}
	return out
}

func (a *App) migrate(ctx context.Context) error {
	_, err := a.migrateReport(ctx) // migrations.go
	return err
}

// buildREST creates the REST server and exposes every public attached model.
func (a *App) buildREST() error {
	a.rest = rest.New(a.echo, rest.Options{
		Root: a.cfg.RestAPIRoot, BodyLimit: a.cfg.bodyLimit(), Logger: a.log,
		CurrentUserLiteral: a.cfg.CurrentUserLiteral, Models: a.reg, Context: callContext,
		CookieSecret: a.cfg.CookieSecret, CaseSensitive: a.cfg.CaseSensitivePaths,
		Authorizer: a.authorization, Explainer: a.authorization,
	})
	if a.attached["AccessToken"] != nil {
		a.rest.SetTokens(a)
	}
	a.mountHealth()
	for _, h := range a.remoteHooks {
		a.registerRemoteHook(h)
	}
	var errs []error
	for _, m := range a.reg.Models() {
		mc, ok := a.modelCfg[m.Name]
		if !ok {
			continue
		}
		st := a.attached[m.Name]
		var methods []*rest.Method
		if m.Persisted && st != nil {
			methods = rest.PersistedMethods(m, st, a.reg)
			methods = append(methods, rest.RelationMethods(m, st, a.reg, a.StoreOf)...)
			methods = append(methods, a.changeStreamMethods(m)...)
		}
		declared, err := a.declaredMethods(m)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		methods = append(methods, declared...)
		rest.ApplySharedMethods(methods, a.cfg.Remoting.SharedMethods, sharedMethodsOption(mc.Options))
		relaxResetScope(m, methods)
		if !mc.IsPublic() {
			for _, mt := range methods {
				mt.Shared = false
			}
		}
		a.rest.AddModel(m, st, methods)
	}
	for name, h := range a.handles {
		for mname := range h.impls {
			m := a.reg.Model(name)
			if m == nil || m.Method(strings.TrimPrefix(mname, "prototype."), !strings.HasPrefix(mname, "prototype.")) == nil {
				errs = append(errs, fmt.Errorf("model %s: method %q is implemented in Go but not declared under methods: in the model's YAML; declare it or remove the implementation", name, mname))
			}
		}
	}
	return errors.Join(errs...)
}

func sharedMethodsOption(opts map[string]any) map[string]bool {
	remoting, _ := opts["remoting"].(map[string]any)
	sm, _ := remoting["sharedMethods"].(map[string]any)
	out := map[string]bool{}
	for k, v := range sm {
		if b, ok := v.(bool); ok {
			out[k] = b
		}
	}
	return out
}

// declaredMethods turns a model's YAML methods into REST methods bound to their Go functions.
func (a *App) declaredMethods(m *schema.Model) ([]*rest.Method, error) {
	var out []*rest.Method
	var errs []error
	for _, d := range m.Methods {
		key := d.Name
		if !d.Static {
			key = "prototype." + d.Name
		}
		fn := a.implFor(m, key)
		if fn == nil {
			errs = append(errs, fmt.Errorf("%s:%d: model %s declares method %q but no Go function implements it; bind one with app.Model(%q).Method(%q, fn)", d.Pos.File, d.Pos.Line, m.Name, key, m.Name, key))
			continue
		}
		routes := d.HTTP
		if len(routes) == 0 {
			routes = []schema.Route{{Verb: "all", Path: "/" + d.Name}}
		}
		out = append(out, &rest.Method{
			Model: m, Name: d.Name, Static: d.Static, Routes: routes, Accepts: d.Accepts,
			Returns: d.Returns, AccessType: d.AccessType, AccessScopes: d.AccessScopes, Fn: fn, Shared: true,
		})
	}
	return out, errors.Join(errs...)
}

// implFor finds the Go implementation of a method on the model or, inherited, on its bases.
func (a *App) implFor(m *schema.Model, key string) rest.Func {
	for x := m; x != nil; x = x.Parent {
		if h := a.handles[x.Name]; h != nil {
			if fn := h.impls[key]; fn != nil {
				return fn
			}
		}
	}
	return nil
}

// ReadJSON decodes the JSON body of a request to one of the application's own routes (a boot
// route) into v, under the configured body limit: an oversized body is a 413 and one that is
// not JSON a 400, in LoopBack's error envelope when the handler returns the error.
func (a *App) ReadJSON(c echo.Context, v any) error { return a.rest.ReadJSON(c, v) }

// WriteJSON answers v as JSON with LoopBack's content type, application/json; charset=utf-8.
func WriteJSON(c echo.Context, status int, v any) error { return rest.WriteJSON(c, status, v) }

// REST returns the REST server (after Setup).
func (a *App) REST() *rest.Server { return a.rest }

// Handler returns the HTTP handler of the application (after Setup).
func (a *App) Handler() http.Handler { return a.echo }

// Start sets the app up and serves HTTP on the configured host and port until ctx is cancelled,
// then shuts down gracefully.
func (a *App) Start(ctx context.Context) error {
	if err := a.Setup(ctx); err != nil {
		return err
	}
	addr := net.JoinHostPort(a.cfg.Host, strconv.Itoa(a.cfg.Port))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	return a.Serve(ctx, ln)
}

// Serve serves HTTP on ln (after Setup) until ctx is cancelled, then lets in-flight requests
// finish within the shutdown grace period, cuts the rest, and closes the datasources.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	a.addr = ln.Addr()
	t := a.cfg.Timeouts.withDefaults()
	a.server = &http.Server{Handler: a.echo, ReadHeaderTimeout: t.ReadHeader, ReadTimeout: t.Read,
		WriteTimeout: t.Write, IdleTimeout: t.Idle,
		ErrorLog: slog.NewLogLogger(a.log.Handler(), slog.LevelDebug)}
	a.log.Info("Loopgo listening", "url", "http://"+ln.Addr().String(), "restApiRoot", a.cfg.RestAPIRoot)
	a.readyOnce.Do(func() { close(a.ready) })
	errc := make(chan error, 1)
	go func() { errc <- a.server.Serve(ln) }()
	select {
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil // Shutdown was called directly
		}
		_ = a.closeStores()
		return fmt.Errorf("serve on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	a.log.Info("Loopgo shutting down", "grace", t.Shutdown.String())
	sctx, cancel := context.WithTimeout(context.Background(), t.Shutdown)
	defer cancel()
	return a.Shutdown(sctx)
}

// Addr returns the listening address once Start is serving; it waits until then.
func (a *App) Addr() net.Addr {
	<-a.ready
	return a.addr
}

// Shutdown stops the HTTP server, letting in-flight requests finish until ctx ends and cutting
// those still running then (logged, not an error), and closes the datasources.
func (a *App) Shutdown(ctx context.Context) error {
	a.draining.Store(true)
	a.closeChangeStreams(ctx) // streaming requests never finish by themselves
	if a.server != nil {
		if err := a.server.Shutdown(ctx); err != nil {
			a.log.Warn("shutdown grace period over: open connections cut", "err", err)
			_ = a.server.Close()
		}
	}
	return a.closeStores()
}

// closeStores closes every datasource once.
func (a *App) closeStores() error {
	var errs []error
	a.closeOnce.Do(func() {
		for _, st := range a.stores {
			errs = append(errs, st.Close())
		}
	})
	return errors.Join(errs...)
}

// SetCurrentUserLiteral turns on LoopBack's currentUserLiteral (e.g. "me" in /users/me); call
// it before Setup.
func (a *App) SetCurrentUserLiteral(literal string) { a.cfg.CurrentUserLiteral = literal }

// SetACLErrorStatus sets the status of a denied call that carries a token: 401 (default, as
// LoopBack), 403 or 404; a model's aclErrorStatus setting wins. Call it before Setup.
func (a *App) SetACLErrorStatus(status int) { a.cfg.AclErrorStatus = status }

// SetCookieSecret turns on signed token cookies (access_token, authorization); before Setup.
func (a *App) SetCookieSecret(secret string) { a.cfg.CookieSecret = secret }

// SetCORS allows cross-origin requests from the given origins; call it before Setup.
func (a *App) SetCORS(c CORS) {
	a.cfg.CORS = c
	a.installCORS()
}

// installCORS adds the CORS middleware (rest.UseCORS) once, when origins are configured.
func (a *App) installCORS() {
	if a.corsOn {
		return
	}
	a.corsOn = rest.UseCORS(a.echo, rest.CORS{AllowOrigins: a.cfg.CORS.AllowOrigins, AllowCredentials: a.cfg.CORS.AllowCredentials})
}

// nodeOrNil returns n, or nil when the YAML key was absent.
func nodeOrNil(n *yaml.Node) *yaml.Node {
	if n.Kind == 0 {
		return nil
	}
	return n
}

// relaxResetScope lets any token call setPassword when a user model turns
// restrictResetPasswordTokenScope off (LoopBack's default); Loopgo restricts it by default.
func relaxResetScope(m *schema.Model, methods []*rest.Method) { accounts.RelaxResetScope(m, methods) }

// checkRelationScopes parses every relation's `scope` at start-up, so a typo stops the app with
// its file and line instead of failing the first request that uses the relation.
func (a *App) checkRelationScopes() error {
	var errs []error
	for _, m := range a.reg.Models() {
		for _, r := range m.Relations {
			if len(r.Scope) == 0 {
				continue
			}
			target := a.reg.Model(r.Model)
			if target == nil {
				continue
			}
			if _, err := filter.Parse(r.Scope, target, a.reg); err != nil {
				errs = append(errs, fmt.Errorf("%s:%d: model %s: relation %s: scope: %s; fix the scope (it is a filter on %s)",
					r.Pos.File, r.Pos.Line, m.Name, r.Name, err.Error(), target.Name))
			}
		}
	}
	return errors.Join(errs...)
}
