package framework

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/loopgo/loopgo/framework/acl"
	"github.com/loopgo/loopgo/framework/authz"
)

// Endpoint is one route of the application and who may call it.
type Endpoint struct {
	Verb       string // GET, POST, ...; ANY for a method declared with verb all
	Path       string // the full path, parameters as :id, :fk
	Model      string // the model whose method the route reaches; "" outside the REST API
	Method     string // the method's shared name ("find", "prototype.publish"); "" outside the REST API
	AccessType string // READ, WRITE or EXECUTE; "" outside the REST API
	// Guarded is false for routes outside the REST API (boot routes, the health check, the
	// explain endpoint): the ACLs do not apply to them, their handler decides.
	Guarded bool
	Callers Callers // who may call a guarded route by the static ACLs
}

// Callers says who may call a REST method by the static ACLs (see authz.Callers).
type Callers = authz.Callers

// Endpoints lists every route of the application (after Setup): the REST API's, with who may
// call each by the static ACLs, then the other routes (boot functions, health check, explain).
func (a *App) Endpoints(ctx context.Context) ([]Endpoint, error) {
	if a.rest == nil {
		return nil, fmt.Errorf("endpoints: the app is not set up; call Setup first")
	}
	var out []Endpoint
	for _, ep := range a.rest.Endpoints() {
		mt := ep.Method
		callers, err := a.authorization.WhoMayCall(ctx, mt, ep.Path)
		if err != nil {
			return nil, err
		}
		verb := strings.ToUpper(ep.Verb)
		if verb == "ALL" {
			verb = "ANY"
		}
		out = append(out, Endpoint{
			Verb: verb, Path: ep.Path, Model: mt.Model.Name, Method: mt.SharedName(),
			AccessType: acl.AccessTypeOf(mt.Name, mt.AccessType, mt.Verbs()), Guarded: true, Callers: callers,
		})
	}
	root := a.rest.Root()
	var other []Endpoint
	seen := map[string]bool{}
	for _, r := range a.echo.Routes() {
		if r.Path == root || strings.HasPrefix(r.Path, root+"/*") || strings.HasPrefix(r.Method, "echo_") {
			continue
		}
		if key := r.Method + " " + r.Path; !seen[key] {
			seen[key] = true
			other = append(other, Endpoint{Verb: r.Method, Path: r.Path})
		}
	}
	sort.Slice(other, func(i, j int) bool {
		if other[i].Path != other[j].Path {
			return other[i].Path < other[j].Path
		}
		return other[i].Verb < other[j].Verb
	})
	return append(out, other...), nil
}
