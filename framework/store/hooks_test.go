package store

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/filter"
)

// hookLog records hook calls as "name[fields]" where the letters say which context fields were
// set: Q query (w: with a where), W where, I instance, D data, C current instance, N isNewInstance, # count.
type hookLog struct {
	mu    sync.Mutex
	calls []string
}

func (l *hookLog) observe(s *Store, model string) {
	for name := range hookNames {
		s.Observe(model, name, func(_ context.Context, hc *HookContext) error {
			var f strings.Builder
			for _, x := range []struct {
				set bool
				c   string
			}{
				{hc.Query != nil, "Q"}, {hc.Query != nil && hc.Query.Where != nil, "w"}, {hc.Where != nil, "W"}, {hc.Instance != nil, "I"}, {hc.Data != nil, "D"},
				{hc.CurrentInstance != nil, "C"}, {hc.IsNewInstance, "N"}, {hc.Count > 0, "#"},
			} {
				if x.set {
					f.WriteString(x.c)
				}
			}
			l.mu.Lock()
			defer l.mu.Unlock()
			l.calls = append(l.calls, hc.Hook+"["+f.String()+"]")
			return nil
		})
	}
}

func (l *hookLog) take() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := strings.Join(l.calls, " ")
	l.calls = nil
	return out
}

func TestHooksFiredPerOperation(t *testing.T) {
	eachDialect(t, func(e *testEnv) {
		m := noteModel()
		free := noteModel()
		free.Name, free.ForceID = "Free", false
		e.migrate(m, free)
		log := &hookLog{}
		log.observe(e.s, "Note")
		log.observe(e.s, "Free")
		byTitle := &filter.Cmp{Property: "title", Op: filter.Eq, Value: "a"}
		data := func(kv ...any) map[string]any {
			out := map[string]any{}
			for i := 0; i < len(kv); i += 2 {
				out[kv[i].(string)] = kv[i+1]
			}
			return out
		}
		tests := []struct {
			name string
			run  func() error
			want string
		}{
			{"create", func() error { _, err := e.s.Create(e.ctx, m, data("title", "a")); return err },
				"before save[IN] persist[DN] loaded[DN] after save[IN]"},
			{"find", func() error { _, err := e.s.Find(e.ctx, m, nil); return err }, "access[Q] loaded[D]"},
			{"findOne", func() error { _, err := e.s.FindOne(e.ctx, m, nil); return err }, "access[Q] loaded[D]"},
			{"findById", func() error { _, err := e.s.FindByID(e.ctx, m, 1, nil); return err }, "access[Qw] loaded[D]"},
			{"findById missing", func() error { _, err := e.s.FindByID(e.ctx, m, 5, nil); return err }, "access[Qw]"},
			{"count", func() error { _, err := e.s.Count(e.ctx, m, byTitle); return err }, "access[Qw]"},
			{"exists", func() error { _, err := e.s.Exists(e.ctx, m, 1); return err }, "access[Qw]"},
			{"patchById", func() error { _, err := e.s.PatchByID(e.ctx, m, 1, data("body", "b")); return err },
				"before save[WDC] persist[WDC] loaded[D] after save[I]"},
			{"replaceById", func() error { _, err := e.s.ReplaceByID(e.ctx, m, 1, data("title", "a")); return err },
				"before save[I] persist[DC] loaded[D] after save[I]"},
			{"patchOrCreate forceId existing", func() error {
				_, err := e.s.PatchOrCreate(e.ctx, m, data("id", 1.0, "body", "c"))
				return err
			}, "before save[WDC] persist[WDC] loaded[D] after save[I]"},
			{"patchOrCreate existing goes through access", func() error {
				if _, err := e.s.Create(e.ctx, free, data("title", "f")); err != nil {
					return err
				}
				log.take()
				_, err := e.s.PatchOrCreate(e.ctx, free, data("id", 1.0, "body", "c"))
				return err
			}, "access[Qw] before save[WDC] persist[WDC] loaded[D] after save[I]"},
			{"upsertWithWhere", func() error { _, err := e.s.UpsertWithWhere(e.ctx, m, byTitle, data("body", "d")); return err },
				"access[Qw] before save[WDC] persist[WDC] loaded[D] after save[I]"},
			{"updateAll", func() error { _, err := e.s.UpdateAll(e.ctx, m, byTitle, data("body", "e")); return err },
				"access[Qw] before save[WD] persist[WD] after save[WD#]"},
			{"deleteById", func() error { _, err := e.s.DeleteByID(e.ctx, m, 1); return err },
				"access[Qw] before delete[W] after delete[W#]"},
			{"deleteAll", func() error { _, err := e.s.DeleteAll(e.ctx, m, nil); return err },
				"access[Q] before delete[] after delete[]"},
		}
		for _, tc := range tests {
			if err := tc.run(); err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if got := log.take(); got != tc.want {
				t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.want)
			}
		}
	})
}

func TestHookMutations(t *testing.T) {
	eachDialect(t, func(e *testEnv) {
		m := noteModel()
		e.migrate(m)
		e.s.Observe("Note", HookAccess, func(_ context.Context, hc *HookContext) error {
			hc.Query.Where = andCond(hc.Query.Where, &filter.Cmp{Property: "title", Op: filter.Neq, Value: "secret"})
			return nil
		})
		e.s.Observe("Note", HookBeforeSave, func(_ context.Context, hc *HookContext) error {
			if hc.Instance != nil {
				hc.Instance["body"] = "stamped"
			} else {
				hc.Data["body"] = "patched"
			}
			hc.HookState["seen"] = true
			return nil
		})
		e.s.Observe("Note", HookPersist, func(_ context.Context, hc *HookContext) error {
			if _, ok := hc.Data["rating"]; !ok && hc.IsNewInstance {
				hc.Data["rating"] = 9.0
			}
			return nil
		})
		e.s.Observe("Note", HookLoaded, func(_ context.Context, hc *HookContext) error {
			if title, ok := hc.Data["title"].(string); ok {
				hc.Data["title"] = strings.ToUpper(title)
			}
			return nil
		})
		e.s.Observe("Note", HookAfterSave, func(_ context.Context, hc *HookContext) error {
			if hc.HookState["seen"] != true {
				return errors.New("hook state not shared")
			}
			return nil
		})
		e.s.Observe("Note", HookBeforeDelete, func(_ context.Context, hc *HookContext) error {
			hc.Where = andCond(hc.Where, &filter.Cmp{Property: "title", Op: filter.Neq, Value: "keep"})
			return nil
		})

		rec := e.mustCreate(m, map[string]any{"title": "a"})
		if rec["body"] != "stamped" || rec["rating"] != 9.0 || rec["title"] != "A" {
			t.Fatalf("created: %#v", rec)
		}
		e.mustCreate(m, map[string]any{"title": "secret"})
		e.mustCreate(m, map[string]any{"title": "keep"})
		rec, err := e.s.PatchByID(e.ctx, m, 1, map[string]any{"body": "x"})
		if err != nil || rec["body"] != "patched" {
			t.Fatalf("patched: %#v, %v", rec, err)
		}
		recs, err := e.s.Find(e.ctx, m, nil)
		if err != nil || joined(titles(recs)) != "A,KEEP" {
			t.Fatalf("access hook filter: %v, %v", titles(recs), err)
		}
		if n, _ := e.s.Count(e.ctx, m, nil); n != 2 {
			t.Fatalf("count with access hook: %d", n)
		}
		if ok, _ := e.s.Exists(e.ctx, m, 2); ok {
			t.Fatal("exists sees a record the access hook hides")
		}
		// "loaded" changes the result, not the stored value.
		var stored string
		e.s.db.Table(tableName(m)).Select("title").Where("id = ?", 1).Row().Scan(&stored)
		if stored != "a" {
			t.Fatalf("stored title %q", stored)
		}
		n, err := e.s.DeleteAll(e.ctx, m, nil)
		if err != nil || n != 1 {
			t.Fatalf("deleteAll with hooks: %d, %v", n, err)
		}
	})
}

func TestHookAbortAndInheritance(t *testing.T) {
	e := openEnv(t, "sqlite::memory:")
	base := noteModel()
	base.Name = "Base"
	child := noteModel()
	child.Name, child.Parent = "Child", base
	e.migrate(child)

	var order []string
	e.s.Observe("Child", HookBeforeSave, func(context.Context, *HookContext) error { order = append(order, "child"); return nil })
	e.s.Observe("Base", HookBeforeSave, func(context.Context, *HookContext) error { order = append(order, "base1"); return nil })
	e.s.Observe("Base", HookBeforeSave, func(context.Context, *HookContext) error { order = append(order, "base2"); return nil })
	e.s.Observe("Other", HookBeforeSave, func(context.Context, *HookContext) error { order = append(order, "other"); return nil })
	e.s.Observe("Child", "before frobnicate", func(context.Context, *HookContext) error { order = append(order, "bad"); return nil })
	e.mustCreate(child, map[string]any{"title": "a"})
	if joined(order) != "base1,base2,child" {
		t.Fatalf("hook order %v", order)
	}
	if !strings.Contains(e.logs.String(), `hook="before frobnicate"`) {
		t.Fatalf("unknown hook name not logged: %s", e.logs.String())
	}

	tests := []struct {
		name   string
		hook   string
		fn     Hook
		op     func() error
		status int
		msg    string
	}{
		{"before save aborts create", HookBeforeSave,
			func(context.Context, *HookContext) error { return apierr.New(403, "NOPE", "not allowed") },
			func() error { _, err := e.s.Create(e.ctx, child, map[string]any{"title": "x"}); return err }, 403, "not allowed"},
		{"after save error rolls back", HookAfterSave,
			func(context.Context, *HookContext) error { return apierr.BadRequest("LATE", "too late") },
			func() error { _, err := e.s.Create(e.ctx, child, map[string]any{"title": "x"}); return err }, 400, "too late"},
		{"before delete aborts", HookBeforeDelete,
			func(context.Context, *HookContext) error { return apierr.New(409, "", "in use") },
			func() error { _, err := e.s.DeleteByID(e.ctx, child, 1); return err }, 409, "in use"},
		{"access aborts reads", HookAccess,
			func(context.Context, *HookContext) error { return apierr.Unauthorized("", "who are you") },
			func() error { _, err := e.s.Find(e.ctx, child, nil); return err }, 401, "who are you"},
		{"panicking hook is a 500", HookLoaded,
			func(context.Context, *HookContext) error { panic("boom") },
			func() error { _, err := e.s.FindByID(e.ctx, child, 1, nil); return err }, 500, "Internal Server Error"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e.s.hooks = hookRegistry{} // fresh hooks per case
			e.s.Observe("Base", tc.hook, tc.fn)
			err := tc.op()
			ae := apierr.From(err)
			if ae == nil || ae.StatusCode != tc.status || ae.Message != tc.msg {
				t.Fatalf("got %v, want %d %q", err, tc.status, tc.msg)
			}
			e.s.hooks = hookRegistry{}
			if n, _ := e.s.Count(e.ctx, child, nil); n != 1 {
				t.Fatalf("rows after aborted operation: %d", n)
			}
		})
	}
}

func TestHookRunsInTheOperationTransaction(t *testing.T) {
	eachDialect(t, func(e *testEnv) {
		m := noteModel()
		audit := noteModel()
		audit.Name = "Audit"
		e.migrate(m, audit)
		// A hook writing through the ctx it gets joins the operation's transaction: if the
		// operation fails later, the hook's write is rolled back too.
		e.s.Observe("Note", HookAfterSave, func(ctx context.Context, hc *HookContext) error {
			if _, err := e.s.Create(ctx, audit, map[string]any{"title": "saved"}); err != nil {
				return err
			}
			if hc.Instance["title"] == "fail" {
				return apierr.BadRequest("", "failed after audit")
			}
			return nil
		})
		e.mustCreate(m, map[string]any{"title": "ok"})
		_, err := e.s.Create(e.ctx, m, map[string]any{"title": "fail"})
		wantAPIError(t, err, 400, "", "failed after audit")
		if n, _ := e.s.Count(e.ctx, audit, nil); n != 1 {
			t.Fatalf("audit rows %d, want 1 (the failed operation's audit is rolled back)", n)
		}
		if n, _ := e.s.Count(e.ctx, m, nil); n != 1 {
			t.Fatalf("note rows %d, want 1", n)
		}
	})
}
