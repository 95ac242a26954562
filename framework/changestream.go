package framework

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/loopgo/loopgo/framework/acl"
	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/authz"
	"github.com/loopgo/loopgo/framework/changes"
	"github.com/loopgo/loopgo/framework/filter"
	"github.com/loopgo/loopgo/framework/rest"
	"github.com/loopgo/loopgo/framework/schema"
)

// changeStreams is the app's side of change streams: the bus and its settings.
type changeStreams struct {
	cfg ChangeStreamsConfig
	bus *changes.Bus
}

// ChangeStreamStats returns the open change stream subscriptions and the drop counts of this
// instance (zero when change streams are off or before Setup).
func (a *App) ChangeStreamStats() changes.Stats {
	if a.streams == nil {
		return changes.Stats{}
	}
	return a.streams.bus.Stats()
}

// setupChangeStreams creates the bus, installs it on every datasource and starts the
// transports between instances, waiting (within ctx) until each receives.
func (a *App) setupChangeStreams(ctx context.Context) error {
	cfg := a.cfg.ChangeStreams.withDefaults()
	if !cfg.enabled() {
		return nil
	}
	if err := cfg.check(); err != nil {
		return err
	}
	bus := changes.New(changes.Options{
		MaxSubscribers: cfg.MaxSubscribers, MaxSubscribersPerUser: cfg.MaxSubscribersPerUser,
		Buffer: cfg.Buffer, Logger: a.log, Models: a.reg.Model,
		Reread: func(ctx context.Context, m *schema.Model, id any) (schema.Record, error) {
			st := a.attached[m.Name]
			if st == nil {
				return nil, nil
			}
			return st.FindByID(ctx, m, id, nil)
		},
	})
	a.streams = &changeStreams{cfg: cfg, bus: bus}
	var shared changes.Transport
	if cfg.Transport == "redis" {
		channel := cfg.Channel
		if channel == "" {
			channel = a.redisChannel()
		}
		tr, err := changes.NewRedis(cfg.RedisURL, channel, a.log)
		if err != nil {
			return err
		}
		shared = tr
		bus.AddTransport(tr)
	}
	for name, st := range a.stores {
		tr := shared
		if cfg.Transport == "auto" && st.Dialect() == "postgres" {
			channel, err := changes.PostgresChannel(ctx, st, cfg.Channel)
			if err != nil {
				return fmt.Errorf("datasource %q: %w", name, err)
			}
			pg := changes.NewPostgres(st, a.cfg.Datasources[name].URL, channel, a.log)
			bus.AddTransport(pg)
			tr = pg
		}
		st.SetChangeListener(bus.Listener(tr))
	}
	return a.waitTransports(ctx)
}

// redisChannel derives the Redis channel from the datasources' URLs: instances of one app
// (same databases) share it, other apps on the same Redis do not hear them.
func (a *App) redisChannel() string {
	names := make([]string, 0, len(a.stores))
	for n := range a.stores {
		names = append(names, n)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		fmt.Fprintf(h, "%s=%s\n", n, a.cfg.Datasources[n].URL)
	}
	return "loopgo:changes:" + hex.EncodeToString(h.Sum(nil)[:8])
}

// waitTransports waits until every transport receives, so that no change made after start-up
// is missed by this instance.
func (a *App) waitTransports(ctx context.Context) error {
	for _, tr := range a.streams.bus.TransportList() {
		select {
		case <-tr.Ready():
		case <-ctx.Done():
			return fmt.Errorf("change streams: the %s transport did not start before the start-up deadline (timeouts.startup): %w", tr.Name(), ctx.Err())
		}
	}
	return nil
}

// closeChangeStreams ends every stream (each gets an end event) before the HTTP server waits
// for requests to finish: streaming requests would otherwise never finish.
func (a *App) closeChangeStreams(ctx context.Context) {
	if a.streams != nil {
		a.streams.bus.Close(ctx)
	}
}

// changeStreamMethods returns createChangeStream for a persisted model (none when off).
func (a *App) changeStreamMethods(m *schema.Model) []*rest.Method {
	if a.streams == nil || !m.Persisted {
		return nil
	}
	return []*rest.Method{{
		Model: m, Name: "createChangeStream", Static: true,
		Routes:     []schema.Route{{Verb: "post", Path: "/change-stream"}, {Verb: "get", Path: "/change-stream"}},
		Accepts:    []schema.Arg{{Name: "options", Type: schema.Object}},
		AccessType: acl.READ, Shared: true,
		Fn: func(ctx context.Context, c *rest.Call) (any, error) { return a.newChangeStream(c, m) },
	}}
}

// newChangeStream checks the options and prepares the stream of one call; it subscribes when
// the answer starts.
func (a *App) newChangeStream(c *rest.Call, m *schema.Model) (any, error) {
	var where filter.Cond
	if opts, ok := c.Args["options"].(map[string]any); ok {
		if raw, has := opts["where"]; has && raw != nil {
			w, err := filter.ParseWhere(raw, m)
			if err != nil {
				return nil, err
			}
			where = w
		}
	}
	matcher, err := filter.Compile(where)
	if err != nil {
		return nil, err
	}
	user := "ip:" + c.Echo.RealIP()
	if c.Token != nil {
		user = "user:" + c.Token.UserModel + ":" + schema.IDString(c.Token.UserID)
	}
	accept := c.Request().Header.Get("Accept")
	sse := strings.Contains(accept, "text/event-stream") || c.Echo.QueryParam("_format") == "event-stream"
	return &changeStream{a: a, m: m, tok: c.Token, user: user, matcher: matcher, sse: sse,
		roles: &cachedRoles{z: a.authorization, ttl: a.streams.cfg.TokenCheck}}, nil
}

// changeStream is one subscriber's answer: server-sent events (or JSON lines) of the model's
// changes it may read.
type changeStream struct {
	a       *App
	m       *schema.Model
	tok     *rest.Token
	user    string
	matcher *filter.Matcher
	sse     bool
	roles   *cachedRoles
}

// ServeStream implements rest.Stream.
func (s *changeStream) ServeStream(w http.ResponseWriter, r *http.Request) error {
	cfg := s.a.streams.cfg
	sub, err := s.a.streams.bus.Subscribe(s.m, s.user)
	switch {
	case errors.Is(err, changes.ErrTooManyForUser):
		return apierr.New(429, "TOO_MANY_CHANGE_STREAMS", "Too many change streams are open for this user")
	case errors.Is(err, changes.ErrTooMany):
		return apierr.New(503, "TOO_MANY_CHANGE_STREAMS", "Too many change streams are open; try again later").
			WithHeader("Retry-After", "30")
	case errors.Is(err, changes.ErrClosed):
		return apierr.New(503, "SHUTTING_DOWN", "The server is shutting down")
	case err != nil:
		return apierr.Internal(err)
	}
	defer sub.Close()
	ctx := r.Context()
	rc := http.NewResponseController(w)
	// a stream outlives the server's read and write timeouts: each write gets its own deadline
	_ = rc.SetReadDeadline(time.Time{})
	h := w.Header()
	if s.sse {
		h.Set("Content-Type", "text/event-stream; charset=utf-8")
	} else {
		h.Set("Content-Type", "application/json; boundary=NL")
	}
	h.Set("Cache-Control", "no-cache, no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	write := func(frame string) bool {
		_ = rc.SetWriteDeadline(time.Now().Add(cfg.WriteTimeout))
		if _, err := w.Write([]byte(frame)); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	w.WriteHeader(http.StatusOK)
	if !write(s.hello()) {
		return nil
	}
	heartbeat := time.NewTicker(cfg.Heartbeat)
	defer heartbeat.Stop()
	check := time.NewTicker(cfg.TokenCheck)
	defer check.Stop()
	var expiry <-chan time.Time
	if s.tok != nil && s.tok.TTL >= 0 {
		t := time.NewTimer(time.Until(s.tok.Created.Add(time.Duration(s.tok.TTL) * time.Second)))
		defer t.Stop()
		expiry = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-sub.Events():
			if !ok {
				s.end(write, sub.Err())
				return nil
			}
			frame, err := s.frame(ctx, ev)
			if err != nil {
				s.a.log.Error("change stream: event not sent", "model", s.m.Name, "id", ev.ID, "err", err)
				continue
			}
			if frame != "" && !write(frame) {
				return nil
			}
		case <-heartbeat.C:
			if !write(s.heartbeat()) {
				return nil
			}
		case <-check.C:
			if !s.tokenValid(ctx) {
				s.end(write, errTokenGone)
				return nil
			}
		case <-expiry:
			s.end(write, errTokenGone)
			return nil
		}
	}
}

var errTokenGone = errors.New("token expired or revoked")

// tokenValid looks the subscriber's token up again (anonymous subscribers always pass).
func (s *changeStream) tokenValid(ctx context.Context) bool {
	if s.tok == nil {
		return true
	}
	t, err := s.a.ResolveToken(ctx, s.tok.Raw)
	return err == nil && t != nil && schema.IDString(t.UserID) == schema.IDString(s.tok.UserID)
}

// hello is the first frame: it tells the client the stream is open (and, for EventSource, how
// long to wait before reconnecting).
func (s *changeStream) hello() string {
	if s.sse {
		return "retry: 3000\n: change stream of " + s.m.Name + "\n\n"
	}
	return "\n"
}

func (s *changeStream) heartbeat() string {
	if s.sse {
		return ": heartbeat\n\n"
	}
	return "\n"
}

// end writes the last frames: an error event (too slow, token gone) and the end of the stream.
func (s *changeStream) end(write func(string) bool, why error) {
	var e *apierr.Error
	switch {
	case errors.Is(why, changes.ErrSlow):
		e = apierr.New(503, "CHANGE_STREAM_TOO_SLOW", "The client did not keep up with the change stream")
	case errors.Is(why, errTokenGone):
		e = apierr.Unauthorized("INVALID_TOKEN", "Invalid Access Token")
	}
	if !s.sse {
		if e != nil {
			if b, err := s.a.rest.EncodeJSON(map[string]any{"error": errorBody(e)}); err == nil {
				write(string(b) + "\n")
			}
		}
		return
	}
	if e != nil {
		if b, err := s.a.rest.EncodeJSON(errorBody(e)); err == nil {
			write("event: error\ndata: " + string(b) + "\n\n")
		}
	}
	write("event: end\ndata: null\n\n")
}

// errorBody is an error as LoopBack's envelope writes it.
func errorBody(e *apierr.Error) map[string]any {
	out := map[string]any{"statusCode": e.StatusCode, "message": e.Message}
	if e.Name != "" {
		out["name"] = e.Name
	}
	if e.Code != "" {
		out["code"] = e.Code
	}
	return out
}

// frame encodes an event for this subscriber, or "" when it may not see it: the record must
// match the stream's where and be readable by the subscriber now (findById of that record, with
// $owner decided on the event's data).
func (s *changeStream) frame(ctx context.Context, ev changes.Event) (string, error) {
	if ev.Data == nil || !s.matcher.Match(ev.Data) {
		return "", nil
	}
	ok, err := s.mayRead(ctx, ev)
	if err != nil || !ok {
		return "", err
	}
	body, err := s.a.rest.EncodeJSON(map[string]any{
		"type": ev.Type, "target": ev.ID, "data": rest.Instance{Model: s.m, Rec: ev.Data},
	})
	if err != nil {
		return "", err
	}
	if s.sse {
		return "event: data\ndata: " + string(body) + "\n\n", nil
	}
	return string(body) + "\n", nil
}

// mayRead applies the model's ACLs (static and dynamic, roles, $owner) as a findById of the
// event's record by the subscriber.
func (s *changeStream) mayRead(ctx context.Context, ev changes.Event) (bool, error) {
	id := schema.IDString(ev.ID)
	z := s.roles.z
	req := &acl.Request{Model: s.m.Name, Property: "findById", AccessType: acl.READ, ModelID: id, IsUserModel: s.m.IsA("User")}
	if s.tok != nil {
		req.UserID = schema.IDString(s.tok.UserID)
		req.UserModel = z.PrincipalModel(s.tok.UserModel)
		req.TokenScopes = s.tok.Scopes
	}
	ctx = authz.WithKnownInstance(ctx, s.m.Name, id, ev.Data)
	ch := acl.NewChecker(z.Roles(), s.roles, z, z.Dynamic())
	d, err := ch.Check(ctx, req, z.StaticACLs(s.m), s.m.StringSetting("defaultPermission", ""))
	if err != nil {
		return false, fmt.Errorf("acl check of %s %s: %w", s.m.Name, id, err)
	}
	return d.Allowed, nil
}

// cachedRoles answers a subscriber's static role mappings from memory for ttl (the token check
// interval), so a busy stream does not query them for every event.
type cachedRoles struct {
	z   *authz.Authorizer
	ttl time.Duration

	mu    sync.Mutex
	key   string
	roles []string
	at    time.Time
}

// RolesOf implements acl.RoleMappings.
func (c *cachedRoles) RolesOf(ctx context.Context, principals []acl.Principal) ([]string, error) {
	parts := make([]string, 0, len(principals))
	for _, p := range principals {
		parts = append(parts, p.Type+"\x00"+p.ID)
	}
	key := strings.Join(parts, "\x01")
	c.mu.Lock()
	defer c.mu.Unlock()
	if key == c.key && time.Since(c.at) < c.ttl {
		return c.roles, nil
	}
	roles, err := c.z.RolesOf(ctx, principals)
	if err != nil {
		return nil, err
	}
	c.key, c.roles, c.at = key, roles, time.Now()
	return roles, nil
}
