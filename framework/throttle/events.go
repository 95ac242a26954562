package throttle

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/loopgo/loopgo/framework/filter"
)

// Hit records one event now for every active key, in one transaction, and now and then
// (Options.PruneEvery) deletes events older than the retention.
func (l *Limiter) Hit(ctx context.Context, keys ...Keyed) error {
	if l == nil {
		return nil
	}
	now := l.now()
	err := l.st.Transaction(ctx, func(ctx context.Context) error {
		for _, k := range keys {
			if !k.active() {
				continue
			}
			l.noteWindow(k.Window)
			if _, err := l.st.Create(ctx, l.m, map[string]any{"key": k.storedKey(), "at": now}); err != nil {
				return fmt.Errorf("throttle: record %s event: %w", k.Name, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if l.opts.PruneEvery > 0 && rand.IntN(l.opts.PruneEvery) == 0 {
		if _, err := l.Prune(ctx, l.retention()); err != nil {
			l.opts.Logger.WarnContext(ctx, "throttle: opportunistic prune failed", "error", err)
		}
	}
	return nil
}

// Reset deletes every recorded event of the given keys (e.g. the failures of an account from
// one address after a successful login).
func (l *Limiter) Reset(ctx context.Context, keys ...Keyed) error {
	if l == nil {
		return nil
	}
	var stored []any
	for _, k := range keys {
		if k.Key != "" {
			stored = append(stored, k.storedKey())
		}
	}
	if len(stored) == 0 {
		return nil
	}
	cond := &filter.Cmp{Property: "key", Prop: l.m.Property("key"), Op: filter.Inq, Values: stored}
	if _, err := l.st.DeleteAll(ctx, l.m, cond); err != nil {
		return fmt.Errorf("throttle: reset: %w", err)
	}
	return nil
}

// Prune deletes the events older than olderThan and returns how many it deleted. It must be
// at least the longest window of the rules in use, or those rules forget events too early.
func (l *Limiter) Prune(ctx context.Context, olderThan time.Duration) (int64, error) {
	if l == nil {
		return 0, nil
	}
	n, err := l.st.DeleteAll(ctx, l.m, l.cond("at", filter.Lt, l.now().Add(-olderThan)))
	if err != nil {
		return 0, fmt.Errorf("throttle: prune: %w", err)
	}
	return n, nil
}
