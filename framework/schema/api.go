package schema

// This file fixes the package's API: the Registry. Bodies of the larger operations live in
// parse_*.go (ParseFile), registry.go (Add) and resolve*.go (Resolve).

// Registry holds model definitions by name and resolves their inheritance.
type Registry struct {
	defs     map[string]*Model
	order    []string
	models   map[string]*Model
	resolved []*Model
}

// NewRegistry returns an empty registry; PersistedModel and Model are implicit bases.
func NewRegistry() *Registry {
	return &Registry{defs: map[string]*Model{}, models: map[string]*Model{}}
}

// ParseFile parses one YAML model file (name is used in error positions) and adds the definition.
// A bad definition returns a *DefinitionError naming the file, line and field.
func (r *Registry) ParseFile(name string, src []byte) error {
	m, err := parseModelFile(name, src)
	if err != nil {
		return err
	}
	return r.add(m)
}

// Add adds an already built definition (used by tests and by Go code defining models).
// The definition is taken as given: boolean settings (IDInjection, ForceID, ReplaceOnPUT) and
// Strict keep their Go values (zero = false / StrictFalse); empty Base, Plural, HTTPPath, Table
// and Column get their defaults in Resolve. m itself is never modified by the registry.
func (r *Registry) Add(m *Model) error {
	if m == nil {
		return &DefinitionError{Msg: "nil model definition", Hint: "pass a *schema.Model with a Name"}
	}
	def := m.Clone()
	def.decl = declAll(def)
	if err := checkGoDefinition(def); err != nil {
		return err
	}
	return r.add(def)
}

// Resolve merges every definition with its bases (parent-first) and checks cross-model facts
// (unknown base, cycles). It must be called after the last ParseFile/Add and before Model.
func (r *Registry) Resolve() error { return r.resolve() }

// Model returns the resolved model with that exact name, or nil.
func (r *Registry) Model(name string) *Model { return r.models[name] }

// Models returns every resolved model, bases before the models that extend them.
func (r *Registry) Models() []*Model {
	out := make([]*Model, len(r.resolved))
	copy(out, r.resolved)
	return out
}
