package rest

import "github.com/loopgo/loopgo/framework/schema"

// ExposedModel is a model the server routes, with its shared methods.
type ExposedModel struct {
	Model   *schema.Model
	Methods []*Method // in routing order of their first route
}

// Exposed lists the models that have at least one shared method, with those methods; private
// models and methods (Shared false) are absent. It describes the API (OpenAPI document).
func (s *Server) Exposed() []ExposedModel {
	var out []ExposedModel
	for _, c := range s.classes {
		seen := map[*Method]bool{}
		em := ExposedModel{Model: c.model}
		for _, r := range c.routes {
			if !seen[r.method] {
				seen[r.method] = true
				em.Methods = append(em.Methods, r.method)
			}
		}
		if len(em.Methods) > 0 {
			out = append(out, em)
		}
	}
	return out
}
