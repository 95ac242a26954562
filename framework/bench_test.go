package framework_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"text/tabwriter"
	"time"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
)

// Benchmarks of `make bench`: each generated endpoint beside a baseline doing the same work
// (a hand-written Echo+GORM handler on the same SQLite file, the bare bcrypt cost, or another
// Loopgo path), over real HTTP on loopback. Every pair reports req/s per side and the ratio
// loopgo/baseline; TestMain prints the summary table after the run. Plain `go test` runs no
// benchmark, so it neither seeds nor slows down.

// TestMain runs the package's tests and benchmarks, then prints the benchmark summary when any
// benchmark ran (the fixture exists only then) and removes the fixture.
func TestMain(m *testing.M) {
	code := m.Run()
	if benchShared != nil {
		printBenchSummary(os.Stdout, benchShared)
		benchShared.close()
	}
	os.Exit(code)
}

// benchPair describes one comparison: the Loopgo side and its baseline.
type benchPair struct {
	id       string
	what     string
	baseline string  // what the baseline is, for the table
	target   float64 // the ratio the issue asks for; 0 = report only
	note     string  // printed under the table
}

// pairResult is what one pair measured.
type pairResult struct {
	pair               benchPair
	loopgo, base       float64 // req/s
	loopgoSQL, baseSQL int     // SQL statements per request (-1 = not applicable)
	loopgoStmts        []string
	baseStmts          []string
}

// benchResults collects the results of the pairs run, in order.
var benchResults struct {
	sync.Mutex
	order []string
	byID  map[string]*pairResult
}

// result returns the record of a pair, creating it.
func result(p benchPair) *pairResult {
	benchResults.Lock()
	defer benchResults.Unlock()
	if benchResults.byID == nil {
		benchResults.byID = map[string]*pairResult{}
	}
	r, ok := benchResults.byID[p.id]
	if !ok {
		r = &pairResult{pair: p, loopgoSQL: -1, baseSQL: -1}
		benchResults.byID[p.id] = r
		benchResults.order = append(benchResults.order, p.id)
	}
	return r
}

// fixture returns the shared benchmark environment or stops the benchmark.
func fixture(b *testing.B) *benchEnv {
	b.Helper()
	env, err := benchEnvironment()
	if err != nil {
		b.Fatalf("benchmark fixture: %v", err)
	}
	return env
}

// filterQuery returns "?filter=" + the URL-encoded filter.
func filterQuery(filter string) string { return "?filter=" + url.QueryEscape(filter) }

// getFrom returns a reqFunc for an anonymous GET base(env)+path(env).
func getFrom(base, path func(*benchEnv) string) reqFunc {
	return func(env *benchEnv) (*http.Request, error) { return get(base(env), path(env)) }
}

// loopgoURL is the base URL of the Loopgo server.
func loopgoURL(env *benchEnv) string { return env.loopgo.URL }

// handURL is the base URL of the hand-written server.
func handURL(env *benchEnv) string { return env.hand.URL }

// BenchmarkFloor measures the transport alone: the hand-written server answering a constant,
// so the table shows how much of each figure the client and loopback HTTP take.
func BenchmarkFloor(b *testing.B) {
	env := fixture(b)
	res := result(benchPair{id: "0", what: "GET /ping (constant, no DB)", baseline: "hand-written Echo, constant answer",
		note: "transport floor: the clients, loopback HTTP and Echo with no handler work; no server can beat it on this machine"})
	res.base = measureOne(b, httpWork(env, getFrom(handURL, func(*benchEnv) string { return "/ping" })))
}

// BenchmarkPair1FindByID: GET /api/notes/:id vs a hand-written GORM First by id.
func BenchmarkPair1FindByID(b *testing.B) {
	env := fixture(b)
	res := result(benchPair{id: "1", what: "GET /api/notes/:id (anonymous)", baseline: "hand-written Echo+GORM First"})
	path := func(env *benchEnv) string { return fmt.Sprintf("/api/notes/%d", env.noteIDs[env.randomNote()]) }
	probePath := path(env)
	probe(b, env, res, must(b)(get(env.loopgo.URL, probePath)), must(b)(get(env.hand.URL, probePath)), true)
	res.loopgo, res.base = measurePair(b, httpWork(env, getFrom(loopgoURL, path)), httpWork(env, getFrom(handURL, path)))
}

// BenchmarkPair2Find: a filtered, ordered, limited list vs the same query hand-written.
func BenchmarkPair2Find(b *testing.B) {
	env := fixture(b)
	res := result(benchPair{id: "2", what: `GET /api/notes?filter={where rating gte 3, order title ASC, limit 20}`, baseline: "hand-written Echo+GORM Where/Order/Limit"})
	path := func(*benchEnv) string {
		return "/api/notes" + filterQuery(`{"where":{"rating":{"gte":3}},"order":"title ASC","limit":20}`)
	}
	probe(b, env, res, must(b)(get(env.loopgo.URL, path(env))), must(b)(get(env.hand.URL, path(env))), true)
	res.loopgo, res.base = measurePair(b, httpWork(env, getFrom(loopgoURL, path)), httpWork(env, getFrom(handURL, path)))
}

// BenchmarkPair3AuthFindByID: GET /api/users/:id with the user's token vs a hand-written handler
// that resolves no token and answers the user by id.
func BenchmarkPair3AuthFindByID(b *testing.B) {
	env := fixture(b)
	res := result(benchPair{id: "3", what: "GET /api/users/:id (the user's own token, default ACLs)", baseline: "hand-written Echo+GORM First, token ignored", target: 0.9,
		note: "Loopgo has no switch to turn token resolution off, so the baseline is a hand-written handler that receives the same request (token header included), resolves nothing and answers the user by id through GORM"})
	req := func(base string) reqFunc {
		return func(env *benchEnv) (*http.Request, error) {
			u := env.randomUser()
			return get(base, fmt.Sprintf("/api/users/%d", u.id), "Authorization", u.token)
		}
	}
	u := env.users[0]
	probePath := fmt.Sprintf("/api/users/%d", u.id)
	probe(b, env, res, must(b)(get(env.loopgo.URL, probePath, "Authorization", u.token)), must(b)(get(env.hand.URL, probePath, "Authorization", u.token)), true)
	res.loopgo, res.base = measurePair(b, httpWork(env, req(env.loopgo.URL)), httpWork(env, req(env.hand.URL)))
}

// BenchmarkPair3bTokenCheck: GET /api/users/:id with the user's token vs the same request to a
// Loopgo app whose token check is short-circuited (tokens resolved from a map): the cost of the
// token check itself, the figure issue 3 targets at 0.9.
func BenchmarkPair3bTokenCheck(b *testing.B) {
	env := fixture(b)
	res := result(benchPair{id: "3b", what: "GET /api/users/:id (own token) vs token check short-circuited", baseline: "Loopgo, token resolved from memory", target: 0.9,
		note: "both sides are Loopgo with the same ACLs; only the token resolution differs (digest + token cache, 1 s)"})
	req := func(base func(*benchEnv) string) reqFunc {
		return func(env *benchEnv) (*http.Request, error) {
			u := env.randomUser()
			return get(base(env), fmt.Sprintf("/api/users/%d", u.id), "Authorization", u.token)
		}
	}
	noTokURL := func(env *benchEnv) string { return env.noTokSrv.URL }
	u := env.users[0]
	probePath := fmt.Sprintf("/api/users/%d", u.id)
	probe(b, env, res, must(b)(get(env.loopgo.URL, probePath, "Authorization", u.token)), must(b)(get(env.noTokSrv.URL, probePath, "Authorization", u.token)), true)
	res.loopgo, res.base = measurePair(b, httpWork(env, req(loopgoURL)), httpWork(env, req(noTokURL)))
}

// BenchmarkPair4Login: POST /api/users/login vs bare bcrypt comparisons at the same parallelism.
func BenchmarkPair4Login(b *testing.B) {
	env := fixture(b)
	res := result(benchPair{id: "4", what: "POST /api/users/login (bcrypt cost 10)", baseline: "bare bcrypt.CompareHashAndPassword, same parallelism", target: 0.9,
		note: "every successful login also inserts an AccessToken row"})
	bodies := make([][]byte, len(env.users))
	for i, u := range env.users {
		body, err := json.Marshal(map[string]string{"email": u.email, "password": benchPassword})
		if err != nil {
			b.Fatal(err)
		}
		bodies[i] = body
	}
	body := probe(b, env, res, must(b)(postJSON(env.loopgo.URL, "/api/users/login", bodies[0])), nil, false)
	var tok struct{ ID string }
	if err := json.Unmarshal(body, &tok); err != nil || len(tok.ID) != 64 {
		b.Fatalf("login answered no token: %v %.300s", err, body)
	}
	hash := []byte(env.hash)
	bare := func() error {
		if err := bcrypt.CompareHashAndPassword(hash, []byte(benchPassword)); err != nil {
			return fmt.Errorf("bcrypt: %w", err)
		}
		return nil
	}
	login := httpWork(env, func(env *benchEnv) (*http.Request, error) {
		return postJSON(env.loopgo.URL, "/api/users/login", bodies[rand.IntN(len(bodies))])
	})
	res.loopgo, res.base = measurePair(b, login, bare)
}

// BenchmarkPair5OwnerFindByID: GET /api/notes/:id as the note's owner (token, full ACL path)
// vs the same request anonymous; both Loopgo.
func BenchmarkPair5OwnerFindByID(b *testing.B) {
	env := fixture(b)
	res := result(benchPair{id: "5", what: "GET /api/notes/:id as the note's owner (token)", baseline: "Loopgo, same request anonymous",
		note: "both sides are Loopgo: the ratio is the cost of resolving the token and judging the ACLs for a principal"})
	owner := func(env *benchEnv) (*http.Request, error) {
		i := env.randomNote()
		return get(env.loopgo.URL, fmt.Sprintf("/api/notes/%d", env.noteIDs[i]), "Authorization", env.users[env.noteOwner[i]].token)
	}
	anonymous := func(env *benchEnv) (*http.Request, error) {
		return get(env.loopgo.URL, fmt.Sprintf("/api/notes/%d", env.noteIDs[env.randomNote()]))
	}
	probePath := fmt.Sprintf("/api/notes/%d", env.noteIDs[0])
	probe(b, env, res, must(b)(get(env.loopgo.URL, probePath, "Authorization", env.users[env.noteOwner[0]].token)), nil, false)
	anon := env.loopgoSQL.record(func() {
		if status, body, err := send(env, must(b)(get(env.loopgo.URL, probePath))); err != nil || status != http.StatusOK {
			b.Fatalf("anonymous %s: %d %v %.300s", probePath, status, err, body)
		}
	})
	res.baseSQL, res.baseStmts = len(anon), anon
	res.loopgo, res.base = measurePair(b, httpWork(env, owner), httpWork(env, anonymous))
}

// BenchmarkPair6Include: a list with include owner vs two hand-written queries stitched.
func BenchmarkPair6Include(b *testing.B) {
	env := fixture(b)
	res := result(benchPair{id: "6", what: `GET /api/notes?filter={include owner, limit 50} (anonymous)`, baseline: "hand-written: notes limit 50, users WHERE id IN, stitched"})
	path := func(*benchEnv) string { return "/api/notes" + filterQuery(`{"include":"owner","limit":50}`) }
	body := probe(b, env, res, must(b)(get(env.loopgo.URL, path(env))), must(b)(get(env.hand.URL, path(env))), false)
	includeNote(b, res, body)
	res.loopgo, res.base = measurePair(b, httpWork(env, getFrom(loopgoURL, path)), httpWork(env, getFrom(handURL, path)))
}

// includeNote records whether Loopgo's answer carries the owners, and which of their properties.
func includeNote(b *testing.B, res *pairResult, body []byte) {
	b.Helper()
	var notes []map[string]any
	if err := json.Unmarshal(body, &notes); err != nil || len(notes) != 50 {
		b.Fatalf("loopgo list: %v, %d notes: %.300s", err, len(notes), body)
	}
	withOwner := 0
	var keys []string
	for _, n := range notes {
		if o, ok := n["owner"].(map[string]any); ok && o["id"] != nil {
			withOwner++
			if keys == nil {
				for k := range o {
					keys = append(keys, k)
				}
				sort.Strings(keys)
			}
		}
	}
	if withOwner == 0 {
		res.pair.note = "Loopgo served NO owner objects (include not served yet, or the anonymous caller may not READ User): the Loopgo side does less work than the baseline"
		return
	}
	res.pair.note = fmt.Sprintf("Loopgo served the owner on %d of %d notes to an anonymous caller, with properties %s", withOwner, len(notes), strings.Join(keys, ", "))
}

// printBenchSummary writes the table of every pair measured.
func printBenchSummary(w io.Writer, env *benchEnv) {
	benchResults.Lock()
	defer benchResults.Unlock()
	if len(benchResults.order) == 0 {
		return
	}
	fmt.Fprintf(w, "\nLoopgo benchmark summary: GOMAXPROCS=%d, %d keep-alive HTTP clients on loopback, the two sides of a pair in alternating phases, SQLite (WAL) with %d notes / %d users, seeded in %s\n",
		runtime.GOMAXPROCS(0), benchParallelism*runtime.GOMAXPROCS(0), len(env.noteIDs), len(env.users), env.seedTook.Round(time.Millisecond))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "pair\tendpoint\tloopgo req/s\tbaseline req/s\tratio\ttarget\tSQL/req loopgo\tSQL/req baseline\tbaseline")
	for _, id := range benchResults.order {
		r := benchResults.byID[id]
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", id, r.pair.what, rate(r.loopgo), rate(r.base),
			ratio(r.loopgo, r.base), target(r.pair.target, r.loopgo, r.base), count(r.loopgoSQL), count(r.baseSQL), r.pair.baseline)
	}
	_ = tw.Flush()
	fmt.Fprintln(w)
	for _, id := range benchResults.order {
		r := benchResults.byID[id]
		if r.loopgo > 0 && r.base > 0 {
			fmt.Fprintf(w, "pair %s %s: loopgo %.0f req/s, %s %.0f req/s, ratio %.2f\n", id, r.pair.what, r.loopgo, r.pair.baseline, r.base, r.loopgo/r.base)
		}
		if r.pair.note != "" {
			fmt.Fprintf(w, "  note: %s\n", r.pair.note)
		}
	}
	printPoolStats(w, env)
	fmt.Fprintln(w, "\nSQL run by one request (probe before timing):")
	for _, id := range benchResults.order {
		r := benchResults.byID[id]
		for _, side := range []struct {
			name  string
			stmts []string
		}{{"loopgo", r.loopgoStmts}, {"baseline", r.baseStmts}} {
			for _, st := range side.stmts {
				fmt.Fprintf(w, "  pair %s %-8s %s\n", id, side.name, st)
			}
		}
	}
}

// rate formats a req/s figure; "-" when not measured.
func rate(v float64) string {
	if v <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f", v)
}

// ratio formats a/b; "-" when either is not measured.
func ratio(a, b float64) string {
	if a <= 0 || b <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", a/b)
}

// target formats the target ratio t and whether a/b meets it.
func target(t, a, b float64) string {
	switch {
	case t == 0:
		return "-"
	case a <= 0 || b <= 0:
		return fmt.Sprintf("%.2f", t)
	case a/b >= t:
		return fmt.Sprintf("%.2f met", t)
	}
	return fmt.Sprintf("%.2f MISSED", t)
}

// count formats a statement count; "-" when not applicable.
func count(n int) string {
	if n < 0 {
		return "-"
	}
	return fmt.Sprint(n)
}

// printPoolStats writes the connection pool counters of both servers' databases: connections
// closed because the idle pool was full were opened again for a later query.
func printPoolStats(w io.Writer, env *benchEnv) {
	fmt.Fprintln(w, "\ndatabase/sql pools after the run (the hand-written side keeps database/sql's defaults):")
	pools := []struct {
		name string
		db   *gorm.DB
	}{{"loopgo  ", env.app.StoreOf("Note").DB(context.Background())}, {"baseline", env.handDB}}
	for _, p := range pools {
		sqlDB, err := p.db.DB()
		if err != nil {
			fmt.Fprintf(w, "  %s: %v\n", p.name, err)
			continue
		}
		st := sqlDB.Stats()
		fmt.Fprintf(w, "  %s open %d, idle %d, closed because the idle pool was full: %d, waited for a connection: %d\n",
			p.name, st.OpenConnections, st.Idle, st.MaxIdleClosed, st.WaitCount)
	}
}
