package schema

import "gopkg.in/yaml.v3"

// ExtendFromConfig adds relations, ACLs and settings to an already parsed model, as LoopBack's
// model-config.json entries may ("relations", "acls", "options"): the way to give the built-in
// User a relation or a setting without defining a subclass. relations, acls and options are the
// YAML nodes of those keys (nil when absent); file names the config file in errors. Call it
// before Resolve: models extending this one inherit what it adds.
func (r *Registry) ExtendFromConfig(file, model string, relations, acls, options *yaml.Node) error {
	def, ok := r.defs[model]
	if !ok {
		return &DefinitionError{Pos: Pos{File: file}, Model: model, Field: model,
			Msg: "model " + model + " is not defined", Hint: "define it in a model file, or remove its relations/acls from " + file}
	}
	p := &parser{file: file, model: model}
	if relations != nil {
		if err := p.relations(def, entry{key: "relations", keyNode: relations, val: relations}); err != nil {
			return err
		}
	}
	if acls != nil {
		if err := p.acls(def, entry{key: "acls", keyNode: acls, val: acls}); err != nil {
			return err
		}
	}
	if options != nil {
		// the same settings, checked the same way, as a model file's options: strict, hidden,
		// plural, ... for the built-in models too
		if err := p.options(def, entry{key: "options", keyNode: options, val: options}); err != nil {
			return err
		}
	}
	return nil
}
