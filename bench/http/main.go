// Command http measures the ready app against a hand-written Echo+GORM server over real HTTP:
// it builds both binaries, seeds one SQLite database through the ready app's own API, serves it
// from both, checks that they answer the same, and drives them in interleaved rounds from a
// built-in load generator on loopback, printing requests/s, p50/p99 latency, server CPU per
// request and the ratios. Run it from the repository root: `make bench-http`.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"
)

// options are the command's flags.
type options struct {
	rounds    int
	duration  time.Duration
	conns     int
	notes     int
	users     int
	only      string
	loopgoBin string
}

// server is one of the two servers under test.
type server struct {
	name string
	base string
	cmd  *exec.Cmd
}

// scenario is one kind of request, made for either server.
type scenario struct {
	name string
	req  func(base string, r *rand.Rand) *http.Request
}

// sample is what one round measured for one server.
type sample struct {
	requests  int
	errors    int
	elapsed   time.Duration
	cpu       time.Duration
	latencies []time.Duration
}

func main() {
	var o options
	flag.IntVar(&o.rounds, "rounds", 5, "interleaved rounds per scenario")
	flag.DurationVar(&o.duration, "duration", 2*time.Second, "length of one round for one server")
	flag.IntVar(&o.conns, "conns", 16, "concurrent keep-alive connections")
	flag.IntVar(&o.notes, "notes", 10000, "notes to seed")
	flag.IntVar(&o.users, "users", 10, "users to seed (each owns notes)")
	flag.StringVar(&o.only, "only", "", "run only scenarios whose name contains this")
	flag.StringVar(&o.loopgoBin, "loopgo-bin", "", "a ready app binary to measure instead of building one (a profiling build, another version)")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "bench-http:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	dir, err := os.MkdirTemp("", "loopgo-bench-http-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	fmt.Printf("building the ready app and the hand-written server in %s\n", dir)
	for _, b := range [][2]string{{"loopgo", "."}, {"hand", "./bench/http/hand"}} {
		cmd := exec.Command("go", "build", "-o", filepath.Join(dir, b[0]), b[1])
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("build %s: %w", b[1], err)
		}
	}
	dbFile := filepath.Join(dir, "app.db")
	bin := filepath.Join(dir, "loopgo")
	if o.loopgoBin != "" {
		bin = o.loopgoBin
	}
	loopgo, err := start("loopgo", dir, bin, nil, func(port int) []string {
		return []string{"PORT=" + strconv.Itoa(port), "HOST=127.0.0.1", "DATABASE_URL=sqlite:" + dbFile,
			"AUDIT_DATABASE_URL=sqlite:" + filepath.Join(dir, "audit.db"), "ADMIN_EMAIL=", "ADMIN_PASSWORD="}
	})
	if err != nil {
		return err
	}
	defer loopgo.stop()
	fmt.Printf("seeding %d users and %d notes through the ready app's API\n", o.users, o.notes)
	seeded, err := seed(loopgo.base, o)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	hand, err := start("hand", dir, filepath.Join(dir, "hand"), func(port int) []string {
		return []string{"-db", dbFile, "-addr", "127.0.0.1:" + strconv.Itoa(port)}
	}, nil)
	if err != nil {
		return err
	}
	defer hand.stop()

	scenarios := []scenario{
		{"GET one note", func(base string, r *rand.Rand) *http.Request {
			return get(base+"/api/notes/"+strconv.Itoa(1+r.IntN(o.notes)), "")
		}},
		{"filtered list of 20", func(base string, r *rand.Rand) *http.Request {
			f := fmt.Sprintf(`{"where":{"rating":{"gte":%d}},"order":"id DESC","limit":20}`, 1+r.IntN(4))
			return get(base+"/api/notes?filter="+url.QueryEscape(f), "")
		}},
		{"owner reads its user (token)", func(base string, r *rand.Rand) *http.Request {
			u := seeded[r.IntN(len(seeded))]
			return get(base+"/api/users/"+strconv.FormatInt(u.id, 10), u.token)
		}},
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConns: o.conns * 2, MaxIdleConnsPerHost: o.conns * 2,
		DisableCompression: true, IdleConnTimeout: time.Minute}}
	servers := []*server{loopgo, hand}
	results := map[string]map[string]*sample{}
	for _, sc := range scenarios {
		if o.only != "" && !strings.Contains(sc.name, o.only) {
			continue
		}
		if err := sameAnswers(client, sc, servers); err != nil {
			return err
		}
		results[sc.name] = map[string]*sample{}
		for _, s := range servers {
			results[sc.name][s.name] = &sample{}
			load(client, sc, s, o.conns, o.duration/4) // warm-up, not counted
		}
		for round := range o.rounds {
			order := servers
			if round%2 == 1 {
				order = []*server{hand, loopgo}
			}
			for _, s := range order {
				got := load(client, sc, s, o.conns, o.duration)
				acc := results[sc.name][s.name]
				acc.requests += got.requests
				acc.errors += got.errors
				acc.elapsed += got.elapsed
				acc.cpu += got.cpu
				acc.latencies = append(acc.latencies, got.latencies...)
			}
			fmt.Printf("  %s: round %d of %d done\n", sc.name, round+1, o.rounds)
		}
	}
	report(os.Stdout, scenarios, results, o)
	return nil
}

// start runs a server binary on a free port and waits until its /health answers.
func start(name, dir, bin string, args func(port int) []string, env func(port int) []string) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	var argv []string
	if args != nil {
		argv = args(port)
	}
	cmd := exec.Command(bin, argv...)
	cmd.Dir = dir
	cmd.Env = os.Environ()
	if env != nil {
		cmd.Env = append(cmd.Env, env(port)...)
	}
	logFile, err := os.Create(filepath.Join(dir, name+".log"))
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	s := &server{name: name, base: fmt.Sprintf("http://127.0.0.1:%d", port), cmd: cmd}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(s.base + "/health"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s, nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.stop()
	log, _ := os.ReadFile(logFile.Name())
	return nil, fmt.Errorf("%s did not become healthy within 60 s:\n%s", name, log)
}

// stop ends the server with SIGTERM.
func (s *server) stop() {
	if s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(os.Interrupt)
		_ = s.cmd.Wait()
	}
}

// cpuTime is the CPU time the server process has used so far (user + system), from /proc.
func (s *server) cpuTime() time.Duration {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// fields after the command name, which is in parentheses and may hold spaces
	fields := strings.Fields(string(raw[bytes.LastIndexByte(raw, ')')+2:]))
	if len(fields) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	const ticksPerSecond = 100 // USER_HZ on Linux
	return time.Duration(utime+stime) * time.Second / ticksPerSecond
}

// seededUser is a user of the seed with its token.
type seededUser struct {
	id    int64
	token string
}

// seed registers and logs in the users and creates the notes, round-robin among them.
func seed(base string, o options) ([]seededUser, error) {
	users := make([]seededUser, o.users)
	for i := range users {
		email := fmt.Sprintf("bench%d@example.com", i)
		var created struct {
			ID int64 `json:"id"`
		}
		if err := postJSON(base+"/api/users", "", map[string]any{"email": email, "password": "BenchPassword" + strconv.Itoa(i)}, &created); err != nil {
			return nil, err
		}
		var tok struct {
			ID string `json:"id"`
		}
		if err := postJSON(base+"/api/users/login", "", map[string]any{"email": email, "password": "BenchPassword" + strconv.Itoa(i)}, &tok); err != nil {
			return nil, err
		}
		users[i] = seededUser{id: created.ID, token: tok.ID}
	}
	var (
		next atomic.Int64
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= o.notes {
					return
				}
				u := users[i%len(users)]
				note := map[string]any{"title": fmt.Sprintf("note %d", i+1), "body": strings.Repeat("lorem ipsum ", 8), "rating": 1 + i%5, "published": i%3 == 0}
				if err := postJSON(base+"/api/notes", u.token, note, nil); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	return users, errors.Join(errs...)
}

// postJSON posts body as JSON and decodes a 200 answer into out.
func postJSON(u, token string, body any, out any) error {
	raw, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequest("POST", u, bytes.NewReader(raw))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return fmt.Errorf("POST %s: %d %s", u, resp.StatusCode, got)
	}
	if out != nil {
		return json.Unmarshal(got, out)
	}
	return nil
}

// get builds a GET request with an optional token.
func get(u, token string) *http.Request {
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		panic(err) // the scenarios build valid URLs
	}
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	return req
}

// sameAnswers checks that both servers answer a scenario's requests with the same status and
// the same JSON, so that they are compared doing the same work.
func sameAnswers(client *http.Client, sc scenario, servers []*server) error {
	for seed := range uint64(5) {
		var first any
		for i, s := range servers {
			r := rand.New(rand.NewPCG(seed, 7))
			resp, err := client.Do(sc.req(s.base, r))
			if err != nil {
				return err
			}
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				return fmt.Errorf("%s: %s answered %d %s", sc.name, s.name, resp.StatusCode, raw)
			}
			var v any
			if err := json.Unmarshal(raw, &v); err != nil {
				return fmt.Errorf("%s: %s answered %s: %w", sc.name, s.name, raw, err)
			}
			if i == 0 {
				first = v
			} else if !reflect.DeepEqual(first, v) {
				return fmt.Errorf("%s: the answers differ:\n  %s: %v\n  %s: %v", sc.name, servers[0].name, first, s.name, v)
			}
		}
	}
	return nil
}

// load drives one server with conns concurrent clients for d and measures it.
func load(client *http.Client, sc scenario, s *server, conns int, d time.Duration) sample {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		out  sample
		stop atomic.Bool
	)
	cpu0 := s.cpuTime()
	start := time.Now()
	for w := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), uint64(start.UnixNano())))
			lat := make([]time.Duration, 0, 4096)
			errs := 0
			for !stop.Load() {
				t0 := time.Now()
				resp, err := client.Do(sc.req(s.base, r))
				if err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				if err != nil || resp.StatusCode != 200 {
					errs++
					continue
				}
				lat = append(lat, time.Since(t0))
			}
			mu.Lock()
			out.latencies = append(out.latencies, lat...)
			out.errors += errs
			mu.Unlock()
		}()
	}
	time.Sleep(d)
	stop.Store(true)
	wg.Wait()
	out.elapsed = time.Since(start)
	out.cpu = s.cpuTime() - cpu0
	out.requests = len(out.latencies)
	return out
}

// report prints one row per scenario and server, and the ratios.
func report(w io.Writer, scenarios []scenario, results map[string]map[string]*sample, o options) {
	fmt.Fprintf(w, "\n%d rounds of %s per server and scenario, %d connections, %d notes; loopback, GOMAXPROCS of the servers = CPUs\n\n",
		o.rounds, o.duration, o.conns, o.notes)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\tserver\treq/s\tp50 ms\tp99 ms\tCPU µs/req\terrors\tratio req/s\tratio CPU\t")
	for _, sc := range scenarios {
		res, ok := results[sc.name]
		if !ok {
			continue
		}
		l, h := res["loopgo"], res["hand"]
		for _, name := range []string{"loopgo", "hand"} {
			s := res[name]
			ratio, cpuRatio := "", ""
			if name == "loopgo" {
				ratio = fmt.Sprintf("%.2fx", rate(l)/rate(h))
				cpuRatio = fmt.Sprintf("%.2fx", cpuPer(l)/cpuPer(h))
			}
			fmt.Fprintf(tw, "%s\t%s\t%.0f\t%.2f\t%.2f\t%.0f\t%d\t%s\t%s\t\n", sc.name, name, rate(s),
				ms(pct(s.latencies, 0.50)), ms(pct(s.latencies, 0.99)), cpuPer(s), s.errors, ratio, cpuRatio)
		}
	}
	_ = tw.Flush()
	fmt.Fprintln(w, "\nratio req/s: the ready app's requests/s over the hand-written server's (goal: at least 0.85);")
	fmt.Fprintln(w, "ratio CPU: its CPU time per request over the hand-written server's. Absolute numbers vary with the machine; ratios are what to compare.")
}

func rate(s *sample) float64 {
	if s.elapsed == 0 {
		return 0
	}
	return float64(s.requests) / s.elapsed.Seconds()
}

func cpuPer(s *sample) float64 {
	if s.requests == 0 {
		return 0
	}
	return float64(s.cpu.Microseconds()) / float64(s.requests)
}

func pct(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[int(float64(len(s)-1)*p)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
