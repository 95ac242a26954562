package filter

import (
	"net/url"

	"github.com/loopgo/loopgo/framework/schema"
)

// This file fixes the package's API; bodies are filled in by the implementation files.

// Models looks up models by name (for include scopes); *schema.Registry satisfies it.
type Models interface {
	Model(name string) *schema.Model
}

// Parse validates a decoded JSON filter (nil = empty filter) for model m.
// Errors are *apierr.Error with status 400 and LoopBack's codes and messages.
func Parse(raw any, m *schema.Model, models Models) (*Filter, error) {
	return parseFilter(raw, m, models)
}

// ParseWhere validates a decoded JSON where object (nil = no condition) for model m. Without a
// model lookup it cannot follow relations: a condition on a related model answers 400.
func ParseWhere(raw any, m *schema.Model) (Cond, error) { return parseWhereRoot(raw, m, nil) }

// ParseWhereIn is ParseWhere with a model lookup, so that conditions may also name properties of
// related models ({"owner.email": v}, {"owner": {"email": v}}); they become *Related nodes.
func ParseWhereIn(raw any, m *schema.Model, models Models) (Cond, error) {
	return parseWhereRoot(raw, m, models)
}

// FromQuery returns the argument `name` from URL query values, given either as JSON
// (`filter={"where":...}`) or in bracket syntax (`filter[where][a][gt]=1`), decoded to generic
// values (map[string]any, []any, string, float64, bool, nil); present is false when absent.
func FromQuery(q url.Values, name string) (v any, present bool, err error) {
	return fromQuery(q, name)
}
