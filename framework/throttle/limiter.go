package throttle

import (
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/loopgo/loopgo/framework/schema"
	"github.com/loopgo/loopgo/framework/store"
)

// DefaultPruneEvery is how many hits, on average, trigger one opportunistic prune.
const DefaultPruneEvery = 100

// DefaultRetention is how long events are kept at least before a prune deletes them.
const DefaultRetention = 24 * time.Hour

// Rule limits events of one kind: at most Max events per Window for any one key.
type Rule struct {
	Name   string        // identifies the rule; part of every stored key (e.g. "login-addr")
	Max    int           // events allowed within Window; <= 0 disables the rule
	Window time.Duration // the sliding window; <= 0 disables the rule
}

// Keyed is a rule applied to one subject (an account, an email, a client address).
type Keyed struct {
	Rule
	Key string // the subject in clear; stored only as a digest; "" skips the rule
}

// Options configure a Limiter.
type Options struct {
	Now        func() time.Time // the clock; nil = time.Now
	PruneEvery int              // prune on average once per this many hits; 0 = DefaultPruneEvery, < 0 = never
	Retention  time.Duration    // events younger than this (or than the longest window used) are kept; 0 = DefaultRetention
	Logger     *slog.Logger     // reports failed opportunistic prunes; nil = slog.Default()
	// Locks is the ThrottleLock model (LockModelYAML) in the same store, which Reserve locks
	// rows of; nil = Reserve counts and records in one transaction without a lock, which is
	// atomic on SQLite only.
	Locks *schema.Model
}

// Limiter checks and records rate-limited events in a store. A nil *Limiter allows everything
// and records nothing.
type Limiter struct {
	st   *store.Store
	m    *schema.Model
	opts Options

	mu        sync.Mutex
	maxWindow time.Duration // the longest window seen by Check or Hit

	slotsMu    sync.Mutex  // held while the lock rows are made (ensureSlots)
	slotsReady atomic.Bool // the lock rows exist
}

// New returns a Limiter recording events of model m (the ThrottleEvent model of ModelYAML, or a
// model with the same properties) in st.
func New(st *store.Store, m *schema.Model, opts Options) *Limiter {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.PruneEvery == 0 {
		opts.PruneEvery = DefaultPruneEvery
	}
	if opts.Retention <= 0 {
		opts.Retention = DefaultRetention
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Limiter{st: st, m: m, opts: opts}
}

// active reports whether k is a rule to check or record: a positive Max and Window and a key.
func (k Keyed) active() bool { return k.Max > 0 && k.Window > 0 && k.Key != "" }

// storedKey is the value of the key column for k: the rule name, ":", and the SHA-256 hex
// digest of the subject.
func (k Keyed) storedKey() string {
	sum := sha256.Sum256([]byte(k.Key))
	return k.Name + ":" + hex.EncodeToString(sum[:])
}

// now returns the limiter's current time, truncated to the store's millisecond precision.
func (l *Limiter) now() time.Time { return l.opts.Now().UTC().Truncate(time.Millisecond) }

// noteWindow remembers the longest window in use, which bounds what a prune may delete.
func (l *Limiter) noteWindow(w time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.maxWindow = max(l.maxWindow, w)
}

// retention returns the age beyond which events may be pruned.
func (l *Limiter) retention() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return max(l.opts.Retention, l.maxWindow)
}
