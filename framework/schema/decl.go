package schema

// declared records what a definition wrote itself, as opposed to defaults: Resolve lets a model
// inherit a setting from its base only where the model did not set it, and checks late (after
// inheritance) the names listed in hidden and protected at their written positions.
type declared struct {
	strict, idInjection, forceID, replaceOnPUT bool
	plural, httpPath                           bool
	base                                       Pos
	hidden, protected                          map[string]Pos
}

// declAll marks every setting of a Go-built definition as written.
func declAll(m *Model) declared {
	d := declared{strict: true, idInjection: true, forceID: true, replaceOnPUT: true,
		plural: m.Plural != "", httpPath: m.HTTPPath != "", hidden: map[string]Pos{}, protected: map[string]Pos{}}
	for _, h := range m.Hidden {
		d.hidden[h] = m.Pos
	}
	for _, h := range m.Protected {
		d.protected[h] = m.Pos
	}
	return d
}
