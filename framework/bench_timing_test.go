package framework_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"text/tabwriter"
	"time"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"

	"github.com/loopgo/loopgo/framework"
	"github.com/loopgo/loopgo/framework/accounts"
	"github.com/loopgo/loopgo/models"
)

// Timing benchmarks of issue 6: does the time of a failed login or of a password-reset request
// tell a known account from an unknown email? Each benchmark builds its own ready app on a
// temporary SQLite file (bcrypt at the default cost 10, throttling off through the user model's
// loginThrottle and mailThrottle settings), serves it over real HTTP on loopback, and sends one
// request at a time, known and unknown alternating in ABBA order (so that whatever a request
// leaves behind, e.g. the reset mail goroutine, falls on both sides alike). It prints the
// medians, p90 and the ratio unknown/known, whether that ratio is within 30%, and the SQL each
// side runs. Nothing here runs, seeds or builds anything unless -bench selects it.

// Timing fixture settings.
const (
	timingKnownEmail    = "known@timing.example"
	timingUnknownEmail  = "nobody@timing.example"
	timingPassword      = "timing-Password-7"
	timingWrongPassword = "wrong-Password-77" // a failed login costs a bcrypt comparison on both sides
	timingLoginSamples  = 60                  // per side and per b.N, at bcrypt cost 10
	timingResetSamples  = 200                 // per side and per b.N
	timingLoginWarmup   = 2                   // untimed pairs first (the dummy hash is made on first use)
	timingResetWarmup   = 5
	timingProbes        = 10  // requests per side whose SQL is recorded
	timingTolerance     = 0.3 // |1 - unknown/known| allowed by issue 6
)

// BenchmarkTimingLogin compares failed logins: the known account with a wrong password vs an
// unknown email (issue 6).
func BenchmarkTimingLogin(b *testing.B) {
	env := newTimingEnv(b)
	c := timingCase{
		title:   "POST /api/users/login, known account + wrong password vs unknown email",
		path:    "/api/users/login",
		known:   timingBody(b, map[string]any{"email": timingKnownEmail, "password": timingWrongPassword}),
		unknown: timingBody(b, map[string]any{"email": timingUnknownEmail, "password": timingWrongPassword}),
		status:  http.StatusUnauthorized,
		code:    "LOGIN_FAILED",
		samples: timingLoginSamples,
		warmup:  timingLoginWarmup,
	}
	env.run(b, c)
}

// BenchmarkTimingReset compares password-reset requests: the known account vs an unknown email;
// the known side issues a reset token and hands the mail to the development log mailer, which
// writes to io.Discard after the response (issue 6).
func BenchmarkTimingReset(b *testing.B) {
	env := newTimingEnv(b)
	c := timingCase{
		title:   "POST /api/users/reset, known account vs unknown email",
		path:    "/api/users/reset",
		known:   timingBody(b, map[string]any{"email": timingKnownEmail}),
		unknown: timingBody(b, map[string]any{"email": timingUnknownEmail}),
		status:  http.StatusNoContent,
		samples: timingResetSamples,
		warmup:  timingResetWarmup,
	}
	env.run(b, c)
	env.resetSteps(b, timingResetSamples*b.N)
}

// timingCase is one endpoint compared for a known and an unknown account.
type timingCase struct {
	title          string
	path           string
	known, unknown []byte // request bodies
	status         int    // the answer both sides must give
	code           string // the error code both sides must answer; "" = not checked
	samples        int    // per side and per b.N
	warmup         int    // untimed pairs before the samples
}

// timingEnv is the app under measurement, served on loopback.
type timingEnv struct {
	app    *framework.App
	srv    *httptest.Server
	client *http.Client
	sql    *timingSQL
}

// newTimingEnv builds the ready app on a temporary SQLite file with the known account (its
// password hashed at the default cost), throttling off, and serves it on loopback.
func newTimingEnv(b *testing.B) *timingEnv {
	b.Helper()
	ctx := context.Background()
	dir := b.TempDir()
	app, err := framework.New(framework.Config{
		Datasources: map[string]framework.Datasource{
			"db":    {URL: "sqlite:" + filepath.Join(dir, "app.db")},
			"audit": {URL: "sqlite:" + filepath.Join(dir, "audit.db")},
		},
		// Production-like logging written nowhere; the development log mailer (no SMTP URL)
		// writes the reset mail here too, so no network is involved.
		Logger: slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo})),
	})
	if err != nil {
		b.Fatalf("new app: %v", err)
	}
	if err := app.LoadModels(models.FS); err != nil {
		b.Fatalf("load models: %v", err)
	}
	models.Register(app)
	app.Boot("timing-throttle-off", func(context.Context, *framework.App) error {
		for _, m := range app.Registry().Models() {
			if m.IsA("User") {
				if m.Settings == nil {
					m.Settings = map[string]any{}
				}
				m.Settings["loginThrottle"] = false
				m.Settings["mailThrottle"] = false
			}
		}
		return nil
	})
	if err := app.Setup(ctx); err != nil {
		b.Fatalf("setup: %v", err)
	}
	b.Cleanup(func() { _ = app.Shutdown(context.Background()) })
	env := &timingEnv{app: app, sql: &timingSQL{}}
	if err := env.seedKnown(ctx); err != nil {
		b.Fatal(err)
	}
	if err := env.sql.install(app.StoreOf("User").DB(ctx)); err != nil {
		b.Fatal(err)
	}
	env.srv = httptest.NewServer(bySide(app.Handler()))
	env.client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 2, DisableCompression: true}}
	b.Cleanup(func() {
		env.client.CloseIdleConnections()
		env.srv.Close()
	})
	// open the keep-alive connection, so that no timed request pays for the TCP handshake
	resp, err := env.client.Get(env.srv.URL + "/")
	if err != nil {
		b.Fatalf("connect: %v", err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return env
}

// seedKnown creates the known account (its password hashed by the user hooks) and checks that
// the stored hash has the default bcrypt cost.
func (env *timingEnv) seedKnown(ctx context.Context) error {
	if _, err := env.app.Model("User").Create(ctx, map[string]any{"email": timingKnownEmail, "password": timingPassword}); err != nil {
		return fmt.Errorf("create the known account: %w", err)
	}
	var hash string
	err := env.app.StoreOf("User").DB(ctx).Table("User").Select("password").Where("email = ?", timingKnownEmail).Row().Scan(&hash)
	if err != nil {
		return fmt.Errorf("read the known account's hash: %w", err)
	}
	cost, err := bcrypt.Cost([]byte(hash))
	if err != nil {
		return fmt.Errorf("the known account's password is not a bcrypt hash: %w", err)
	}
	if cost != accounts.DefaultSaltWorkFactor {
		return fmt.Errorf("the known account's password is hashed at cost %d, want the default %d", cost, accounts.DefaultSaltWorkFactor)
	}
	return nil
}

// timingBody encodes a JSON request body.
func timingBody(b *testing.B, v any) []byte {
	b.Helper()
	body, err := json.Marshal(v)
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// post sends one request and returns its status, body and the time from sending it to having
// read the whole answer (the request is built before the clock starts).
func (env *timingEnv) post(path, side string, body []byte) (int, []byte, time.Duration, error) {
	req, err := postJSON(env.srv.URL, path, body)
	if err != nil {
		return 0, nil, 0, err
	}
	req.Header.Set(timingSideHeader, side)
	start := time.Now()
	resp, err := env.client.Do(req)
	if err != nil {
		return 0, nil, 0, fmt.Errorf("POST %s: %w", path, err)
	}
	out, err := io.ReadAll(resp.Body)
	took := time.Since(start)
	_ = resp.Body.Close()
	if err != nil {
		return resp.StatusCode, out, took, fmt.Errorf("POST %s: read body: %w", path, err)
	}
	return resp.StatusCode, out, took, nil
}

// once sends one request of c for the known or the unknown account and checks the answer is
// the one both sides must give.
func (env *timingEnv) once(c timingCase, known bool) (time.Duration, error) {
	side, body := "unknown", c.unknown
	if known {
		side, body = "known", c.known
	}
	status, out, took, err := env.post(c.path, side, body)
	if err != nil {
		return 0, err
	}
	if status != c.status {
		return 0, fmt.Errorf("POST %s %s: status %d, want %d: %.300s", c.path, body, status, c.status, out)
	}
	if c.code != "" {
		var answer struct{ Error struct{ Code string } }
		if err := json.Unmarshal(out, &answer); err != nil || answer.Error.Code != c.code {
			return 0, fmt.Errorf("POST %s %s: answer %.300s, want error code %s", c.path, body, out, c.code)
		}
	}
	return took, nil
}

// alternate sends n known and n unknown requests, one at a time in ABBA order, and returns the
// durations of each side.
func (env *timingEnv) alternate(c timingCase, n int) (known, unknown []time.Duration, err error) {
	known, unknown = make([]time.Duration, 0, n), make([]time.Duration, 0, n)
	for i := range n {
		order := []bool{true, false}
		if i%2 == 1 {
			order = []bool{false, true}
		}
		for _, isKnown := range order {
			took, err := env.once(c, isKnown)
			if err != nil {
				return nil, nil, err
			}
			if isKnown {
				known = append(known, took)
			} else {
				unknown = append(unknown, took)
			}
		}
	}
	return known, unknown, nil
}

// run warms up, records the SQL of each side, measures c.samples*b.N requests per side and
// prints the result table.
func (env *timingEnv) run(b *testing.B, c timingCase) {
	b.Helper()
	firstKnown, firstUnknown, err := env.alternate(c, c.warmup)
	if err != nil {
		b.Fatalf("warm-up: %v", err)
	}
	knownSQL, unknownSQL, err := env.probeSQL(c)
	if err != nil {
		b.Fatal(err)
	}
	n := c.samples * b.N
	b.ResetTimer()
	known, unknown, err := env.alternate(c, n)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	ks, us := summarize(known), summarize(unknown)
	r := float64(us.median) / float64(ks.median)
	b.ReportMetric(0, "ns/op") // the total mixes both sides: meaningless
	b.ReportMetric(ms(ks.median), "known-median-ms")
	b.ReportMetric(ms(us.median), "unknown-median-ms")
	b.ReportMetric(r, "unknown/known")
	printTiming(os.Stdout, c, ks, us, knownSQL, unknownSQL)
	fmt.Fprintf(os.Stdout, "first requests after start (warm-up, not in the samples): known %.3f ms, unknown %.3f ms\n", ms(firstKnown[0]), ms(firstUnknown[0]))
	if err := env.printJournal(os.Stdout); err != nil {
		b.Fatal(err)
	}
}

// printJournal writes the SQLite journal mode and synchronous level of the app's connections,
// which decide whether a commit waits for the disk.
func (env *timingEnv) printJournal(w io.Writer) error {
	db := env.app.StoreOf("User").DB(context.Background())
	var mode string
	var sync int
	if err := db.Raw("PRAGMA journal_mode").Row().Scan(&mode); err != nil {
		return fmt.Errorf("read journal_mode: %w", err)
	}
	if err := db.Raw("PRAGMA synchronous").Row().Scan(&sync); err != nil {
		return fmt.Errorf("read synchronous: %w", err)
	}
	fmt.Fprintf(w, "SQLite journal_mode=%s synchronous=%d (0 off, 1 normal: no fsync per commit in WAL, 2 full)\n", mode, sync)
	return nil
}

// probeSQL records the statements timingProbes requests of each side run.
func (env *timingEnv) probeSQL(c timingCase) (known, unknown sqlProfile, err error) {
	for _, side := range []struct {
		known bool
		out   *sqlProfile
	}{{true, &known}, {false, &unknown}} {
		var reqErr error
		stmts := env.sql.record(func() {
			for range timingProbes {
				if _, err := env.once(c, side.known); err != nil {
					reqErr = err
					return
				}
			}
		})
		if reqErr != nil {
			return known, unknown, fmt.Errorf("SQL probe: %w", reqErr)
		}
		*side.out = profileOf(stmts, timingProbes)
	}
	return known, unknown, nil
}

// timingSideHeader names the side of a request ("known" or "unknown") for bySide.
const timingSideHeader = "X-Timing-Side"

// bySide runs h under the pprof label side=<X-Timing-Side>, inherited by the goroutines the
// request starts (the reset mail), so that a CPU profile splits by side:
// go test -bench TimingReset -benchtime 20x -cpuprofile cpu.out; go tool pprof -tagfocus side=known.
func bySide(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pprof.Do(r.Context(), pprof.Labels("side", r.Header.Get(timingSideHeader)), func(context.Context) { h.ServeHTTP(w, r) })
	})
}

// timingStats summarises one side's durations.
type timingStats struct {
	n                int
	min, median, p90 time.Duration
}

// summarize returns the count, minimum, median and 90th percentile (nearest rank) of d.
func summarize(d []time.Duration) timingStats {
	if len(d) == 0 {
		return timingStats{}
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	median := s[len(s)/2]
	if len(s)%2 == 0 {
		median = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	p90 := s[int(math.Ceil(0.9*float64(len(s))))-1]
	return timingStats{n: len(s), min: s[0], median: median, p90: p90}
}

// ms converts a duration to milliseconds.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// printTiming writes the result table of one case and the SQL each side ran.
func printTiming(w io.Writer, c timingCase, ks, us timingStats, knownSQL, unknownSQL sqlProfile) {
	fmt.Fprintf(w, "\nTiming (issue 6): %s\n", c.title)
	fmt.Fprintf(w, "one request at a time over loopback HTTP (keep-alive), known/unknown alternating ABBA, bcrypt cost %d, throttling off, GOMAXPROCS=%d\n",
		accounts.DefaultSaltWorkFactor, runtime.GOMAXPROCS(0))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "side\tsamples\tmedian ms\tp90 ms\tmin ms\tSQL stmts/req\tSQL ms/req\t")
	for _, row := range []struct {
		name string
		s    timingStats
		p    sqlProfile
	}{{"known", ks, knownSQL}, {"unknown", us, unknownSQL}} {
		fmt.Fprintf(tw, "%s\t%d\t%.3f\t%.3f\t%.3f\t%.1f\t%.3f\t\n", row.name, row.s.n, ms(row.s.median), ms(row.s.p90), ms(row.s.min), row.p.perRequest, ms(row.p.timePerRequest))
	}
	_ = tw.Flush()
	r := float64(us.median) / float64(ks.median)
	verdict := "WITHIN 30%"
	if math.Abs(1-r) > timingTolerance {
		verdict = "OUTSIDE 30%"
	}
	fmt.Fprintf(w, "ratio unknown/known (medians) %.3f, |1 - ratio| = %.3f: %s; median difference %.3f ms\n",
		r, math.Abs(1-r), verdict, ms(ks.median-us.median))
	fmt.Fprintf(w, "SQL per request (%d probe requests per side; GORM statements only: the BEGIN/COMMIT of store transactions are not timed here):\n", timingProbes)
	for _, side := range []struct {
		name string
		p    sqlProfile
	}{{"known", knownSQL}, {"unknown", unknownSQL}} {
		for _, st := range side.p.stmts {
			fmt.Fprintf(w, "  %-7s %4.1fx %7.3f ms  %s\n", side.name, st.perRequest, ms(st.mean), shorten(st.sql, 150))
		}
	}
}

// shorten cuts s to n characters.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// timedStmt is one SQL statement with the time GORM spent running it.
type timedStmt struct {
	sql  string
	took time.Duration
}

// timingSQL records the statements run through one *gorm.DB, with their durations, while
// recording is on; off, its callbacks cost one atomic load.
type timingSQL struct {
	on    atomic.Bool
	mu    sync.Mutex
	stmts []timedStmt
}

// timingStartKey is the statement-instance key of a statement's start time.
const timingStartKey = "timing:start"

// install registers timing callbacks first and last in every GORM processor of db.
func (t *timingSQL) install(db *gorm.DB) error {
	before := func(tx *gorm.DB) {
		if t.on.Load() {
			tx.InstanceSet(timingStartKey, time.Now())
		}
	}
	after := func(tx *gorm.DB) {
		if !t.on.Load() {
			return
		}
		v, ok := tx.InstanceGet(timingStartKey)
		start, isTime := v.(time.Time)
		if !ok || !isTime {
			return
		}
		t.mu.Lock()
		t.stmts = append(t.stmts, timedStmt{sql: tx.Statement.SQL.String(), took: time.Since(start)})
		t.mu.Unlock()
	}
	cb := db.Callback()
	errs := []error{
		cb.Query().Before("*").Register("timing:query_start", before),
		cb.Query().After("*").Register("timing:query_end", after),
		cb.Row().Before("*").Register("timing:row_start", before),
		cb.Row().After("*").Register("timing:row_end", after),
		cb.Raw().Before("*").Register("timing:raw_start", before),
		cb.Raw().After("*").Register("timing:raw_end", after),
		cb.Create().Before("*").Register("timing:create_start", before),
		cb.Create().After("*").Register("timing:create_end", after),
		cb.Update().Before("*").Register("timing:update_start", before),
		cb.Update().After("*").Register("timing:update_end", after),
		cb.Delete().Before("*").Register("timing:delete_start", before),
		cb.Delete().After("*").Register("timing:delete_end", after),
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("install SQL timing: %w", err)
	}
	return nil
}

// record runs fn with recording on and returns the statements it ran.
func (t *timingSQL) record(fn func()) []timedStmt {
	t.mu.Lock()
	t.stmts = nil
	t.mu.Unlock()
	t.on.Store(true)
	fn()
	t.on.Store(false)
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]timedStmt(nil), t.stmts...)
}

// stmtProfile is one distinct statement of a profile.
type stmtProfile struct {
	sql        string
	perRequest float64       // how many times one request runs it
	mean       time.Duration // mean time per run
}

// sqlProfile is what the statements of some requests add up to, per request.
type sqlProfile struct {
	perRequest     float64       // statements per request
	timePerRequest time.Duration // GORM time per request
	stmts          []stmtProfile // distinct statements in order of first appearance
}

// profileOf groups statements recorded over requests requests by their SQL text.
func profileOf(stmts []timedStmt, requests int) sqlProfile {
	var p sqlProfile
	index := map[string]int{}
	counts := []int{}
	totals := []time.Duration{}
	var total time.Duration
	for _, s := range stmts {
		i, ok := index[s.sql]
		if !ok {
			i = len(p.stmts)
			index[s.sql] = i
			p.stmts = append(p.stmts, stmtProfile{sql: s.sql})
			counts = append(counts, 0)
			totals = append(totals, 0)
		}
		counts[i]++
		totals[i] += s.took
		total += s.took
	}
	for i := range p.stmts {
		p.stmts[i].perRequest = float64(counts[i]) / float64(requests)
		p.stmts[i].mean = totals[i] / time.Duration(counts[i])
	}
	p.perRequest = float64(len(stmts)) / float64(requests)
	p.timePerRequest = total / time.Duration(requests)
	return p
}

// resetSteps times, below HTTP, what a known reset does beyond an unknown one (issue 6
// profiling): Users.ResetPassword itself for both sides, and the known side's steps on their
// own: finding the user's tokens, creating the reset token and deleting it, each in its own
// store call (transactions included).
func (env *timingEnv) resetSteps(b *testing.B, n int) {
	b.Helper()
	ctx := context.Background()
	users, err := env.app.Users("User")
	if err != nil {
		b.Fatal(err)
	}
	user, err := env.app.Model("User").FindOne(ctx, map[string]any{"where": map[string]any{"email": timingKnownEmail}})
	if err != nil || user == nil {
		b.Fatalf("find the known account: %v", err)
	}
	tokens := env.app.StoreOf("AccessToken")
	tm := env.app.Registry().Model("AccessToken")
	steps := []struct {
		name string
		fn   func() error
	}{
		{"ResetPassword(known)", func() error {
			return users.ResetPassword(ctx, map[string]any{"email": timingKnownEmail}, accounts.ResetOptions{ClientAddress: "127.0.0.1"})
		}},
		{"ResetPassword(unknown)", func() error {
			return users.ResetPassword(ctx, map[string]any{"email": timingUnknownEmail}, accounts.ResetOptions{ClientAddress: "127.0.0.1"})
		}},
		{"find the user's tokens (AccessToken Find by userId)", func() error {
			_, err := env.app.Model("AccessToken").Find(ctx, map[string]any{"where": map[string]any{"userId": user["id"]}, "order": "created DESC"})
			return err
		}},
		{"create a scoped token + delete it (Users.CreateAccessToken, Store.DeleteByID)", func() error {
			raw, _, err := users.CreateAccessToken(ctx, user["id"], 900, []string{accounts.ResetPasswordScope}, accounts.TokenMeta{ClientAddress: "127.0.0.1"})
			if err != nil {
				return err
			}
			_, err = tokens.DeleteByID(ctx, tm, accounts.Digest(raw))
			return err
		}},
	}
	fmt.Fprintf(os.Stdout, "reset below HTTP, %d calls each (medians, transactions included):\n", n)
	for _, s := range steps {
		d := make([]time.Duration, 0, n)
		for range n {
			start := time.Now()
			if err := s.fn(); err != nil {
				b.Fatalf("%s: %v", s.name, err)
			}
			d = append(d, time.Since(start))
		}
		st := summarize(d)
		fmt.Fprintf(os.Stdout, "  %-80s median %7.3f ms  p90 %7.3f ms\n", s.name, ms(st.median), ms(st.p90))
	}
	fmt.Fprintln(os.Stdout, strings.Repeat("-", 40))
}
