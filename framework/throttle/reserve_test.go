package throttle

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/loopgo/loopgo/framework/apierr"
)

func TestReserveIsAtomicUnderABurst(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	rules := []Keyed{{Rule: Rule{Name: "r", Max: 5, Window: time.Minute}, Key: "k"}, {Rule: Rule{Name: "wide", Max: 100, Window: time.Minute}, Key: "k"}}
	var (
		mu     sync.Mutex
		passed []*Reservation
		denied int
		wg     sync.WaitGroup
	)
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, wait, err := e.l.Reserve(ctx, rules)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				passed = append(passed, res)
			case wait > 0:
				if ae, ok := apierr.As(err); !ok || ae.StatusCode != 429 {
					t.Errorf("denied with %v", err)
				}
				denied++
			default:
				t.Errorf("reserve: %v", err)
			}
		}()
	}
	wg.Wait()
	if len(passed) != 5 || denied != 15 {
		t.Fatalf("20 concurrent reservations: %d passed, %d denied; want 5 and 15", len(passed), denied)
	}
	if n := e.count(t); n != 10 {
		t.Fatalf("%d events recorded; want 10 (5 per rule)", n)
	}
	// a released attempt gives its room back
	if err := passed[0].Release(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.l.Reserve(ctx, rules); err != nil {
		t.Fatalf("after a release: %v", err)
	}
	if _, wait, _ := e.l.Reserve(ctx, rules); wait != time.Minute {
		t.Fatalf("full again: wait %v, want the window", wait)
	}
	// n at once: all or nothing
	if _, wait, _ := e.l.ReserveN(ctx, []Keyed{{Rule: Rule{Name: "n", Max: 3, Window: time.Minute}, Key: "k"}}, 4); wait != time.Minute {
		t.Fatalf("4 of at most 3: wait %v", wait)
	}
	if _, _, err := e.l.ReserveN(ctx, []Keyed{{Rule: Rule{Name: "n", Max: 3, Window: time.Minute}, Key: "k"}}, 3); err != nil {
		t.Fatalf("3 of at most 3: %v", err)
	}
}
