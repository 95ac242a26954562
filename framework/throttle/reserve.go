package throttle

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/loopgo/loopgo/framework/filter"
)

// lockSlots is the number of lock rows keys are spread over.
const lockSlots = 1024

// Reservation is the events one Reserve recorded.
type Reservation struct {
	l   *Limiter
	ids []any
}

// errExhausted aborts a reservation's transaction when a rule has no room.
var errExhausted = errors.New("throttle: rule exhausted")

// Reserve counts one attempt against every active rule and records it, as one atomic step:
// under the lock rows of the rules' keys (Options.Locks), it answers how long until every rule
// has room when one has none (with a 429 RATE_LIMITED *apierr.Error, recording nothing, like
// Check), and otherwise records one event per rule. Concurrent reservations, on this instance
// or another sharing the database, are counted one after the other, so at most Max of them
// pass in a window. Release takes the attempt back.
func (l *Limiter) Reserve(ctx context.Context, rules []Keyed) (*Reservation, time.Duration, error) {
	return l.ReserveN(ctx, rules, 1)
}

// ReserveN is Reserve for n attempts at once (a request that signs up several users): all n
// fit in every rule, or none is recorded.
func (l *Limiter) ReserveN(ctx context.Context, rules []Keyed, n int) (*Reservation, time.Duration, error) {
	if l == nil {
		return nil, 0, nil
	}
	n = max(n, 1)
	var active []Keyed
	for _, k := range rules {
		if k.active() {
			l.noteWindow(k.Window)
			active = append(active, k)
		}
	}
	if len(active) == 0 {
		return &Reservation{l: l}, 0, nil
	}
	if err := l.ensureSlots(ctx); err != nil {
		return nil, 0, err
	}
	var (
		res        *Reservation
		retryAfter time.Duration
		err        error
	)
	// a database may pick a reservation as the victim of a deadlock (MySQL, while the lock rows
	// are first created): the transaction did nothing, so it runs again
	for try := 0; ; try++ {
		res, retryAfter, err = l.reserve(ctx, active, n)
		if try >= maxTries-1 || !l.st.Retryable(err) {
			break
		}
	}
	if errors.Is(err, errExhausted) {
		return nil, retryAfter, TooMany(CodeRateLimited, "Too many requests", retryAfter)
	}
	if err != nil {
		return nil, 0, err
	}
	if l.opts.PruneEvery > 0 && rand.IntN(l.opts.PruneEvery) == 0 {
		if _, err := l.Prune(ctx, l.retention()); err != nil {
			l.opts.Logger.WarnContext(ctx, "throttle: opportunistic prune failed", "error", err)
		}
	}
	return res, 0, nil
}

// maxTries bounds the runs of a reservation's transaction.
const maxTries = 5

// reserve runs one reservation transaction: lock, count, record.
func (l *Limiter) reserve(ctx context.Context, active []Keyed, n int) (*Reservation, time.Duration, error) {
	now := l.now()
	res := &Reservation{l: l}
	var retryAfter time.Duration
	err := l.st.Transaction(ctx, func(ctx context.Context) error {
		if l.opts.Locks != nil {
			slots := make([]string, len(active))
			for i, k := range active {
				slots[i] = lockSlot(k.storedKey())
			}
			if err := l.st.LockRows(ctx, l.opts.Locks, slots); err != nil {
				return fmt.Errorf("throttle: lock: %w", err)
			}
		}
		for _, k := range active {
			wait, err := l.wait(ctx, k, now, n)
			if err != nil {
				return err
			}
			retryAfter = max(retryAfter, wait)
		}
		if retryAfter > 0 {
			return errExhausted
		}
		for _, k := range active {
			for range n {
				rec, err := l.st.Create(ctx, l.m, map[string]any{"key": k.storedKey(), "at": now})
				if err != nil {
					return fmt.Errorf("throttle: record %s event: %w", k.Name, err)
				}
				res.ids = append(res.ids, rec[l.m.IDProperty().Name])
			}
		}
		return nil
	})
	if err != nil {
		return nil, retryAfter, err
	}
	return res, 0, nil
}

// Release deletes the events of the reservation: the attempt does not count (a nil or released
// reservation does nothing).
func (r *Reservation) Release(ctx context.Context) error {
	if r == nil || len(r.ids) == 0 {
		return nil
	}
	idp := r.l.m.IDProperty()
	cond := &filter.Cmp{Property: idp.Name, Prop: idp, Op: filter.Inq, Values: r.ids}
	if _, err := r.l.st.DeleteAll(ctx, r.l.m, cond); err != nil {
		return fmt.Errorf("throttle: release: %w", err)
	}
	r.ids = nil
	return nil
}

// lockSlot is the lock row of a stored key: one of lockSlots, by the key's digest.
func lockSlot(storedKey string) string {
	sum := sha256.Sum256([]byte(storedKey))
	return "slot:" + strconv.FormatUint(binary.BigEndian.Uint64(sum[:8])%lockSlots, 10)
}

// ensureSlots creates the lock rows once per Limiter (before the first reservation), so that
// reservations only ever lock existing rows.
func (l *Limiter) ensureSlots(ctx context.Context) error {
	if l.opts.Locks == nil || l.slotsReady.Load() {
		return nil
	}
	l.slotsMu.Lock()
	defer l.slotsMu.Unlock()
	if l.slotsReady.Load() {
		return nil
	}
	ids := make([]string, lockSlots)
	for i := range ids {
		ids[i] = "slot:" + strconv.Itoa(i)
	}
	var err error
	for try := 0; try < maxTries; try++ {
		if err = l.st.EnsureRows(ctx, l.opts.Locks, ids); !l.st.Retryable(err) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("throttle: create lock rows: %w", err)
	}
	l.slotsReady.Store(true)
	return nil
}
