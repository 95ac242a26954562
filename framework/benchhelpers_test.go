package framework_test

import (
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
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/crypto/bcrypt"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/loopgo/loopgo/framework"
	"github.com/loopgo/loopgo/framework/builtin"
	"github.com/loopgo/loopgo/models"
)

// Benchmark fixture sizes and settings.
const (
	benchNotes       = 10000
	benchUsers       = 100
	benchPassword    = "bench-Password-1"
	benchParallelism = 8 // client goroutines per GOMAXPROCS (b.SetParallelism)
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
	handDB *gorm.DB
	client *http.Client

	hash       string      // the bcrypt hash (cost 10) of benchPassword every user has
	noteIDs    []int64     // ids of the seeded notes
	noteOwner  []int       // index into users of each note's owner
	users      []benchUser // the note owners
	loopgoSQL  *sqlCounter // statements the app runs on the db datasource
	handSQL    *sqlCounter // statements the hand-written server runs
	seedTook   time.Duration
	includeSrv string // whether include is served (set by the include pair's probe)
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
	env.loopgo = httptest.NewServer(app.Handler())
	env.hand = httptest.NewServer(newHandServer(env.handDB))
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
	hash, err := bcrypt.GenerateFromPassword([]byte(benchPassword), builtin.DefaultSaltWorkFactor)
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
		raw, _, err := users.CreateAccessToken(ctx, id, 0, nil, builtin.TokenMeta{})
		if err != nil {
			return fmt.Errorf("seed: token of %s: %w", email, err)
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
	for _, s := range []*httptest.Server{env.loopgo, env.hand} {
		if s != nil {
			s.Close()
		}
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
