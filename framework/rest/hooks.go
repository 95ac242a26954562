package rest

import (
	"context"
	"strings"
	"sync"
)

// RemoteHook runs around remote methods; returning an error aborts the call with it.
type RemoteHook func(ctx context.Context, c *Call) error

type hookKind int

const (
	beforeHook hookKind = iota
	afterHook
	errorHook
)

type hookEntry struct {
	kind    hookKind
	pattern []string // dot-separated segments, "*" one segment, "**" any depth
	fn      RemoteHook
}

// hookSet holds remote hooks in registration order.
type hookSet struct {
	mu      sync.RWMutex
	entries []hookEntry
	gen     uint64   // bumped by every add: matched lists of older generations are stale
	matched sync.Map // hookKey -> matchedHooks: the hooks matching a method, in order
}

// hookKey names the hooks of one kind that match one method.
type hookKey struct {
	kind   hookKind
	method *Method
}

// matchedHooks is the ordered list of hooks matching a method, as of generation gen.
type matchedHooks struct {
	gen uint64
	fns []RemoteHook
}

// BeforeRemote registers fn before methods matching pattern ("Note.create", "Note.prototype.*",
// "Note.*", "**"); it may change c.Args or abort.
func (s *Server) BeforeRemote(pattern string, fn RemoteHook) { s.hooks.add(beforeHook, pattern, fn) }

// AfterRemote registers fn after successful methods matching pattern; it may change c.Result.
func (s *Server) AfterRemote(pattern string, fn RemoteHook) { s.hooks.add(afterHook, pattern, fn) }

// AfterRemoteError registers fn after failed methods matching pattern; it may replace c.Err.
func (s *Server) AfterRemoteError(pattern string, fn RemoteHook) { s.hooks.add(errorHook, pattern, fn) }

func (h *hookSet) add(kind hookKind, pattern string, fn RemoteHook) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.entries = append(h.entries, hookEntry{kind: kind, pattern: strings.Split(pattern, "."), fn: fn})
	h.gen++
}

// forMethod returns the hooks of kind matching m, in registration order; the patterns are
// matched once per method and generation of the set, not on every call.
func (h *hookSet) forMethod(kind hookKind, m *Method) []RemoteHook {
	h.mu.RLock()
	entries, gen := h.entries, h.gen
	h.mu.RUnlock()
	key := hookKey{kind, m}
	if v, ok := h.matched.Load(key); ok {
		if mh := v.(matchedHooks); mh.gen == gen {
			return mh.fns
		}
	}
	name := strings.Split(m.StringName(), ".")
	var fns []RemoteHook
	for _, e := range entries {
		if e.kind == kind && matchPattern(e.pattern, name) {
			fns = append(fns, e.fn)
		}
	}
	h.matched.Store(key, matchedHooks{gen: gen, fns: fns})
	return fns
}

func (h *hookSet) run(ctx context.Context, kind hookKind, c *Call) error {
	for _, fn := range h.forMethod(kind, c.Method) {
		if err := fn(ctx, c); err != nil {
			if kind == errorHook {
				c.Err = err
				continue
			}
			return err
		}
	}
	return nil
}

// matchPattern matches strong-remoting's patterns: "*" is one segment, "**" any number.
func matchPattern(p, name []string) bool {
	if len(p) == 0 {
		return len(name) == 0
	}
	if p[0] == "**" {
		for i := 0; i <= len(name); i++ {
			if matchPattern(p[1:], name[i:]) {
				return true
			}
		}
		return false
	}
	if len(name) == 0 {
		return false
	}
	if p[0] != "*" && p[0] != name[0] {
		return false
	}
	// "Model.*" names static methods only: "*" never matches the "prototype" segment.
	if p[0] == "*" && name[0] == "prototype" && len(name) > 1 {
		return false
	}
	return matchPattern(p[1:], name[1:])
}
