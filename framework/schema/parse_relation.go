package schema

import (
	"strconv"

	"gopkg.in/yaml.v3"
)

// Relation types.
const (
	BelongsTo           = "belongsTo"
	HasOne              = "hasOne"
	HasMany             = "hasMany"
	HasAndBelongsToMany = "hasAndBelongsToMany"
)

// relationTypeHint lists the supported relation types.
const relationTypeHint = "write one of belongsTo, hasOne, hasMany, hasAndBelongsToMany"

// unsupportedRelations are LoopBack relation types Loopgo does not serve yet.
var unsupportedRelations = map[string]bool{"embedsMany": true, "embedsOne": true, "referencesMany": true}

// relations reads the relations mapping (name -> definition), in file order.
func (p *parser) relations(m *Model, e entry) error {
	entries, err := p.mapping(e.val, e.keyNode, "relations", "write relations as name: {type: hasMany, model: Note}")
	if err != nil {
		return err
	}
	for _, re := range entries {
		rel, err := p.relation(re)
		if err != nil {
			return err
		}
		m.Relations = append(m.Relations, rel)
	}
	return nil
}

// relation reads one relation definition.
func (p *parser) relation(e entry) (*Relation, error) {
	field := join("relations", e.key)
	if !validModelName(e.key) {
		return nil, p.fail(e.keyNode, field, "invalid relation name "+strconv.Quote(e.key),
			"write a name made of letters, digits and _, e.g. owner or notes")
	}
	rel := &Relation{Name: e.key, Pos: p.pos(e.keyNode)}
	entries, err := p.mapping(e.val, e.keyNode, field, "write "+e.key+": {type: hasMany, model: Note}")
	if err != nil {
		return nil, err
	}
	var polyNode *yaml.Node
	for _, re := range entries {
		f := join(field, re.key)
		switch re.key {
		case "type":
			rel.Type, err = p.str(re.val, re.keyNode, f, relationTypeHint)
			if err == nil {
				err = p.checkRelationType(rel.Type, re.keyNode, f)
			}
		case "model":
			rel.Model, err = p.modelRef(re, f)
		case "foreignKey":
			rel.ForeignKey, err = p.str(re.val, re.keyNode, f, "write foreignKey: ownerId")
		case "primaryKey":
			rel.PrimaryKey, err = p.str(re.val, re.keyNode, f, "write primaryKey: id")
		case "through":
			rel.Through, err = p.modelRef(re, f)
		case "keyThrough":
			rel.KeyThrough, err = p.str(re.val, re.keyNode, f, "write keyThrough: tagId")
		case "scope":
			var v any
			v, err = p.value(re.val, f)
			if err == nil && v != nil {
				s, ok := v.(map[string]any)
				if !ok {
					err = p.fail(re.keyNode, f, "must be a mapping (a filter)", "write scope: {where: {...}, order: ...}")
				}
				rel.Scope = s
			}
		case "options":
			err = p.relationOptions(rel, re, f)
		case "polymorphic":
			polyNode = re.keyNode
			rel.Polymorphic, err = p.polymorphic(re, f)
		default:
			err = p.fail(re.keyNode, f, "unknown relation key "+strconv.Quote(re.key),
				"write type, model, foreignKey, primaryKey, through, keyThrough, scope, options or polymorphic")
		}
		if err != nil {
			return nil, err
		}
	}
	return rel, p.checkRelation(rel, e.keyNode, polyNode, field)
}

// checkRelationType refuses unknown and not yet supported relation types.
func (p *parser) checkRelationType(t string, at *yaml.Node, field string) error {
	switch t {
	case BelongsTo, HasOne, HasMany, HasAndBelongsToMany:
		return nil
	}
	if unsupportedRelations[t] {
		return p.fail(at, field, t+" relations are not supported yet",
			"use hasMany to a separate model (with a belongsTo back) instead")
	}
	return p.fail(at, field, "unknown relation type "+strconv.Quote(t), relationTypeHint)
}

// checkRelation checks the combination of a relation's keys.
func (p *parser) checkRelation(rel *Relation, at, polyNode *yaml.Node, field string) error {
	switch {
	case rel.Type == "":
		return p.fail(at, join(field, "type"), "missing type", relationTypeHint)
	case rel.Model == "" && !(rel.Type == BelongsTo && rel.Polymorphic != nil):
		return p.fail(at, join(field, "model"), "missing model", "write model: <name of the related model>")
	case rel.Through != "" && rel.Type != HasMany && rel.Type != HasAndBelongsToMany:
		return p.fail(at, join(field, "through"), "through applies to hasMany and hasAndBelongsToMany only",
			"write type: hasMany, or remove through")
	case rel.KeyThrough != "" && rel.Through == "" && rel.Type != HasAndBelongsToMany:
		return p.fail(at, join(field, "keyThrough"), "keyThrough needs through", "add through: <join model>")
	case rel.Polymorphic != nil && rel.Type == HasAndBelongsToMany:
		return p.fail(polyNode, join(field, "polymorphic"), "polymorphic hasAndBelongsToMany is not supported",
			"use hasMany with through and polymorphic")
	}
	return nil
}

// modelRef reads a model name (checked against the registry in Resolve).
func (p *parser) modelRef(e entry, field string) (string, error) {
	s, err := p.str(e.val, e.keyNode, field, "write the name of a model")
	if err != nil {
		return "", err
	}
	if !validModelName(s) {
		return "", p.fail(e.keyNode, field, "invalid model name "+strconv.Quote(s), "write the name of a model, e.g. Note")
	}
	return s, nil
}

// relationOptions reads the relation's options; disableInclude is also copied to its field.
func (p *parser) relationOptions(rel *Relation, e entry, field string) error {
	v, err := p.value(e.val, field)
	if err != nil || v == nil {
		return err
	}
	opts, ok := v.(map[string]any)
	if !ok {
		return p.fail(e.keyNode, field, "must be a mapping", "write options: {disableInclude: true}")
	}
	if di, ok := opts["disableInclude"]; ok {
		b, isBool := di.(bool)
		if !isBool {
			return p.fail(e.keyNode, join(field, "disableInclude"), "must be true or false", "write disableInclude: true")
		}
		rel.DisableInclude = b
	}
	rel.Options = opts
	return nil
}

// polymorphic reads polymorphic: <name> | true | {as, foreignKey, discriminator}; the keys left out
// are filled in Resolve from the relation name.
func (p *parser) polymorphic(e entry, field string) (*Polymorphic, error) {
	const hint = "write polymorphic: imageable, polymorphic: true (belongsTo), or polymorphic: {as, foreignKey, discriminator}"
	d, err := p.deref(e.val)
	if err != nil {
		return nil, err
	}
	switch {
	case d.Kind == yaml.ScalarNode && d.ShortTag() == "!!str":
		if !validModelName(d.Value) {
			return nil, p.fail(e.keyNode, field, "invalid polymorphic name "+strconv.Quote(d.Value), hint)
		}
		return &Polymorphic{As: d.Value}, nil
	case d.Kind == yaml.ScalarNode && d.ShortTag() == "!!bool":
		b, err := p.boolean(d, e.keyNode, field)
		if err != nil || !b {
			return nil, err
		}
		return &Polymorphic{}, nil
	case d.Kind == yaml.MappingNode:
		entries, err := p.mapping(d, e.keyNode, field, hint)
		if err != nil {
			return nil, err
		}
		poly := &Polymorphic{}
		for _, pe := range entries {
			f := join(field, pe.key)
			var s string
			s, err = p.str(pe.val, pe.keyNode, f, hint)
			if err != nil {
				return nil, err
			}
			switch pe.key {
			case "as":
				poly.As = s
			case "foreignKey":
				poly.ForeignKey = s
			case "discriminator":
				poly.Discriminator = s
			default:
				return nil, p.fail(pe.keyNode, f, "unknown polymorphic key "+strconv.Quote(pe.key), hint)
			}
		}
		return poly, nil
	}
	return nil, p.fail(e.keyNode, field, "invalid polymorphic value", hint)
}
