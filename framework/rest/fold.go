package rest

import (
	"net/http"
	"strings"
	"sync/atomic"
)

// pathIndex holds the Echo routes outside the REST root (boot routes such as POST /login) by
// their lower-cased static segments, so that a path written in another case ("/LOGOUT") reaches
// the route as Express's default case-insensitive router lets it.
type pathIndex struct {
	routes [][]string // registered paths split into segments; ":x" and "*" are parameters
}

// IndexPaths records the routes registered on Echo so far (boot functions have run) for
// case-insensitive matching; the App calls it at the end of its set-up. Without it, or with
// Options.CaseSensitive, paths outside the REST root are matched exactly as Echo does.
func (s *Server) IndexPaths() {
	if s.opts.CaseSensitive {
		return
	}
	idx := &pathIndex{}
	seen := map[string]bool{}
	for _, r := range s.e.Routes() {
		if seen[r.Path] || r.Path == s.opts.Root || strings.HasPrefix(r.Path, s.opts.Root+"/") {
			continue
		}
		seen[r.Path] = true
		idx.routes = append(idx.routes, strings.Split(r.Path, "/"))
	}
	s.paths.Store(idx)
}

// fold returns the registered spelling of path when it matches a route only case-insensitively.
func (x *pathIndex) fold(path string) (string, bool) {
	segs := strings.Split(path, "/")
	folded := ""
	for _, r := range x.routes {
		out, ok := foldSegments(r, segs)
		if !ok {
			continue
		}
		if out == path {
			return "", false // a route matches as written
		}
		if folded == "" {
			folded = out
		}
	}
	return folded, folded != ""
}

// foldSegments matches path segments against a route's, static ones without regard to case,
// and returns the path with the route's static segments.
func foldSegments(route, segs []string) (string, bool) {
	wild := len(route) > 0 && route[len(route)-1] == "*"
	if len(segs) != len(route) && !(wild && len(segs) >= len(route)-1) {
		return "", false
	}
	out := make([]string, len(segs))
	for i, s := range segs {
		if i >= len(route) || route[i] == "*" {
			copy(out[i:], segs[i:])
			break
		}
		r := route[i]
		switch {
		case strings.HasPrefix(r, ":"):
			out[i] = s
		case strings.EqualFold(r, s):
			out[i] = r
		default:
			return "", false
		}
	}
	return strings.Join(out, "/"), true
}

// foldPath rewrites a REST root written in another case ("/API/notes") to the configured one,
// and a boot route's path written in another case to the registered one, since LoopBack's
// (Express's) router matches paths case-insensitively.
func (s *Server) foldPath(r *http.Request) {
	root := s.opts.Root
	p := r.URL.Path
	if len(p) >= len(root) && strings.EqualFold(p[:len(root)], root) && (len(p) == len(root) || p[len(root)] == '/') {
		if p[:len(root)] != root {
			r.URL.Path = root + p[len(root):]
			r.URL.RawPath = ""
		}
		return
	}
	if idx := s.paths.Load(); idx != nil {
		if folded, changed := idx.fold(p); changed {
			r.URL.Path = folded
			r.URL.RawPath = ""
		}
	}
}

// pathsIndex is the atomically published index (nil until IndexPaths).
type pathsIndex = atomic.Pointer[pathIndex]
