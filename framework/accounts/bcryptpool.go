package accounts

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"golang.org/x/crypto/bcrypt"
)

// workPool bounds concurrent bcrypt computations so that a flood of logins cannot take every
// CPU from other requests: a caller waits for a slot or gives up when its context ends.
type workPool struct {
	slots chan struct{}
}

// pool is the process-wide bcrypt pool, one slot per CPU.
var pool = newWorkPool(runtime.NumCPU())

// newWorkPool returns a pool running at most n computations at once (at least 1).
func newWorkPool(n int) *workPool {
	if n < 1 {
		n = 1
	}
	return &workPool{slots: make(chan struct{}, n)}
}

// run waits for a slot (or ctx's end) and runs fn in the caller's goroutine.
func (p *workPool) run(ctx context.Context, fn func() error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("bcrypt pool: %w", err)
	}
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("bcrypt pool: %w", ctx.Err())
	}
	defer func() { <-p.slots }()
	bcryptRuns.Add(1)
	return fn()
}

// bcryptRuns counts the computations the pool ran.
var bcryptRuns atomic.Int64

// BcryptRuns returns how many bcrypt computations (hashes and comparisons, dummy ones
// included) this process has run: what a throttle must bound.
func BcryptRuns() int64 { return bcryptRuns.Load() }

// dummyHash is a bcrypt hash of a random secret at one cost, computed on first use.
type dummyHash struct {
	once sync.Once
	hash []byte
	err  error
}

// dummies holds one dummyHash per bcrypt cost in use.
var dummies = struct {
	sync.Mutex
	byCost map[int]*dummyHash
}{byCost: map[int]*dummyHash{}}

// dummyFor returns the dummy hash at cost, computing it once.
func dummyFor(cost int) ([]byte, error) {
	dummies.Lock()
	d, ok := dummies.byCost[cost]
	if !ok {
		d = &dummyHash{}
		dummies.byCost[cost] = d
	}
	dummies.Unlock()
	d.once.Do(func() {
		secret := make([]byte, 16)
		if _, err := rand.Read(secret); err != nil {
			d.err = fmt.Errorf("dummy hash secret: %w", err)
			return
		}
		d.hash, d.err = bcrypt.GenerateFromPassword([]byte(hex.EncodeToString(secret)), cost)
		if d.err != nil {
			d.err = fmt.Errorf("dummy hash: %w", d.err)
		}
	})
	return d.hash, d.err
}

// DummyCheck spends as long as checking plain against a real password hashed at the default
// cost, and always fails: login runs it for unknown accounts so that timing does not reveal
// whether an account exists.
func DummyCheck(plain string) {
	_ = DummyCompare(context.Background(), plain, DefaultSaltWorkFactor)
}

// DummyCompare is DummyCheck at a given bcrypt cost (clamped by EffectiveCost) through the
// shared bcrypt pool; the error is non-nil only when ctx ends first or the dummy hash cannot
// be made.
func DummyCompare(ctx context.Context, plain string, cost int) error {
	hash, err := dummyFor(EffectiveCost(cost))
	if err != nil {
		return err
	}
	input := []byte(plain)
	if len(input) > MaxPasswordBytes {
		input = input[:MaxPasswordBytes]
	}
	return pool.run(ctx, func() error {
		_ = bcrypt.CompareHashAndPassword(hash, input)
		return nil
	})
}
