package store

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/loopgo/loopgo/framework/filter"
	"github.com/loopgo/loopgo/framework/schema"
)

// recordingListener keeps every committed batch.
type recordingListener struct {
	mu      sync.Mutex
	batches [][]Change
	want    bool
}

func (l *recordingListener) Wants(*schema.Model) bool { return l.want }

func (l *recordingListener) Committed(cs []Change) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.batches = append(l.batches, append([]Change(nil), cs...))
}

// take returns the changes seen so far as "type:id" strings, one string per batch, and forgets them.
func (l *recordingListener) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, b := range l.batches {
		var parts []string
		for _, c := range b {
			parts = append(parts, fmt.Sprintf("%s:%v", c.Type, c.ID))
		}
		sort.Strings(parts)
		out = append(out, strings.Join(parts, ","))
	}
	l.batches = nil
	return out
}

func TestChangesAfterCommit(t *testing.T) {
	eachDialect(t, func(e *testEnv) {
		m := noteModel()
		e.migrate(m)
		l := &recordingListener{want: true}
		e.s.SetChangeListener(l)
		ctx := e.ctx
		mustCreate := func(title string) int64 {
			rec, err := e.s.Create(ctx, m, map[string]any{"title": title, "rating": 1.0})
			if err != nil {
				t.Fatal(err)
			}
			return rec["id"].(int64)
		}
		id1 := mustCreate("a")
		id2 := mustCreate("b")
		id3 := mustCreate("c")
		if got := l.take(); len(got) != 3 || got[0] != fmt.Sprintf("create:%d", id1) {
			t.Fatalf("creates: %v", got)
		}

		// the data is the whole stored record
		if _, err := e.s.PatchByID(ctx, m, id1, map[string]any{"body": "x"}); err != nil {
			t.Fatal(err)
		}
		l.mu.Lock()
		c := l.batches[0][0]
		l.mu.Unlock()
		if c.Type != ChangeUpdate || c.Data["title"] != "a" || c.Data["body"] != "x" || c.Model != m {
			t.Fatalf("patch change: %+v", c)
		}
		l.take()

		// updateAll: one update per affected record, in one batch (one transaction)
		n, err := e.s.UpdateAll(ctx, m, &filter.Cmp{Property: "title", Prop: m.Property("title"), Op: filter.Inq, Values: []any{"a", "b"}},
			map[string]any{"rating": 5.0})
		if err != nil || n != 2 {
			t.Fatalf("updateAll: %d %v", n, err)
		}
		l.mu.Lock()
		batch := l.batches[0]
		l.mu.Unlock()
		for _, c := range batch {
			if c.Data["rating"] != 5.0 {
				t.Fatalf("updateAll change carries the data before the update: %+v", c)
			}
		}
		if got := l.take(); len(got) != 1 || got[0] != fmt.Sprintf("update:%d,update:%d", id1, id2) {
			t.Fatalf("updateAll: %v", got)
		}

		// a rolled back transaction raises nothing; a committed one raises all at commit
		boom := errors.New("boom")
		err = e.s.Transaction(ctx, func(ctx context.Context) error {
			if _, err := e.s.Create(ctx, m, map[string]any{"title": "lost"}); err != nil {
				return err
			}
			if _, err := e.s.DeleteByID(ctx, m, id3); err != nil {
				return err
			}
			if got := l.take(); len(got) != 0 {
				return fmt.Errorf("changes before commit: %v", got)
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		if got := l.take(); len(got) != 0 {
			t.Fatalf("rolled back transaction raised %v", got)
		}

		// deleteAll: one remove per record, with its data as it was
		n, err = e.s.DeleteAll(ctx, m, &filter.Cmp{Property: "rating", Prop: m.Property("rating"), Op: filter.Eq, Value: 5.0})
		if err != nil || n != 2 {
			t.Fatalf("deleteAll: %d %v", n, err)
		}
		l.mu.Lock()
		batch = l.batches[0]
		l.mu.Unlock()
		for _, c := range batch {
			if c.Type != ChangeRemove || c.Data["title"] == nil {
				t.Fatalf("remove without the data: %+v", c)
			}
		}
		if got := l.take(); len(got) != 1 || got[0] != fmt.Sprintf("remove:%d,remove:%d", id1, id2) {
			t.Fatalf("deleteAll: %v", got)
		}
		// a delete of nothing raises nothing
		if _, err := e.s.DeleteByID(ctx, m, 999); err != nil {
			t.Fatal(err)
		}
		if got := l.take(); len(got) != 0 {
			t.Fatalf("delete of a missing id: %v", got)
		}

		// a listener that wants nothing gets nothing, and bulk writes still work
		l.want = false
		if n, err := e.s.UpdateAll(ctx, m, nil, map[string]any{"rating": 2.0}); err != nil || n != 1 {
			t.Fatalf("updateAll unwanted: %d %v", n, err)
		}
		if n, err := e.s.DeleteAll(ctx, m, nil); err != nil || n != 1 {
			t.Fatalf("deleteAll unwanted: %d %v", n, err)
		}
		if got := l.take(); len(got) != 0 {
			t.Fatalf("unwanted changes: %v", got)
		}
	})
}

// matchedInMemory returns the titles of the records that filter.Matcher keeps: change streams
// decide a where in memory, and must agree with the SQL the store runs for the same where.
func matchedInMemory(t *testing.T, e *testEnv, m *schema.Model, where filter.Cond) string {
	t.Helper()
	all, err := e.s.Find(e.ctx, m, nil)
	if err != nil {
		t.Fatal(err)
	}
	mt, err := filter.Compile(where)
	if err != nil {
		return "error: " + err.Error()
	}
	var kept []schema.Record
	for _, r := range all {
		if mt.Match(r) {
			kept = append(kept, r)
		}
	}
	return joined(titles(kept))
}
