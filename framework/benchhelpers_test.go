package framework_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"runtime/pprof"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/crypto/bcrypt"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/loopgo/loopgo/framework"
	"github.com/loopgo/loopgo/framework/accounts"
	"github.com/loopgo/loopgo/framework/rest"
	"github.com/loopgo/loopgo/models"
)

// Benchmark fixture sizes and settings.
const (
	benchNotes       = 10000
	benchUsers       = 100
	benchPassword    = "bench-Password-1"
	benchParallelism = 8 // client goroutines per GOMAXPROCS
)

// benchUser is one seeded user with a valid access token.
type benchUser struct {
	id    int64
	email string
	token string
}

// benchEnv is the benchmark fixture shared by every benchmark of one test binary run: a seeded
// SQLite file served over loopback HTTP by the ready app (Loopgo) and by a hand-written
// Echo+GORM server on the same file.
type benchEnv struct {
	dir    string
	app    *framework.App
	loopgo *httptest.Server
	hand   *httptest.Server
	// noTok is a second Loopgo app on the same database whose token check is short-circuited:
	// tokens are looked up in a map built at seeding, without the token cache or a query.
	noTok    *framework.App
	noTokSrv *httptest.Server
	handDB   *gorm.DB
	client   *http.Client

	hash      string      // the bcrypt hash (cost 10) of benchPassword every user has
	noteIDs   []int64     // ids of the seeded notes
	noteOwner []int       // index into users of each note's owner
	users     []benchUser // the note owners
	loopgoSQL *sqlCounter // statements the app runs on the db datasource
	handSQL   *sqlCounter // statements the hand-written server runs
	seedTook  time.Duration
}

var (
	benchOnce   sync.Once
	benchShared *benchEnv
	benchErr    error
)

// benchEnvironment returns the shared fixture, creating and seeding it on first use.
func benchEnvironment() (*benchEnv, error) {
	benchOnce.Do(func() {
		benchShared, benchErr = newBenchEnv(context.Background())
	})
	return benchShared, benchErr
}

// newBenchEnv builds the ready app on a temporary directory, seeds it and starts both servers.
func newBenchEnv(ctx context.Context) (env *benchEnv, err error) {
	start := time.Now()
	dir, err := os.MkdirTemp("", "loopgo-bench-")
	if err != nil {
		return nil, fmt.Errorf("bench temp dir: %w", err)
	}
	env = &benchEnv{dir: dir, loopgoSQL: &sqlCounter{}, handSQL: &sqlCounter{}}
	defer func() {
		if err != nil {
			env.close()
			env = nil
		}
	}()
	dbPath := filepath.Join(dir, "app.db")
	cfg := framework.Config{
		Datasources: map[string]framework.Datasource{
			"db":    {URL: "sqlite:" + dbPath},
			"audit": {URL: "sqlite:" + filepath.Join(dir, "audit.db")},
		},
		// Production-like logging: one request line per call at Info, written nowhere.
		Logger: slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo})),
	}
	app, err := framework.New(cfg)
	if err != nil {
		return env, fmt.Errorf("new app: %w", err)
	}
	env.app = app
	if err := app.LoadModels(models.FS); err != nil {
		return env, fmt.Errorf("load models: %w", err)
	}
	models.Register(app)
	if err := app.Setup(ctx); err != nil {
		return env, fmt.Errorf("setup: %w", err)
	}
	if err := env.seed(ctx); err != nil {
		return env, err
	}
	if err := env.loopgoSQL.install(app.StoreOf("Note").DB(ctx)); err != nil {
		return env, err
	}
	env.handDB, err = gorm.Open(sqlite.Open(dbPath+"?_journal_mode=WAL&_busy_timeout=10000&_foreign_keys=on&_txlock=immediate"),
		&gorm.Config{Logger: logger.Discard, SkipDefaultTransaction: true})
	if err != nil {
		return env, fmt.Errorf("open hand-written server's database: %w", err)
	}
	if err := env.handSQL.install(env.handDB); err != nil {
		return env, err
	}
	env.loopgo = httptest.NewServer(labelled("loopgo", app.Handler()))
	env.hand = httptest.NewServer(labelled("hand", newHandServer(env.handDB)))
	if env.noTok, err = framework.New(cfg); err != nil {
		return env, fmt.Errorf("new short-circuited app: %w", err)
	}
	if err := env.noTok.LoadModels(models.FS); err != nil {
		return env, err
	}
	models.Register(env.noTok)
	if err := env.noTok.Setup(ctx); err != nil {
		return env, fmt.Errorf("setup short-circuited app: %w", err)
	}
	fixed := fixedTokens{}
	for _, u := range env.users {
		fixed[u.token] = rest.Token{Digest: accounts.Digest(u.token), UserID: u.id, UserModel: "User", TTL: 1209600, Created: time.Now()}
	}
	env.noTok.REST().SetTokens(fixed)
	env.noTokSrv = httptest.NewServer(labelled("loopgo-notoken", env.noTok.Handler()))
	env.client = &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns:        1024,
			MaxIdleConnsPerHost: 1024,
			IdleConnTimeout:     time.Minute,
			DisableCompression:  true,
		},
	}
	env.seedTook = time.Since(start)
	return env, nil
}

// seed creates the users (with a precomputed cost-10 hash, stored verbatim), one access token
// each, and the notes in one transaction.
func (env *benchEnv) seed(ctx context.Context) error {
	hash, err := bcrypt.GenerateFromPassword([]byte(benchPassword), accounts.DefaultSaltWorkFactor)
	if err != nil {
		return fmt.Errorf("seed: hash password: %w", err)
	}
	env.hash = string(hash)
	users, err := env.app.Users("User")
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	userModel := env.app.Model("User")
	for i := range benchUsers {
		email := fmt.Sprintf("user%03d@bench.example", i)
		rec, err := userModel.Create(ctx, map[string]any{"email": email, "username": fmt.Sprintf("user%03d", i), "password": env.hash})
		if err != nil {
			return fmt.Errorf("seed: create user %s: %w", email, err)
		}
		id, ok := asInt64(rec["id"])
		if !ok {
			return fmt.Errorf("seed: user %s has id %v (%T), want a number", email, rec["id"], rec["id"])
		}
		raw, _, err := users.CreateAccessToken(ctx, id, 0, nil, accounts.TokenMeta{})
		if err != nil {
			return fmt.Errorf("seed: token of %s: %w", email, err)
		}
		// Resolve it once so that lastUsed is fresh: steady state, no UPDATE per request.
		if _, err := users.ResolveToken(ctx, raw); err != nil {
			return fmt.Errorf("seed: resolve token of %s: %w", email, err)
		}
		env.users = append(env.users, benchUser{id: id, email: email, token: raw})
	}
	return env.seedNotes(ctx)
}

// seedNotes inserts benchNotes notes with random titles, bodies, ratings and owners.
func (env *benchEnv) seedNotes(ctx context.Context) error {
	words := []string{"alpha", "bravo", "cedar", "delta", "ember", "fjord", "grove", "harbor", "iris", "juniper",
		"kelp", "lumen", "maple", "nectar", "onyx", "pine", "quartz", "river", "sage", "tundra"}
	rng := rand.New(rand.NewPCG(1, 2))
	notes := env.app.Model("Note")
	st := env.app.StoreOf("Note")
	env.noteIDs = make([]int64, 0, benchNotes)
	env.noteOwner = make([]int, 0, benchNotes)
	err := st.Transaction(ctx, func(ctx context.Context) error {
		for i := range benchNotes {
			owner := rng.IntN(len(env.users))
			data := map[string]any{
				"title":     fmt.Sprintf("%s %s %05d", words[rng.IntN(len(words))], words[rng.IntN(len(words))], i),
				"body":      fmt.Sprintf("A note about %s and %s.", words[rng.IntN(len(words))], words[rng.IntN(len(words))]),
				"published": rng.IntN(2) == 0,
				"rating":    float64(rng.IntN(6)),
				"ownerId":   env.users[owner].id,
			}
			rec, err := notes.Create(ctx, data)
			if err != nil {
				return fmt.Errorf("create note %d: %w", i, err)
			}
			id, ok := asInt64(rec["id"])
			if !ok {
				return fmt.Errorf("note %d has id %v (%T), want a number", i, rec["id"], rec["id"])
			}
			env.noteIDs = append(env.noteIDs, id)
			env.noteOwner = append(env.noteOwner, owner)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("seed notes: %w", err)
	}
	return nil
}

// close stops the servers and removes the temporary directory.
func (env *benchEnv) close() {
	if env == nil {
		return
	}
	if env.client != nil {
		env.client.CloseIdleConnections()
	}
	for _, s := range []*httptest.Server{env.loopgo, env.hand, env.noTokSrv} {
		if s != nil {
			s.Close()
		}
	}
	if env.noTok != nil {
		_ = env.noTok.Shutdown(context.Background())
	}
	if env.app != nil {
		_ = env.app.Shutdown(context.Background())
	}
	if env.handDB != nil {
		if db, err := env.handDB.DB(); err == nil {
			_ = db.Close()
		}
	}
	if env.dir != "" {
		_ = os.RemoveAll(env.dir)
	}
}

// asInt64 converts a record id (int64, int or whole float64) to int64.
func asInt64(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int:
		return int64(x), true
	case float64:
		if x == float64(int64(x)) {
			return int64(x), true
		}
	}
	return 0, false
}

// randomNote returns the index of a random seeded note.
func (env *benchEnv) randomNote() int { return rand.IntN(len(env.noteIDs)) }

// randomUser returns a random seeded user.
func (env *benchEnv) randomUser() benchUser { return env.users[rand.IntN(len(env.users))] }

// sqlCounter counts the SQL statements run through one *gorm.DB, and records them while
// recording is on (probes run one request at a time).
type sqlCounter struct {
	n         atomic.Int64
	recording atomic.Bool
	mu        sync.Mutex
	stmts     []string
}

// install registers the counting callbacks after every GORM processor of db.
func (c *sqlCounter) install(db *gorm.DB) error {
	cb := db.Callback()
	count := func(tx *gorm.DB) {
		c.n.Add(1)
		if c.recording.Load() {
			c.mu.Lock()
			c.stmts = append(c.stmts, tx.Statement.SQL.String())
			c.mu.Unlock()
		}
	}
	errs := []error{
		cb.Query().After("gorm:query").Register("bench:count_query", count),
		cb.Row().After("gorm:row").Register("bench:count_row", count),
		cb.Raw().After("gorm:raw").Register("bench:count_raw", count),
		cb.Create().After("gorm:create").Register("bench:count_create", count),
		cb.Update().After("gorm:update").Register("bench:count_update", count),
		cb.Delete().After("gorm:delete").Register("bench:count_delete", count),
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("install SQL counter: %w", err)
	}
	return nil
}

// record runs fn with statement recording on and returns the statements it ran.
func (c *sqlCounter) record(fn func()) []string {
	c.mu.Lock()
	c.stmts = nil
	c.mu.Unlock()
	c.recording.Store(true)
	fn()
	c.recording.Store(false)
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.stmts...)
}

// handNote is a Note row as the hand-written server reads and answers it.
type handNote struct {
	ID        int64     `gorm:"column:id" json:"id"`
	Title     string    `gorm:"column:title" json:"title"`
	Body      *string   `gorm:"column:body" json:"body"`
	Published *bool     `gorm:"column:published" json:"published"`
	Rating    *float64  `gorm:"column:rating" json:"rating"`
	OwnerID   *float64  `gorm:"column:ownerId" json:"ownerId"`
	Owner     *handUser `gorm:"-" json:"owner,omitempty"`
}

// handUser is a User row without its hidden columns (password, verificationToken).
type handUser struct {
	ID            int64   `gorm:"column:id" json:"id"`
	Realm         *string `gorm:"column:realm" json:"realm"`
	Username      *string `gorm:"column:username" json:"username"`
	Email         string  `gorm:"column:email" json:"email"`
	EmailVerified *bool   `gorm:"column:emailVerified" json:"emailVerified"`
	Disabled      *bool   `gorm:"column:disabled" json:"disabled"`
	MFAEnabled    *bool   `gorm:"column:mfaEnabled" json:"mfaEnabled"`
}

// handFilter is the part of a LoopBack filter the hand-written list handler understands.
type handFilter struct {
	Where struct {
		Rating struct {
			Gte *float64 `json:"gte"`
		} `json:"rating"`
	} `json:"where"`
	Order   string `json:"order"`
	Limit   int    `json:"limit"`
	Include string `json:"include"`
}

// handOrders maps the orders the hand-written list handler accepts to SQL, with the id as
// tie-breaker as Loopgo's store orders.
var handOrders = map[string]string{"": "id ASC", "title ASC": "title ASC, id ASC"}

// newHandServer is the hand-written Echo+GORM server: the same queries as Loopgo's generated
// endpoints, with no token resolution, ACL, hooks or request logging.
func newHandServer(db *gorm.DB) http.Handler {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.GET("/ping", func(c echo.Context) error { return c.JSON(http.StatusOK, map[string]bool{"ok": true}) })
	e.GET("/api/notes/:id", func(c echo.Context) error {
		id, err := strconv.ParseInt(c.Param("id"), 10, 64)
		if err != nil {
			return echo.NewHTTPError(http.StatusNotFound)
		}
		var n handNote
		if err := db.WithContext(c.Request().Context()).Table("Note").First(&n, id).Error; err != nil {
			return handDBError(err)
		}
		return c.JSON(http.StatusOK, &n)
	})
	e.GET("/api/notes", func(c echo.Context) error { return handListNotes(c, db) })
	e.GET("/api/users/:id", func(c echo.Context) error {
		id, err := strconv.ParseInt(c.Param("id"), 10, 64)
		if err != nil {
			return echo.NewHTTPError(http.StatusNotFound)
		}
		var u handUser
		if err := db.WithContext(c.Request().Context()).Table("User").First(&u, id).Error; err != nil {
			return handDBError(err)
		}
		return c.JSON(http.StatusOK, &u)
	})
	return e
}

// handListNotes answers GET /api/notes?filter=... for the filters the benchmarks send: a rating
// lower bound, an order, a limit, and include "owner" (a second query for the owners).
func handListNotes(c echo.Context, db *gorm.DB) error {
	var f handFilter
	if raw := c.QueryParam("filter"); raw != "" {
		if err := json.Unmarshal([]byte(raw), &f); err != nil {
			return echo.NewHTTPError(http.StatusBadRequest, "bad filter")
		}
	}
	order, ok := handOrders[f.Order]
	if !ok || f.Limit < 0 || f.Limit > 1000 || (f.Include != "" && f.Include != "owner") {
		return echo.NewHTTPError(http.StatusBadRequest, "unsupported filter")
	}
	ctx := c.Request().Context()
	q := db.WithContext(ctx).Table("Note").Order(order)
	if f.Where.Rating.Gte != nil {
		q = q.Where("rating >= ?", *f.Where.Rating.Gte)
	}
	if f.Limit > 0 {
		q = q.Limit(f.Limit)
	}
	var notes []handNote
	if err := q.Find(&notes).Error; err != nil {
		return handDBError(err)
	}
	if f.Include == "owner" {
		if err := handIncludeOwners(ctx, db, notes); err != nil {
			return err
		}
	}
	return c.JSON(http.StatusOK, notes)
}

// handIncludeOwners loads the owners of notes in one query and attaches them.
func handIncludeOwners(ctx context.Context, db *gorm.DB, notes []handNote) error {
	seen := map[int64]bool{}
	var ids []int64
	for _, n := range notes {
		if n.OwnerID != nil && !seen[int64(*n.OwnerID)] {
			seen[int64(*n.OwnerID)] = true
			ids = append(ids, int64(*n.OwnerID))
		}
	}
	if len(ids) == 0 {
		return nil
	}
	var owners []handUser
	if err := db.WithContext(ctx).Table("User").Where("id IN ?", ids).Find(&owners).Error; err != nil {
		return handDBError(err)
	}
	byID := make(map[int64]*handUser, len(owners))
	for i := range owners {
		byID[owners[i].ID] = &owners[i]
	}
	for i := range notes {
		if notes[i].OwnerID != nil {
			notes[i].Owner = byID[int64(*notes[i].OwnerID)]
		}
	}
	return nil
}

// handDBError maps a GORM error to the hand-written server's answer.
func handDBError(err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	return echo.NewHTTPError(http.StatusInternalServerError).SetInternal(err)
}

// reqFunc builds the next request of a benchmark; it runs in the client goroutines.
type reqFunc func(env *benchEnv) (*http.Request, error)

// get returns a GET request for base+path with optional header name/value pairs.
func get(base, path string, headers ...string) (*http.Request, error) {
	req, err := http.NewRequest(http.MethodGet, base+path, nil)
	if err != nil {
		return nil, fmt.Errorf("build GET %s: %w", path, err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return req, nil
}

// postJSON returns a POST request with a JSON body.
func postJSON(base, path string, body []byte) (*http.Request, error) {
	req, err := http.NewRequest(http.MethodPost, base+path, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("build POST %s: %w", path, err)
	}
	req.Header.Set("Content-Type", "application/json")
	return req, nil
}

// must passes a built request through, or stops the benchmark when it could not be built:
// must(b)(get(...)).
func must(b *testing.B) func(*http.Request, error) *http.Request {
	return func(req *http.Request, err error) *http.Request {
		b.Helper()
		if err != nil {
			b.Fatal(err)
		}
		return req
	}
}

// send performs one request and returns its status and body.
func send(env *benchEnv, req *http.Request) (int, []byte, error) {
	resp, err := env.client.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, body, fmt.Errorf("%s %s: read body: %w", req.Method, req.URL.Path, err)
	}
	return resp.StatusCode, body, nil
}

// work is one unit of load: an HTTP request with its check, or one bcrypt comparison.
type work func() error

// httpWork returns work sending next's requests; any answer but 200 is a failure.
func httpWork(env *benchEnv, next reqFunc) work {
	return func() error {
		req, err := next(env)
		if err != nil {
			return err
		}
		resp, err := env.client.Do(req)
		if err != nil {
			return fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s %s: status %d", req.Method, req.URL.RequestURI(), resp.StatusCode)
		}
		return nil
	}
}

// loadWorkers is how many client goroutines run at once.
func loadWorkers() int { return benchParallelism * runtime.GOMAXPROCS(0) }

// failures counts failed work and keeps the first error.
type failures struct {
	n     atomic.Int64
	first atomic.Value
}

func (f *failures) add(err error) {
	f.n.Add(1)
	f.first.CompareAndSwap(nil, err.Error())
}

// check stops the benchmark when any work failed.
func (f *failures) check(b *testing.B, total int) {
	b.Helper()
	if n := f.n.Load(); n > 0 {
		b.Fatalf("%d of %d requests failed; first: %v", n, total, f.first.Load())
	}
}

// phase runs w n times from loadWorkers goroutines (keep-alive clients) and returns how long
// it took.
func phase(n int, w work, f *failures) time.Duration {
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range min(loadWorkers(), n) {
		wg.Go(func() {
			for next.Add(1) <= int64(n) {
				if err := w(); err != nil {
					f.add(err)
				}
			}
		})
	}
	wg.Wait()
	return time.Since(start)
}

// benchRounds is how many phases each side of a pair runs at most; the sides alternate
// (baseline, loopgo, loopgo, baseline, ...) so that a burst of load from other processes on the
// machine hits both sides alike.
const benchRounds = 20

// measurePair runs b.N units of each side in interleaved phases and reports both rates
// (loopgo-req/s, base-req/s) and their ratio; ns/op is suppressed since it mixes the sides.
func measurePair(b *testing.B, loopgo, base work) (loopgoRate, baseRate float64) {
	b.Helper()
	var f failures
	per := max(b.N/benchRounds, loadWorkers())
	var lDur, bDur time.Duration
	lN, bN := 0, 0
	b.ResetTimer()
	for r := 0; lN < b.N; r++ {
		n := min(per, b.N-lN)
		if r%2 == 0 {
			bDur += phase(n, base, &f)
			lDur += phase(n, loopgo, &f)
		} else {
			lDur += phase(n, loopgo, &f)
			bDur += phase(n, base, &f)
		}
		lN, bN = lN+n, bN+n
	}
	b.StopTimer()
	f.check(b, lN+bN)
	loopgoRate, baseRate = float64(lN)/lDur.Seconds(), float64(bN)/bDur.Seconds()
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(loopgoRate, "loopgo-req/s")
	b.ReportMetric(baseRate, "base-req/s")
	b.ReportMetric(loopgoRate/baseRate, "ratio")
	return loopgoRate, baseRate
}

// measureOne runs b.N units of w and reports req/s.
func measureOne(b *testing.B, w work) float64 {
	b.Helper()
	var f failures
	b.ResetTimer()
	d := phase(b.N, w, &f)
	b.StopTimer()
	f.check(b, b.N)
	rate := float64(b.N) / d.Seconds()
	b.ReportMetric(rate, "req/s")
	return rate
}

// probe sends one request to each side, checks both answer 200 with the same JSON (unless
// compare is false) and records the SQL statements each side ran. It returns Loopgo's body.
// baseReq may be nil (a baseline that is not HTTP).
func probe(b *testing.B, env *benchEnv, res *pairResult, loopgoReq, baseReq *http.Request, compare bool) []byte {
	b.Helper()
	var (
		lStatus, bStatus int
		lBody, bBody     []byte
		lErr, bErr       error
	)
	lStmts := env.loopgoSQL.record(func() { lStatus, lBody, lErr = send(env, loopgoReq) })
	if lErr != nil || lStatus != http.StatusOK {
		b.Fatalf("loopgo %s: %d %v %.300s", loopgoReq.URL.RequestURI(), lStatus, lErr, lBody)
	}
	res.loopgoSQL, res.loopgoStmts = len(lStmts), lStmts
	if baseReq == nil {
		return lBody
	}
	bStmts := env.handSQL.record(func() { bStatus, bBody, bErr = send(env, baseReq) })
	if bErr != nil || bStatus != http.StatusOK {
		b.Fatalf("baseline %s: %d %v %.300s", baseReq.URL.RequestURI(), bStatus, bErr, bBody)
	}
	res.baseSQL, res.baseStmts = len(bStmts), bStmts
	if compare {
		var l, h any
		if err := json.Unmarshal(lBody, &l); err != nil {
			b.Fatalf("loopgo body is not JSON: %v: %.300s", err, lBody)
		}
		if err := json.Unmarshal(bBody, &h); err != nil {
			b.Fatalf("baseline body is not JSON: %v: %.300s", err, bBody)
		}
		if diff := jsonDiff("$", l, h); diff != "" {
			b.Fatalf("the two sides answer differently (%s), so they do not do the same work:\nloopgo   %.600s\nbaseline %.600s", diff, lBody, bBody)
		}
	}
	return lBody
}

// labelled runs h under the pprof label side=<side>, so that a CPU profile of a pair can be
// split by server: go tool pprof -tagfocus side=loopgo.
func labelled(side string, h http.Handler) http.Handler {
	labels := pprof.Labels("side", side)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pprof.Do(r.Context(), labels, func(context.Context) { h.ServeHTTP(w, r) })
	})
}

// jsonDiff returns where two decoded JSON values differ, or "" when they are the same; a key
// present on one side only counts as the same when its value is null (a property added to a
// built-in model, e.g. User, does not make the hand-written server wrong).
func jsonDiff(at string, a, b any) string {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			return at + ": object vs " + fmt.Sprintf("%T", b)
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok && v == nil {
				continue
			}
			if d := jsonDiff(at+"."+k, v, w); d != "" {
				return d
			}
		}
		for k, w := range y {
			if _, ok := x[k]; !ok && w != nil {
				return at + "." + k + ": only in the baseline"
			}
		}
		return ""
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return at + ": lists differ in length or type"
		}
		for i := range x {
			if d := jsonDiff(fmt.Sprintf("%s[%d]", at, i), x[i], y[i]); d != "" {
				return d
			}
		}
		return ""
	}
	if !reflect.DeepEqual(a, b) {
		return fmt.Sprintf("%s: %v vs %v", at, a, b)
	}
	return ""
}

// fixedTokens resolves the seeded users' tokens from memory: the token check short-circuited.
type fixedTokens map[string]rest.Token

// ResolveToken implements rest.TokenResolver.
func (f fixedTokens) ResolveToken(_ context.Context, raw string) (*rest.Token, error) {
	if t, ok := f[raw]; ok {
		return &t, nil
	}
	return nil, nil
}
