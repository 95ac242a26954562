package store

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"

	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/schema"
)

// Operation hook names (LoopBack's).
const (
	HookAccess       = "access"
	HookBeforeSave   = "before save"
	HookPersist      = "persist"
	HookLoaded       = "loaded"
	HookAfterSave    = "after save"
	HookBeforeDelete = "before delete"
	HookAfterDelete  = "after delete"
)

var hookNames = map[string]bool{
	HookAccess: true, HookBeforeSave: true, HookPersist: true, HookLoaded: true,
	HookAfterSave: true, HookBeforeDelete: true, HookAfterDelete: true,
}

// hookRegistry holds hooks by model name and hook name, in registration order.
type hookRegistry struct {
	mu sync.RWMutex
	m  map[string]map[string][]Hook
}

// Observe registers fn for a hook name on a model; it also fires for models that extend it.
// An unknown hook name (or a nil fn) is ignored and logged as an error, since Observe reports
// nothing to its caller.
func (s *Store) Observe(model, hook string, fn Hook) {
	if !hookNames[hook] || fn == nil {
		s.log.Error("store: ignoring operation hook", "model", model, "hook", hook,
			"reason", "unknown hook name or nil function")
		return
	}
	s.hooks.mu.Lock()
	defer s.hooks.mu.Unlock()
	if s.hooks.m == nil {
		s.hooks.m = map[string]map[string][]Hook{}
	}
	if s.hooks.m[model] == nil {
		s.hooks.m[model] = map[string][]Hook{}
	}
	s.hooks.m[model][hook] = append(s.hooks.m[model][hook], fn)
}

// chain returns the hooks of a name for m and its ancestors, root first (nil when there are
// none, without allocating: reads ask once per operation).
func (r *hookRegistry) chain(m *schema.Model, hook string) []Hook {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if len(r.m) == 0 {
		return nil
	}
	n := 0
	for x := m; x != nil; x = x.Parent {
		n += len(r.m[x.Name][hook])
	}
	if n == 0 {
		return nil
	}
	// filled from the end: m's own hooks come last, its root's first
	out := make([]Hook, n)
	for x := m; x != nil; x = x.Parent {
		hs := r.m[x.Name][hook]
		n -= len(hs)
		copy(out[n:], hs)
	}
	return out
}

// fire runs the hooks of hc.Hook for hc.Model in order; the first error aborts. A panicking
// hook becomes a 500 error.
func (s *Store) fire(ctx context.Context, hc *HookContext) error {
	return fireHooks(ctx, s.hooks.chain(hc.Model, hc.Hook), hc)
}

// fireHooks runs hooks (a chain) on hc in order; the first error aborts.
func fireHooks(ctx context.Context, hooks []Hook, hc *HookContext) error {
	for _, fn := range hooks {
		if err := callHook(ctx, fn, hc); err != nil {
			return err
		}
	}
	return nil
}

func callHook(ctx context.Context, fn Hook, hc *HookContext) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = apierr.Internal(fmt.Errorf("store: %q hook of %s panicked: %v\n%s", hc.Hook, hc.Model.Name, r, debug.Stack()))
		}
	}()
	return fn(ctx, hc)
}

// newHC starts the hook context of an operation; state is shared by all its hooks.
func newHC(m *schema.Model, hook string, state map[string]any) *HookContext {
	return &HookContext{Model: m, Hook: hook, HookState: state}
}
