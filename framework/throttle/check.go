package throttle

import (
	"context"
	"fmt"
	"time"

	"github.com/loopgo/loopgo/framework/filter"
)

// Check reports whether every active rule still has room for one more event. When one or more
// rules are exhausted it answers how long until all of them have room again, with a 429
// RATE_LIMITED *apierr.Error carrying a Retry-After header (callers may build their own with
// TooMany). A store failure answers 0 and a wrapped error. Check records nothing.
func (l *Limiter) Check(ctx context.Context, rules []Keyed) (retryAfter time.Duration, err error) {
	if l == nil {
		return 0, nil
	}
	now := l.now()
	for _, k := range rules {
		if !k.active() {
			continue
		}
		l.noteWindow(k.Window)
		wait, err := l.wait(ctx, k, now, 1)
		if err != nil {
			return 0, err
		}
		retryAfter = max(retryAfter, wait)
	}
	if retryAfter > 0 {
		return retryAfter, TooMany(CodeRateLimited, "Too many requests", retryAfter)
	}
	return 0, nil
}

// wait returns how long until k's rule has room for n more events at now (0 = it has room):
// with Max-n+1 events in the window, the (Max-n+1)-th newest must leave it. More than Max
// events never fit; the answer is then the whole window.
func (l *Limiter) wait(ctx context.Context, k Keyed, now time.Time, n int) (time.Duration, error) {
	if n > k.Max {
		return k.Window, nil
	}
	room := k.Max - n + 1
	since := now.Add(-k.Window)
	events, err := l.st.Find(ctx, l.m, &filter.Filter{
		Where:  filter.And{l.cond("key", filter.Eq, k.storedKey()), l.cond("at", filter.Gt, since)},
		Fields: &filter.Fields{Include: []string{"at"}},
		Order:  []filter.Order{{Property: "at", Desc: true}},
		Limit:  room,
	})
	if err != nil {
		return 0, fmt.Errorf("throttle: check rule %s: %w", k.Name, err)
	}
	if len(events) < room {
		return 0, nil
	}
	oldest, ok := events[room-1]["at"].(time.Time)
	if !ok {
		return 0, fmt.Errorf("throttle: check rule %s: event time is %T, want time.Time", k.Name, events[room-1]["at"])
	}
	return max(oldest.Add(k.Window).Sub(now), time.Millisecond), nil
}

// cond builds the condition `name op value` on the event model.
func (l *Limiter) cond(name string, op filter.Op, value any) *filter.Cmp {
	return &filter.Cmp{Property: name, Prop: l.m.Property(name), Op: op, Value: value}
}
