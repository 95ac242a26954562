package throttle

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/loopgo/loopgo/framework/filter"
)

// markPrefix starts the stored key of every mark, keeping marks apart from rule events.
const markPrefix = "mark:"

// Mark is a fact remembered for a while about one subject, such as "this account logged in
// successfully from this client address" (a trusted address of the soft lockout).
//
// A mark is stored as one row of the event table whose key is "mark:", the mark's name, ":"
// and the SHA-256 digest of the subject, and whose `at` is the mark's expiry (not the time it
// was set): a prune deletes it once it has been expired for longer than the retention, and
// rule checks never count it, as no rule key starts with "mark:" (do not name a rule so).
type Mark struct {
	Name string        // the kind of mark (e.g. "trusted"); part of the stored key
	Keep time.Duration // how long a mark lasts after it was last set; <= 0 disables the mark
	Key  string        // the subject in clear; stored only as a digest; "" = no subject
}

// active reports whether m can be remembered: a positive Keep and a subject.
func (m Mark) active() bool { return m.Keep > 0 && m.Key != "" }

// storedKey is the value of the key column for m.
func (m Mark) storedKey() string {
	sum := sha256.Sum256([]byte(m.Key))
	return markPrefix + m.Name + ":" + hex.EncodeToString(sum[:])
}

// Remember sets the mark m now, or renews it: it lasts until now + m.Keep. An inactive mark
// (no Keep, no subject) and a nil Limiter record nothing.
func (l *Limiter) Remember(ctx context.Context, m Mark) error {
	if l == nil || !m.active() {
		return nil
	}
	key, until := m.storedKey(), l.now().Add(m.Keep)
	err := l.st.Transaction(ctx, func(ctx context.Context) error {
		n, err := l.st.UpdateAll(ctx, l.m, l.cond("key", filter.Eq, key), map[string]any{"at": until})
		if err != nil || n > 0 {
			return err
		}
		_, err = l.st.Create(ctx, l.m, map[string]any{"key": key, "at": until})
		return err
	})
	if err != nil {
		return fmt.Errorf("throttle: remember %s: %w", m.Name, err)
	}
	return nil
}

// Remembered reports whether the mark m is set and not expired. An inactive mark and a nil
// Limiter answer false.
func (l *Limiter) Remembered(ctx context.Context, m Mark) (bool, error) {
	if l == nil || !m.active() {
		return false, nil
	}
	n, err := l.st.Count(ctx, l.m, filter.And{
		l.cond("key", filter.Eq, m.storedKey()),
		l.cond("at", filter.Gt, l.now()),
	})
	if err != nil {
		return false, fmt.Errorf("throttle: look up %s: %w", m.Name, err)
	}
	return n > 0, nil
}

// Forget deletes the mark m (e.g. the trusted addresses of an account whose password was
// reset). An inactive mark and a nil Limiter do nothing.
func (l *Limiter) Forget(ctx context.Context, m Mark) error {
	if l == nil || m.Key == "" {
		return nil
	}
	if _, err := l.st.DeleteAll(ctx, l.m, l.cond("key", filter.Eq, m.storedKey())); err != nil {
		return fmt.Errorf("throttle: forget %s: %w", m.Name, err)
	}
	return nil
}
