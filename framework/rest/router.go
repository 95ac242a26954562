package rest

import (
	"sort"
	"strings"

	"github.com/loopgo/loopgo/framework/schema"
	"github.com/loopgo/loopgo/framework/store"
)

// class is the REST surface of one model: its path and its routes in matching order.
type class struct {
	model  *schema.Model
	store  *store.Store
	path   []string // lower-cased segments of the model path
	routes []*route
	byName map[string]*Method
}

// route is one verb + path of a method, split into segments (":x" = parameter).
type route struct {
	verb   string // lower-case; "all" matches any verb
	segs   []string
	raw    string // the path below the model path as declared (case kept), for listings
	method *Method
	status int
}

// splitPath splits a URL path into non-empty segments.
func splitPath(p string) []string {
	parts := strings.Split(p, "/")
	out := parts[:0]
	for _, s := range parts {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// addRoute registers every route of m on the class.
func (c *class) addRoute(m *Method) {
	for _, r := range m.Routes {
		p := r.Path
		if !m.Static {
			p = "/:id/" + strings.TrimPrefix(p, "/")
		}
		segs := splitPath(p)
		for i, s := range segs {
			if !strings.HasPrefix(s, ":") {
				segs[i] = strings.ToLower(s)
			}
		}
		verb := strings.ToLower(r.Verb)
		if verb == "" {
			verb = "all"
		}
		c.routes = append(c.routes, &route{verb: verb, segs: segs, raw: "/" + strings.Join(splitPath(p), "/"), method: m, status: r.Status})
	}
	c.byName[m.SharedName()] = m
}

// sortRoutes orders routes for matching: literal segments before parameters, longer paths
// first, then verb descending as strong-remoting does; so "/logout" (any verb) wins over GET "/:id".
func (c *class) sortRoutes() {
	sort.SliceStable(c.routes, func(i, j int) bool {
		a, b := c.routes[i], c.routes[j]
		for k := 0; k < len(a.segs) && k < len(b.segs); k++ {
			pa, pb := strings.HasPrefix(a.segs[k], ":"), strings.HasPrefix(b.segs[k], ":")
			if pa != pb {
				return !pa
			}
		}
		if len(a.segs) != len(b.segs) {
			return len(a.segs) > len(b.segs)
		}
		return a.verb > b.verb
	})
}

// match finds the route for verb and the path segments below the model path.
func (c *class) match(verb string, segs []string) (*route, map[string]string) {
	verb = strings.ToLower(verb)
	var fallback *route
	var fallbackParams map[string]string
	for _, r := range c.routes {
		if r.verb != verb && r.verb != "all" && !(verb == "head" && r.verb == "get") {
			continue
		}
		params, ok := matchSegs(r.segs, segs)
		if !ok {
			continue
		}
		if verb == "head" && r.verb == "get" {
			if fallback == nil {
				fallback, fallbackParams = r, params
			}
			continue
		}
		return r, params
	}
	return fallback, fallbackParams
}

func matchSegs(pattern, segs []string) (map[string]string, bool) {
	if len(pattern) != len(segs) {
		return nil, false
	}
	var params map[string]string
	for i, p := range pattern {
		if strings.HasPrefix(p, ":") {
			if params == nil {
				params = make(map[string]string, 2)
			}
			params[p[1:]] = segs[i]
			continue
		}
		if !strings.EqualFold(p, segs[i]) {
			return nil, false
		}
	}
	return params, true
}
