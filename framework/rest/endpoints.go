package rest

import (
	"sort"
	"strings"
)

// Endpoint is one route of the REST API: a verb ("get", ..., "all" for any verb), the full path
// with its parameters (":id", ":fk") and the method it reaches.
type Endpoint struct {
	Verb   string
	Path   string
	Method *Method
}

// Endpoints lists every route of the REST API: models by path, each model's routes in the order
// they are matched (literal segments before parameters, longer paths first).
func (s *Server) Endpoints() []Endpoint {
	classes := append([]*class(nil), s.classes...)
	sort.SliceStable(classes, func(i, j int) bool {
		return strings.Join(classes[i].path, "/") < strings.Join(classes[j].path, "/")
	})
	var out []Endpoint
	for _, c := range classes {
		base := s.opts.Root + "/" + strings.Trim(c.model.HTTPPath, "/")
		for _, r := range c.routes {
			out = append(out, Endpoint{Verb: r.verb, Path: strings.TrimSuffix(base+r.raw, "/"), Method: r.method})
		}
	}
	return out
}

// Resolve finds the method a request with this verb and path (starting with the REST root)
// would reach, as the server routes it, and the path parameters ("id", "fk"); ok is false
// when no method handles it.
func (s *Server) Resolve(verb, path string) (m *Method, params map[string]string, ok bool) {
	root := strings.ToLower(s.opts.Root)
	lower := strings.ToLower(path)
	if lower != root && !strings.HasPrefix(lower, root+"/") {
		return nil, nil, false
	}
	c, rest := s.findClass(splitPath(path[len(root):]))
	if c == nil {
		return nil, nil, false
	}
	r, params := c.match(verb, rest)
	if r == nil {
		return nil, nil, false
	}
	return r.method, params, true
}
