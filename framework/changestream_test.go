package framework_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/loopgo/loopgo/framework"
)

const memoYAML = `
name: Memo
plural: memos
properties:
  title: string
  secret: string
  ownerId: number
hidden: [secret]
relations:
  owner: {type: belongsTo, model: User, foreignKey: ownerId}
acls:
  - {principalType: ROLE, principalId: $everyone, permission: DENY}
  - {principalType: ROLE, principalId: $authenticated, permission: ALLOW, property: [createChangeStream, create]}
  - {principalType: ROLE, principalId: $owner, permission: ALLOW}
`

const memoConfig = `
User: {dataSource: db, relations: {memos: {type: hasMany, model: Memo, foreignKey: ownerId}}, acls: [{principalType: ROLE, principalId: $owner, permission: ALLOW, property: [__create__memos, __get__memos]}]}
AccessToken: {dataSource: db, public: false}
Memo: {dataSource: db}
`

// memoApp is an app with the Memo model: a user reads (and streams) only its own memos.
func memoApp(t *testing.T, mod func(*framework.Config)) *testApp {
	t.Helper()
	return newTestAppCfg(t, fsOf(map[string]string{"memo.yaml": memoYAML, "model-config.yaml": memoConfig}), t.TempDir(), mod)
}

// serve serves the app over real HTTP; the app is shut down (its streams closed) before the
// server is closed.
func serve(t *testing.T, a *testApp) string {
	t.Helper()
	srv := httptest.NewServer(a.app.Handler())
	t.Cleanup(srv.Close)
	t.Cleanup(func() { _ = a.app.Shutdown(context.Background()) })
	return srv.URL
}

// sseEvent is one server-sent event; comments have Event ":".
type sseEvent struct {
	Event string
	Data  string
}

// sseStream reads a change stream in the background.
type sseStream struct {
	t      *testing.T
	status int
	events chan sseEvent
	done   chan struct{} // closed at the end of the body
	cancel context.CancelFunc
}

// openStream opens GET base+path as an event stream with an optional token; the caller checks
// status (non-200 answers are read whole into one event).
func openStream(t *testing.T, base, path, token string) *sseStream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/event-stream")
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	s := &sseStream{t: t, status: resp.StatusCode, events: make(chan sseEvent, 1000), done: make(chan struct{}), cancel: cancel}
	go func() {
		defer close(s.done)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		var cur sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if cur.Event != "" || cur.Data != "" {
					s.events <- cur
				}
				cur = sseEvent{}
			case strings.HasPrefix(line, ":"):
				s.events <- sseEvent{Event: ":", Data: line}
			case strings.HasPrefix(line, "event: "):
				cur.Event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				cur.Data = strings.TrimPrefix(line, "data: ")
			case strings.HasPrefix(line, "retry: "):
			default:
				cur.Data += line // an error envelope answered instead of a stream
			}
		}
		if cur.Data != "" {
			s.events <- cur
		}
	}()
	return s
}

// next returns the next event that is not a comment, failing after a generous wait.
func (s *sseStream) next() sseEvent {
	s.t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case ev := <-s.events:
			if ev.Event != ":" {
				return ev
			}
		case <-timeout:
			s.t.Fatal("no event within 20 s")
		}
	}
}

// change is the JSON of a data event.
type change struct {
	Type   string         `json:"type"`
	Target any            `json:"target"`
	Data   map[string]any `json:"data"`
}

// nextChange returns the next data event, decoded.
func (s *sseStream) nextChange() change {
	s.t.Helper()
	ev := s.next()
	if ev.Event != "data" {
		s.t.Fatalf("event %q (%s), want data", ev.Event, ev.Data)
	}
	var c change
	if err := json.Unmarshal([]byte(ev.Data), &c); err != nil {
		s.t.Fatalf("data %q: %v", ev.Data, err)
	}
	return c
}

// ended waits for the end of the body.
func (s *sseStream) ended() bool {
	select {
	case <-s.done:
		return true
	case <-time.After(20 * time.Second):
		return false
	}
}

func (c change) String() string { return fmt.Sprintf("%s %v %v", c.Type, c.Target, c.Data["title"]) }

func TestChangeStreamDeliversWhatTheSubscriberMayRead(t *testing.T) {
	a := memoApp(t, nil)
	base := serve(t, a)
	annID, ann := a.signup("ann@example.com", "SuperFakePassword")
	bobID, bob := a.signup("bob@example.com", "SuperFakePassword")

	// the ACL governs the subscription like any method; bad options are 400s
	for _, c := range []struct {
		path, token string
		status      int
		code, msg   string
	}{
		{"/api/memos/change-stream", "", 401, "AUTHORIZATION_REQUIRED", ""},
		{"/api/memos/change-stream?options=" + url.QueryEscape(`{"where":`), ann, 400, "", ""},
		{"/api/memos/change-stream?options=" + url.QueryEscape(`{"where":{"nope":1}}`), ann, 400, "", ""},
		{"/api/memos/change-stream?options=" + url.QueryEscape(`{"where":{"title":{"regexp":"("}}}`), ann, 400, "", "Invalid regular expression"},
		{"/api/memos/change-stream?options=" + url.QueryEscape(`{"where":{"owner.email":"x"}}`), ann, 400, "", ""},
		{"/api/memos/change-stream?options=5", ann, 400, "", ""},
	} {
		r := a.do("GET", c.path, nil, "Authorization", c.token)
		if r.Status != c.status || (c.code != "" && r.errField("code") != c.code) || (c.msg != "" && r.errField("message") != c.msg) {
			t.Errorf("%s: %d %s", c.path, r.Status, r.Raw)
		}
		if r.Status >= 500 {
			t.Errorf("%s: %d", c.path, r.Status)
		}
	}

	all := openStream(t, base, "/api/memos/change-stream", ann)
	kept := openStream(t, base, "/api/memos/change-stream?options="+url.QueryEscape(`{"where":{"title":{"like":"keep%"}}}`), ann)
	bobs := openStream(t, base, "/api/memos/change-stream?_format=event-stream", bob)
	for _, s := range []*sseStream{all, kept, bobs} {
		if s.status != 200 {
			t.Fatalf("stream: %d", s.status)
		}
	}
	ctx := context.Background()
	memos := a.app.Model("Memo")
	// REST create, relation route create, Go create, REST patch, Go updateAll, REST delete, Go deleteAll
	r := a.do("POST", "/api/memos", map[string]any{"title": "keep one", "secret": "s1", "ownerId": annID}, "Authorization", ann)
	if r.Status != 200 {
		t.Fatalf("create: %d %s", r.Status, r.Raw)
	}
	m1 := r.obj()["id"]
	if r := a.do("POST", fmt.Sprintf("/api/users/%v/memos", bobID), map[string]any{"title": "keep bob", "secret": "s2"}, "Authorization", bob); r.Status != 200 {
		t.Fatalf("bob's create: %d %s", r.Status, r.Raw)
	}
	r = a.do("POST", fmt.Sprintf("/api/users/%v/memos", annID), map[string]any{"title": "drop two", "secret": "s3"}, "Authorization", ann)
	if r.Status != 200 {
		t.Fatalf("relation create: %d %s", r.Status, r.Raw)
	}
	m2 := r.obj()["id"]
	if _, err := memos.Create(ctx, map[string]any{"title": "keep go", "ownerId": annID}); err != nil {
		t.Fatal(err)
	}
	if r := a.do("PATCH", fmt.Sprintf("/api/memos/%v", m1), map[string]any{"title": "keep one!"}, "Authorization", ann); r.Status != 200 {
		t.Fatalf("patch: %d %s", r.Status, r.Raw)
	}
	n, err := memos.UpdateAll(ctx, map[string]any{"title": map[string]any{"like": "keep%"}}, map[string]any{"secret": "rotated"})
	if err != nil || n != 3 {
		t.Fatalf("updateAll: %d %v", n, err)
	}
	if r := a.do("DELETE", fmt.Sprintf("/api/memos/%v", m2), nil, "Authorization", ann); r.Status != 200 {
		t.Fatalf("delete: %d %s", r.Status, r.Raw)
	}
	if n, err := memos.DeleteAll(ctx, map[string]any{"ownerId": bobID}); err != nil || n != 1 {
		t.Fatalf("deleteAll: %d %v", n, err)
	}

	want := []string{
		"create 1 keep one", "create 3 drop two", "create 4 keep go", "update 1 keep one!",
		"update 1 keep one!", "update 4 keep go", "remove 3 drop two",
	}
	for i, w := range want {
		c := all.nextChange()
		if c.String() != w {
			t.Fatalf("ann's event %d: %s, want %s", i, c, w)
		}
		if _, leaked := c.Data["secret"]; leaked {
			t.Fatalf("hidden property sent: %v", c.Data)
		}
		if c.Data["ownerId"] != annID {
			t.Fatalf("another user's record: %v", c.Data)
		}
	}
	for i, w := range []string{"create 1 keep one", "create 4 keep go", "update 1 keep one!", "update 1 keep one!", "update 4 keep go"} {
		if c := kept.nextChange(); c.String() != w {
			t.Fatalf("filtered event %d: %s, want %s", i, c, w)
		}
	}
	for i, w := range []string{"create 2 keep bob", "update 2 keep bob", "remove 2 keep bob"} {
		if c := bobs.nextChange(); c.String() != w {
			t.Fatalf("bob's event %d: %s, want %s", i, c, w)
		}
	}
	// a marker: everything written before it has been delivered before it
	if _, err := memos.Create(ctx, map[string]any{"title": "keep marker", "ownerId": annID}); err != nil {
		t.Fatal(err)
	}
	for _, s := range []*sseStream{all, kept} {
		if c := s.nextChange(); c.String() != "create 5 keep marker" {
			t.Fatalf("after the marker: %s", c)
		}
	}
	if st := a.app.ChangeStreamStats(); st.Subscribers != 3 {
		t.Fatalf("stats: %+v", st)
	}
}

func TestChangeStreamLimitsAndRevokedTokens(t *testing.T) {
	a := memoApp(t, func(c *framework.Config) {
		c.ChangeStreams.MaxSubscribersPerUser = 1
		c.ChangeStreams.Heartbeat = 50 * time.Millisecond
		c.ChangeStreams.TokenCheck = 50 * time.Millisecond
	})
	base := serve(t, a)
	_, ann := a.signup("ann@example.com", "SuperFakePassword")
	s := openStream(t, base, "/api/memos/change-stream", ann)
	if s.status != 200 {
		t.Fatalf("stream: %d", s.status)
	}
	second := openStream(t, base, "/api/memos/change-stream", ann)
	if second.status != 429 || !strings.Contains(second.next().Data, "TOO_MANY_CHANGE_STREAMS") {
		t.Fatalf("second stream of one user: %d", second.status)
	}
	// heartbeats keep an idle stream alive
	select {
	case ev := <-s.events:
		if ev.Event != ":" {
			t.Fatalf("idle stream: %+v", ev)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no heartbeat")
	}
	// logging out (revoking the token) ends the stream with an error event
	if r := a.do("POST", "/api/users/logout", nil, "Authorization", ann); r.Status != 204 {
		t.Fatalf("logout: %d %s", r.Status, r.Raw)
	}
	ev := s.next()
	if ev.Event != "error" || !strings.Contains(ev.Data, `"code":"INVALID_TOKEN"`) || !strings.Contains(ev.Data, `"statusCode":401`) {
		t.Fatalf("after logout: %+v", ev)
	}
	if ev := s.next(); ev.Event != "end" {
		t.Fatalf("after the error: %+v", ev)
	}
	if !s.ended() {
		t.Fatal("stream still open after the token was revoked")
	}
	if st := a.app.ChangeStreamStats(); st.Subscribers != 0 {
		t.Fatalf("subscription left after the stream ended: %+v", st)
	}
}

func TestChangeStreamsEndAtShutdown(t *testing.T) {
	a := memoApp(t, func(c *framework.Config) {
		// streams outlive the server's read and write timeouts
		c.Timeouts = framework.Timeouts{Read: 300 * time.Millisecond, Write: 300 * time.Millisecond, Shutdown: 60 * time.Second}
		c.ChangeStreams.Heartbeat = 100 * time.Millisecond
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	served := make(chan error, 1)
	go func() { served <- a.app.Serve(ctx, ln) }()
	base := "http://" + a.app.Addr().String()
	annID, ann := a.signup("ann@example.com", "SuperFakePassword")
	s := openStream(t, base, "/api/memos/change-stream", ann)
	if s.status != 200 {
		t.Fatalf("stream: %d", s.status)
	}
	time.Sleep(time.Second) // past the read and write timeouts
	if _, err := a.app.Model("Memo").Create(context.Background(), map[string]any{"title": "late", "ownerId": annID}); err != nil {
		t.Fatal(err)
	}
	if c := s.nextChange(); c.String() != "create 1 late" {
		t.Fatalf("after the server timeouts: %s", c)
	}
	stop()
	if ev := s.next(); ev.Event != "end" {
		t.Fatalf("at shutdown: %+v", ev)
	}
	if !s.ended() {
		t.Fatal("stream open after shutdown")
	}
	select {
	case err := <-served:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second): // well within the 60 s grace period
		t.Fatal("Serve did not return: the stream held the shutdown")
	}
	if strings.Contains(a.logs(), "open connections cut") {
		t.Fatal("shutdown had to cut connections")
	}
}

// TestChangeStreamsAcrossInstances runs two apps on one database (PostgreSQL: LISTEN/NOTIFY;
// Redis pub/sub when LOOPGO_TEST_REDIS_URL is set, on SQLite and PostgreSQL): a subscriber on
// one instance sees the writes made through the other.
func TestChangeStreamsAcrossInstances(t *testing.T) {
	type setup struct {
		name, db, redis string
	}
	var cases []setup
	for _, db := range sharedDatabases(t) {
		switch db.name {
		case "postgres":
			cases = append(cases, setup{"postgres", db.url, ""})
		case "sqlite":
			cases = append(cases, setup{"sqlite+redis", db.url, os.Getenv("LOOPGO_TEST_REDIS_URL")})
		}
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.name == "sqlite+redis" && c.redis == "" {
				t.Skip("Redis transport not tested: set LOOPGO_TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/0)")
			}
			var apps [2]*testApp
			var urls [2]string
			for i := range apps {
				apps[i] = newTestAppCfg(t, fsOf(map[string]string{"memo.yaml": memoYAML, "model-config.yaml": memoConfig}), t.TempDir(),
					func(cfg *framework.Config) {
						cfg.Datasources["db"] = framework.Datasource{URL: c.db}
						if c.redis != "" {
							cfg.ChangeStreams.Transport = "redis"
							cfg.ChangeStreams.RedisURL = c.redis
						}
					})
				urls[i] = serve(t, apps[i])
			}
			annID, ann := apps[0].signup("ann@example.com", "SuperFakePassword")
			bobID, _ := apps[0].signup("bob@example.com", "SuperFakePassword")
			s := openStream(t, urls[1], "/api/memos/change-stream", ann)
			if s.status != 200 {
				t.Fatalf("stream: %d", s.status)
			}
			memos := apps[0].app.Model("Memo")
			ctx := context.Background()
			big := strings.Repeat("long text ", 1000) // over NOTIFY's limit: sent by id, re-read
			r := apps[0].do("POST", "/api/memos", map[string]any{"title": "one", "secret": big, "ownerId": annID}, "Authorization", ann)
			if r.Status != 200 {
				t.Fatalf("create: %d %s", r.Status, r.Raw)
			}
			if _, err := memos.Create(ctx, map[string]any{"title": "bob's", "ownerId": bobID}); err != nil {
				t.Fatal(err)
			}
			if _, err := memos.Create(ctx, map[string]any{"title": strings.Repeat("x", 9000), "ownerId": annID}); err != nil {
				t.Fatal(err)
			}
			if n, err := memos.UpdateAll(ctx, nil, map[string]any{"secret": "short"}); err != nil || n != 3 {
				t.Fatalf("updateAll: %d %v", n, err)
			}
			if n, err := memos.DeleteAll(ctx, map[string]any{"title": map[string]any{"neq": "one"}}); err != nil || n != 2 {
				t.Fatalf("deleteAll: %d %v", n, err)
			}
			long := strings.Repeat("x", 9000)
			for i, w := range []string{"create 1 one", "create 3 " + long, "update 1 one", "update 3 " + long, "remove 3 "} {
				c := s.nextChange()
				got := c.String()
				if c.Type == "remove" {
					got = fmt.Sprintf("%s %v ", c.Type, c.Target) // an oversized removal is cut down
				}
				if got != w {
					t.Fatalf("event %d on the other instance: %.80s, want %.80s", i, got, w)
				}
				if c.Data["ownerId"] != annID || c.Data["secret"] != nil {
					t.Fatalf("event %d: %.200v", i, c.Data)
				}
			}
			// and the other way round: a write through instance 1 reaches a subscriber on 0
			s0 := openStream(t, urls[0], "/api/memos/change-stream", ann)
			if r := apps[1].do("PATCH", "/api/memos/1", map[string]any{"title": "one!"}, "Authorization", ann); r.Status != 200 {
				t.Fatalf("patch: %d %s", r.Status, r.Raw)
			}
			if c := s0.nextChange(); c.String() != "update 1 one!" {
				t.Fatalf("instance 0: %s", c)
			}
			if c := s.nextChange(); c.String() != "update 1 one!" {
				t.Fatalf("instance 1 (in-process): %s", c)
			}
		})
	}
}

// TestSlowChangeStreamConsumerIsDropped: a client that stops reading is disconnected once a
// write to it times out (the bus's own bound, dropping a subscriber whose buffer is full, is
// TestSlowSubscriberIsDropped in framework/changes), while another subscriber gets every event.
func TestSlowChangeStreamConsumerIsDropped(t *testing.T) {
	a := memoApp(t, func(c *framework.Config) {
		c.ChangeStreams.Buffer = 250
		c.ChangeStreams.WriteTimeout = 500 * time.Millisecond
	})
	base := serve(t, a)
	annID, ann := a.signup("ann@example.com", "SuperFakePassword")
	fast := openStream(t, base, "/api/memos/change-stream", ann)
	// the slow client: a raw connection with a small receive buffer that never reads
	u, _ := url.Parse(base)
	d := net.Dialer{Control: smallReceiveBuffer}
	conn, err := d.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /api/memos/change-stream HTTP/1.1\r\nHost: %s\r\nAccept: text/event-stream\r\nAuthorization: %s\r\n\r\n", u.Host, ann)
	deadline := time.Now().Add(20 * time.Second)
	for a.app.ChangeStreamStats().Subscribers < 2 {
		if time.Now().After(deadline) {
			t.Fatal("the slow client's stream did not open")
		}
		time.Sleep(10 * time.Millisecond)
	}
	ctx := context.Background()
	memos := a.app.Model("Memo")
	const n = 100
	big := strings.Repeat("y", 64*1024) // 100 events of 64 kB: more than the sockets buffer
	for i := 0; i < n; i++ {
		if _, err := memos.Create(ctx, map[string]any{"title": fmt.Sprint(i), "ownerId": annID, "secret": "s"}); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < n; i++ {
		if c := fast.nextChange(); c.Type != "create" {
			t.Fatalf("fast subscriber: %s", c)
		}
	}
	if n, err := memos.UpdateAll(ctx, nil, map[string]any{"title": big}); err != nil || n != 100 {
		t.Fatalf("updateAll: %d %v", n, err)
	}
	for i := 0; i < n; i++ {
		if c := fast.nextChange(); c.Type != "update" || len(c.Data["title"].(string)) != len(big) {
			t.Fatalf("fast subscriber, update %d: %.60s", i, c)
		}
	}
	for a.app.ChangeStreamStats().Subscribers != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("the slow client was not dropped: %+v", a.app.ChangeStreamStats())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestChangeStreamAsJSONLines: without an event-stream Accept (LoopBack's default format) the
// events come as JSON lines; POST takes the options in its body.
func TestChangeStreamAsJSONLines(t *testing.T) {
	a := memoApp(t, nil)
	base := serve(t, a)
	annID, ann := a.signup("ann@example.com", "SuperFakePassword")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", base+"/api/memos/change-stream", strings.NewReader(`{"options":{"where":{"title":"b"}}}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", ann)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json; boundary=NL" {
		t.Fatalf("%d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, title := range []string{"a", "b"} {
		if _, err := a.app.Model("Memo").Create(context.Background(), map[string]any{"title": title, "ownerId": annID}); err != nil {
			t.Fatal(err)
		}
	}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if sc.Text() == "" {
			continue // the opening line and heartbeats
		}
		var c change
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil || c.String() != "create 2 b" {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		return
	}
	t.Fatalf("stream ended: %v", sc.Err())
}

func TestChangeStreamSettings(t *testing.T) {
	cfg, err := framework.ParseConfig([]byte("changeStreams:\n  heartbeat: 5s\n  maxSubscribersPerUser: 3\n  transport: local\n"))
	if err != nil || cfg.ChangeStreams.Heartbeat != 5*time.Second || cfg.ChangeStreams.MaxSubscribersPerUser != 3 || cfg.ChangeStreams.Transport != "local" {
		t.Fatalf("%+v %v", cfg.ChangeStreams, err)
	}
	if _, err := framework.ParseConfig([]byte("changeStreams:\n  heartbeet: 5s\n")); err == nil {
		t.Fatal("a misspelt setting was accepted")
	}
	for _, c := range []struct {
		cs   framework.ChangeStreamsConfig
		want string
	}{
		{framework.ChangeStreamsConfig{Transport: "carrier-pigeon"}, `unknown transport "carrier-pigeon"`},
		{framework.ChangeStreamsConfig{Transport: "redis"}, "transport redis needs redisUrl"},
	} {
		app, err := framework.New(framework.Config{
			Datasources:   map[string]framework.Datasource{"db": {URL: "sqlite:" + t.TempDir() + "/a.db"}},
			Logger:        quietLogger(),
			ChangeStreams: c.cs,
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := app.LoadModels(fsOf(map[string]string{"memo.yaml": memoYAML, "model-config.yaml": memoConfig})); err != nil {
			t.Fatal(err)
		}
		err = app.Setup(context.Background())
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.cs, err, c.want)
		}
		_ = app.Shutdown(context.Background())
	}
	// off, or hidden with sharedMethods like any method: the path is then findById's (of the
	// id "change-stream"), as in LoopBack; POST has no route at all
	off := false
	a := memoApp(t, func(c *framework.Config) { c.ChangeStreams.Enabled = &off })
	b := memoApp(t, func(c *framework.Config) {
		c.Remoting.SharedMethods = map[string]bool{"createChangeStream": false}
	})
	for _, x := range []*testApp{a, b} {
		if r := x.do("GET", "/api/memos/change-stream", nil); r.Status != 401 || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			t.Fatalf("GET without change streams: %d %s", r.Status, r.Raw)
		}
		if r := x.do("POST", "/api/memos/change-stream", nil); r.Status != 404 {
			t.Fatalf("POST without change streams: %d %s", r.Status, r.Raw)
		}
	}
}

// TestChangeStreamEndsWhenTheTokenExpires: the stream ends at the token's expiry, without
// waiting for the next token check.
func TestChangeStreamEndsWhenTheTokenExpires(t *testing.T) {
	a := memoApp(t, func(c *framework.Config) { c.ChangeStreams.TokenCheck = time.Hour })
	base := serve(t, a)
	annID, _ := a.signup("ann@example.com", "SuperFakePassword")
	users, err := a.app.Users("User")
	if err != nil {
		t.Fatal(err)
	}
	raw, _, err := users.CreateAccessToken(context.Background(), annID, 2, nil, builtinMeta())
	if err != nil {
		t.Fatal(err)
	}
	s := openStream(t, base, "/api/memos/change-stream", raw)
	if s.status != 200 {
		t.Fatalf("stream: %d", s.status)
	}
	if ev := s.next(); ev.Event != "error" || !strings.Contains(ev.Data, "INVALID_TOKEN") {
		t.Fatalf("at expiry: %+v", ev)
	}
	if !s.ended() {
		t.Fatal("stream open after the token expired")
	}
}
