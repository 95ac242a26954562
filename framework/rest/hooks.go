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
}

func (h *hookSet) run(ctx context.Context, kind hookKind, c *Call) error {
	h.mu.RLock()
	entries := h.entries
	h.mu.RUnlock()
	if len(entries) == 0 {
		return nil
	}
	name := strings.Split(c.Method.StringName(), ".")
	for _, e := range entries {
		if e.kind != kind || !matchPattern(e.pattern, name) {
			continue
		}
		if err := e.fn(ctx, c); err != nil {
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
