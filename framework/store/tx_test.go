package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/filter"
)

func TestTransactions(t *testing.T) {
	eachDialect(t, func(e *testEnv) {
		m := noteModel()
		e.migrate(m)
		boom := errors.New("boom")
		tests := []struct {
			name    string
			fn      func(ctx context.Context) error
			wantErr error
			rows    int64
		}{
			{"commit", func(ctx context.Context) error {
				_, err := e.s.Create(ctx, m, map[string]any{"title": "kept"})
				return err
			}, nil, 1},
			{"rollback returns fn's error unchanged", func(ctx context.Context) error {
				for i := 0; i < 3; i++ {
					if _, err := e.s.Create(ctx, m, map[string]any{"title": "lost"}); err != nil {
						return err
					}
				}
				return boom
			}, boom, 1},
			{"nested transaction joins the outer one", func(ctx context.Context) error {
				err := e.s.Transaction(ctx, func(inner context.Context) error {
					_, err := e.s.Create(inner, m, map[string]any{"title": "inner"})
					return err
				})
				if err != nil {
					return err
				}
				if n, _ := e.s.Count(ctx, m, nil); n != 2 {
					return fmt.Errorf("outer transaction sees %d rows", n)
				}
				return boom
			}, boom, 1},
			{"a failed write inside rolls back earlier ones", func(ctx context.Context) error {
				if _, err := e.s.Create(ctx, m, map[string]any{"title": "lost"}); err != nil {
					return err
				}
				_, err := e.s.Create(ctx, m, map[string]any{"id": 99.0})
				return err
			}, nil, 1},
		}
		for _, tc := range tests {
			err := e.s.Transaction(e.ctx, tc.fn)
			switch {
			case tc.wantErr != nil && !errors.Is(err, tc.wantErr):
				t.Errorf("%s: err %v, want %v", tc.name, err, tc.wantErr)
			case tc.name == "commit" && err != nil:
				t.Errorf("%s: %v", tc.name, err)
			case tc.name != "commit" && err == nil:
				t.Errorf("%s: no error", tc.name)
			}
			if n, _ := e.s.Count(e.ctx, m, nil); n != tc.rows {
				t.Errorf("%s: %d rows, want %d", tc.name, n, tc.rows)
			}
		}
	})
}

func TestConcurrentWriters(t *testing.T) {
	eachDialect(t, func(e *testEnv) {
		m := noteModel()
		e.migrate(m)
		const workers, each = 8, 25
		var wg sync.WaitGroup
		errs := make(chan error, workers*each)
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := 0; i < each; i++ {
					if _, err := e.s.Create(e.ctx, m, map[string]any{"title": fmt.Sprintf("w%d-%d", w, i)}); err != nil {
						errs <- err
						return
					}
					if _, err := e.s.Find(e.ctx, m, &filter.Filter{Limit: 5}); err != nil {
						errs <- err
						return
					}
				}
			}(w)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("concurrent create: %v", err)
		}
		if n, err := e.s.Count(e.ctx, m, nil); err != nil || n != workers*each {
			t.Fatalf("rows %d, %v", n, err)
		}
	})
}

func TestConcurrentUniqueWritersGet422(t *testing.T) {
	eachDialect(t, func(e *testEnv) {
		m := userModel()
		e.migrate(m)
		const workers = 6
		var wg sync.WaitGroup
		results := make(chan error, workers)
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				_, err := e.s.Create(e.ctx, m, map[string]any{"email": fmt.Sprintf("%d@x.io", w), "username": "same"})
				results <- err
			}(w)
		}
		wg.Wait()
		close(results)
		ok := 0
		for err := range results {
			if err == nil {
				ok++
				continue
			}
			if ae := apierr.From(err); ae.StatusCode != 422 {
				t.Errorf("concurrent duplicate: %d %v", ae.StatusCode, err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d creates succeeded, want 1", ok)
		}
	})
}
