package schema

import (
	"fmt"
	"strings"
	"testing"
)

func TestDefinitionErrorExample(t *testing.T) {
	_, err := resolveFiles(t, "models/note.yaml", `name: Note
properties:
	title: string
	body: string
	x: string
	rating:
		type: nuber
`)
	want := `models/note.yaml:7:5: model Note: properties.rating.type: unknown type "nuber"; write one of string, number, boolean, date, object, array, any, geopoint, or [type]`
	if err == nil || err.Error() != want {
		t.Errorf("got  %v\nwant %s", err, want)
	}
}

// defErrCase is one bad definition: the files (name, source pairs; one file is "m.yaml"), and the
// expected error field, position "file:line:col" and fragments of the message and hint.
type defErrCase struct {
	name  string
	files []string
	field string
	pos   string
	msg   string
	hint  string
}

// one is a single-file case.
func one(name, src, field, pos, msg, hint string) defErrCase {
	return defErrCase{name: name, files: []string{"m.yaml", src}, field: field, pos: pos, msg: msg, hint: hint}
}

func runDefErrCases(t *testing.T, cases []defErrCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := resolveFiles(t, tc.files...)
			if err == nil {
				t.Fatal("no error")
			}
			de := asDefErr(t, err)
			pos := fmt.Sprintf("%s:%d:%d", de.Pos.File, de.Pos.Line, de.Pos.Column)
			if de.Field != tc.field || pos != tc.pos || !strings.Contains(de.Msg, tc.msg) || !strings.Contains(de.Hint, tc.hint) {
				t.Errorf("got field=%q pos=%s msg=%q hint=%q\nwant field=%q pos=%s msg~%q hint~%q",
					de.Field, pos, de.Msg, de.Hint, tc.field, tc.pos, tc.msg, tc.hint)
			}
			if de.Hint == "" {
				t.Error("every definition error must say what to write instead")
			}
		})
	}
}

func TestDefinitionErrorsTopLevel(t *testing.T) {
	runDefErrCases(t, []defErrCase{
		one("empty file", "", "", "m.yaml:1:1", "empty model file", "name:"),
		one("comment only", "# nothing\n", "", "m.yaml:1:1", "empty model file", "name:"),
		one("yaml syntax", "name: A\nproperties: [\n", "", "m.yaml:2:0", "invalid YAML", "YAML syntax"),
		one("two documents", "name: A\n---\nname: B\n", "", "m.yaml:2:0", "more than one YAML document", "one model per file"),
		one("root is a list", "- a\n", "", "m.yaml:1:1", "must be a mapping, not a list", "name: Note"),
		one("missing name", "base: Model\n", "name", "m.yaml:1:1", "missing model name", "add name:"),
		one("name not a string", "name: 5\n", "name", "m.yaml:1:1", "must be a string, not a number", "name: Note"),
		one("invalid name", "name: my-model\n", "name", "m.yaml:1:1", `invalid model name "my-model"`, "letters, digits"),
		one("reserved name", "name: PersistedModel\n", "name", "m.yaml:1:1", "built-in base", "base: PersistedModel"),
		one("base list", "name: A\nbase: [B]\n", "base", "m.yaml:2:1", "must be a string, not a list", "base:"),
		one("base itself", "name: A\nbase: A\n", "base", "m.yaml:2:1", "cannot extend itself", "base:"),
		one("plural empty", "name: A\nplural: ''\n", "plural", "m.yaml:2:1", "empty plural", "plural:"),
		one("http not mapping", "name: A\nhttp: /a\n", "http", "m.yaml:2:1", "must be a mapping", "http: {path:"),
		one("http unknown key", "name: A\nhttp: {paht: a}\n", "http.paht", "m.yaml:2:8", `unknown key "paht"`, "http: {path:"),
		one("http bad path", "name: A\nhttp: {path: 'a b'}\n", "http.path", "m.yaml:2:8", `invalid path "a b"`, "separated by /"),
		one("http empty segment", "name: A\nhttp: {path: 'a//b'}\n", "http.path", "m.yaml:2:8", "invalid path", "segments"),
		one("strict yes", "name: A\nstrict: yes\n", "strict", "m.yaml:2:1", `invalid value "yes"`, "strict: filter"),
		one("options strict", "name: A\noptions: {strict: 1}\n", "options.strict", "m.yaml:2:11", `invalid value "1"`, "strict: true"),
		one("idInjection string", "name: A\nidInjection: 'no'\n", "idInjection", "m.yaml:2:1", "must be true or false", "true or false"),
		one("forceId number", "name: A\nforceId: 3\n", "forceId", "m.yaml:2:1", "must be true or false", "true or false"),
		one("replaceOnPUT", "name: A\nreplaceOnPUT: maybe\n", "replaceOnPUT", "m.yaml:2:1", "must be true or false", "true or false"),
		one("hidden not list", "name: A\nhidden: password\n", "hidden", "m.yaml:2:1", "must be a list", "hidden: ["),
		one("hidden item not string", "name: A\nhidden: [{a: 1}]\n", "hidden[0]", "m.yaml:2:10", "must be a string", "hidden: ["),
		one("hidden unknown property", "name: A\nproperties: {password: string}\nhidden: [password, secret]\n", "hidden", "m.yaml:3:20", `unknown property "secret"`, "id, password"),
		one("protected unknown property", "name: A\nprotected:\n\t- nope\n", "protected", "m.yaml:3:5", `unknown property "nope"`, "list properties"),
		one("options not mapping", "name: A\noptions: [1]\n", "options", "m.yaml:2:1", "must be a mapping", "options:"),
		one("structural key in options", "name: A\noptions: {properties: {}}\n", "options.properties", "m.yaml:2:11", "not a setting", "top level"),
		one("mixin value", "name: A\nmixins: {TimeStamp: 1}\n", "mixins.TimeStamp", "m.yaml:2:10", "must be true, false or a mapping", "mixins:"),
		one("mixins list", "name: A\nmixins: [TimeStamp]\n", "mixins", "m.yaml:2:1", "must be a mapping", "mixins:"),
		one("typo of properties", "name: A\npropertes: {a: string}\n", "propertes", "m.yaml:2:1", `looks like a misspelt "properties"`, "write properties"),
		one("capitalised key", "name: A\nProperties: {a: string}\n", "Properties", "m.yaml:2:1", `misspelt "properties"`, "write properties"),
		one("acl singular", "name: A\nacl: []\n", "acl", "m.yaml:2:1", `misspelt "acls"`, "write acls"),
		one("duplicate key", "name: A\nproperties: {}\nproperties: {}\n", "properties", "m.yaml:3:1", "duplicate key (first written on line 2)", "keep one"),
		one("merge key", "name: A\n<<: {a: 1}\n", "", "m.yaml:2:1", "merge keys", "write the keys out"),
		one("non-scalar key", "name: A\n? [a]\n: 1\n", "", "m.yaml:2:3", "mapping keys must be plain names", "key: value"),
	})
}

func TestDefinitionErrorsProperties(t *testing.T) {
	p := func(name, props, field, pos, msg, hint string) defErrCase {
		return one(name, "name: A\nproperties:\n"+props, field, pos, msg, hint)
	}
	runDefErrCases(t, []defErrCase{
		one("properties list", "name: A\nproperties: [a]\n", "properties", "m.yaml:2:1", "must be a mapping", "name: type"),
		p("dotted name", "\ta.b: string\n", "properties.a.b", "m.yaml:3:3", "contains a dot", "a_b"),
		p("empty name", "\t'': string\n", "properties", "m.yaml:3:3", "empty property name", "title"),
		p("unknown short type", "\trating: nuber\n", "properties.rating", "m.yaml:3:3", `unknown type "nuber"`, "[type]"),
		p("short type number", "\trating: 5\n", "properties.rating", "m.yaml:3:3", "a type must be a name, not a number", "[type]"),
		p("null type", "\trating:\n", "properties.rating", "m.yaml:3:3", "missing type", "[type]"),
		p("missing long type", "\trating: {required: true}\n", "properties.rating.type", "m.yaml:3:3", "missing type", "geopoint"),
		p("two item types", "\ttags: [string, number]\n", "properties.tags", "m.yaml:3:3", "exactly one item type", "[string]"),
		p("unknown item type", "\ttags: [strin]\n", "properties.tags", "m.yaml:3:3", `unknown item type "strin"`, "[type]"),
		p("array of arrays", "\ttags: [array]\n", "properties.tags", "m.yaml:3:3", "arrays of arrays", "[any]"),
		p("nested list type", "\ttags: [[string]]\n", "properties.tags", "m.yaml:3:3", "must be a type name", "arrays of arrays"),
		p("unknown long key", "\ttitle: {type: string, requird: true}\n", "properties.title.requird", "m.yaml:3:25", `unknown property key "requird"`, "required, default"),
		p("required string", "\ttitle: {type: string, required: 'yes'}\n", "properties.title.required", "m.yaml:3:25", "must be true or false", "true or false"),
		p("default not a number", "\trating: {type: number, default: abc}\n", "properties.rating.default", "m.yaml:3:26", `default "abc" is not a valid number`, "write a number value"),
		p("default bad date", "\twhen: {type: date, default: someday}\n", "properties.when.default", "m.yaml:3:22", "is not a valid date", "write a date value"),
		p("default bad boolean", "\tok: {type: boolean, default: 5}\n", "properties.ok.default", "m.yaml:3:23", "is not a valid boolean", "boolean"),
		p("default bad typed array", "\ttags: {type: [number], default: [1, x]}\n", "properties.tags.default", "m.yaml:3:26", "item 1 is not a valid number", "array of number"),
		p("default and defaultFn", "\tat: {type: date, default: $now, defaultFn: now}\n", "properties.at.default", "m.yaml:3:20", "default and defaultFn are both set", "keep one"),
		p("unknown defaultFn", "\tk: {type: string, defaultFn: shortid}\n", "properties.k.defaultFn", "m.yaml:3:21", `unknown defaultFn "shortid"`, "uuidv4"),
		p("now on string", "\tk: {type: string, defaultFn: now}\n", "properties.k.defaultFn", "m.yaml:3:3", "needs a date property", "type: date"),
		p("uuid on number", "\tk: {type: number, defaultFn: uuid}\n", "properties.k.defaultFn", "m.yaml:3:3", "needs a string property", "type: string"),
		p("generated without id", "\tk: {type: number, generated: true}\n", "properties.k.generated", "m.yaml:3:3", "id properties only", "id: true"),
		p("generated string id", "\tk: {type: string, id: true, generated: true}\n", "properties.k.generated", "m.yaml:3:3", "must be a number", "defaultFn: uuid"),
		p("object id", "\tk: {type: object, id: true}\n", "properties.k.id", "m.yaml:3:3", "must be a string, number or date", "type: number"),
		p("id zero", "\tk: {type: string, id: 0}\n", "properties.k.id", "m.yaml:3:21", "must be true or false", "true or false"),
		p("composite id", "\ta: {type: string, id: true}\n\tb: {type: string, id: true}\n", "properties.b", "m.yaml:4:3", "composite ids are not supported", "unique: true"),
		p("column empty", "\ta: {type: string, column: ' '}\n", "properties.a.column", "m.yaml:3:21", "empty column name", "column"),
		p("description number", "\ta: {type: string, description: 5}\n", "properties.a.description", "m.yaml:3:21", "must be a string", "write a string"),
		p("plain id of object type", "\tid: object\n", "properties.id", "m.yaml:3:3", "used as the model's id", "type: number"),
	})
}

func TestDefinitionErrorsValidations(t *testing.T) {
	v := func(name, rules, field, pos, msg, hint string) defErrCase {
		return one(name, "name: A\nproperties: {title: string, n: number}\nvalidations:\n"+rules, field, pos, msg, hint)
	}
	runDefErrCases(t, []defErrCase{
		one("not a list", "name: A\nvalidations: {a: 1}\n", "validations", "m.yaml:2:1", "must be a list", "- {property"),
		v("item not mapping", "\t- title\n", "validations[0]", "m.yaml:4:5", "must be a mapping", "{property: ..."),
		v("unknown key", "\t- {property: title, kind: length, maximum: 3}\n", "validations[0].maximum", "m.yaml:4:37", `unknown validation key "maximum"`, "min, max"),
		v("missing property", "\t- {kind: presence}\n", "validations[0].property", "m.yaml:4:5", "missing property", "add property"),
		v("missing kind", "\t- {property: title}\n", "validations[0].kind", "m.yaml:4:5", "missing kind", "presence, absence"),
		v("unknown kind", "\t- {property: title, kind: required}\n", "validations[0].kind", "m.yaml:4:23", `unknown validation kind "required"`, "numericality"),
		v("option of other kind", "\t- {property: title, kind: format, with: a, min: 1}\n", "validations[0].min", "m.yaml:4:46", "min does not apply to kind format", "kind format takes with"),
		v("option on presence", "\t- {property: title, kind: presence, in: [a]}\n", "validations[0].in", "m.yaml:4:39", "in does not apply", "no options besides message"),
		v("length without bounds", "\t- {property: title, kind: length}\n", "validations[0]", "m.yaml:4:5", "needs min, max or is", "max: 100"),
		v("min over max", "\t- {property: title, kind: length, min: 5, max: 2}\n", "validations[0].min", "m.yaml:4:37", "min is greater than max", "min <= max"),
		v("negative length", "\t- {property: title, kind: length, min: -1}\n", "validations[0].min", "m.yaml:4:37", "whole number >= 0", "min: 3"),
		v("length not number", "\t- {property: title, kind: length, max: ten}\n", "validations[0].max", "m.yaml:4:37", "must be a number", "such as 3"),
		v("bad regex", "\t- {property: title, kind: format, with: '('}\n", "validations[0].with", "m.yaml:4:37", "invalid regular expression", "RE2"),
		v("lookahead", "\t- {property: title, kind: format, with: '(?=a)'}\n", "validations[0].with", "m.yaml:4:37", "invalid regular expression", "lookarounds"),
		v("format without with", "\t- {property: title, kind: format}\n", "validations[0].with", "m.yaml:4:5", "needs with", "with:"),
		v("inclusion without in", "\t- {property: title, kind: inclusion}\n", "validations[0].in", "m.yaml:4:5", "needs in", "in: ["),
		v("in not list", "\t- {property: title, kind: inclusion, in: a}\n", "validations[0].in", "m.yaml:4:40", "must be a list", "in: ["),
		v("int not bool", "\t- {property: n, kind: numericality, int: 1}\n", "validations[0].int", "m.yaml:4:39", "must be true or false", "true or false"),
		v("unknown property", "\t- {property: titel, kind: presence}\n", "validations.property", "m.yaml:4:5", `unknown property "titel"`, "id, title, n"),
		v("numericality on string", "\t- {property: title, kind: numericality}\n", "validations.kind", "m.yaml:4:5", "cannot check title, a string property", "number or any"),
		v("length on number", "\t- {property: n, kind: length, max: 2}\n", "validations.kind", "m.yaml:4:5", "cannot check n", "string, array or any"),
		v("in value of wrong type", "\t- {property: n, kind: inclusion, in: [1, abc]}\n", "validations.in", "m.yaml:4:5", `value "abc" at in[1] is not a valid number`, "list number values"),
	})
}

func TestDefinitionErrorsRelations(t *testing.T) {
	rel := func(name, rels, field, pos, msg, hint string) defErrCase {
		return defErrCase{name: name, files: []string{"m.yaml", "name: A\nproperties: {title: string}\nrelations:\n" + rels, "b.yaml", "name: B\n"},
			field: field, pos: pos, msg: msg, hint: hint}
	}
	runDefErrCases(t, []defErrCase{
		one("not mapping", "name: A\nrelations: [a]\n", "relations", "m.yaml:2:1", "must be a mapping", "type: hasMany"),
		rel("relation not mapping", "\tbs: hasMany\n", "relations.bs", "m.yaml:4:3", "must be a mapping", "bs: {type: hasMany"),
		rel("bad name", "\tb-s: {type: hasMany, model: B}\n", "relations.b-s", "m.yaml:4:3", "invalid relation name", "owner"),
		rel("unknown key", "\tbs: {type: hasMany, model: B, foreignkey: x}\n", "relations.bs.foreignkey", "m.yaml:4:33", `unknown relation key "foreignkey"`, "foreignKey"),
		rel("missing type", "\tbs: {model: B}\n", "relations.bs.type", "m.yaml:4:3", "missing type", "belongsTo"),
		rel("unknown type", "\tbs: {type: hasMeny, model: B}\n", "relations.bs.type", "m.yaml:4:8", `unknown relation type "hasMeny"`, "hasAndBelongsToMany"),
		rel("embedsMany", "\tbs: {type: embedsMany, model: B}\n", "relations.bs.type", "m.yaml:4:8", "embedsMany relations are not supported yet", "use hasMany"),
		rel("embedsOne", "\tbs: {type: embedsOne, model: B}\n", "relations.bs.type", "m.yaml:4:8", "not supported yet", "use hasMany"),
		rel("referencesMany", "\tbs: {type: referencesMany, model: B}\n", "relations.bs.type", "m.yaml:4:8", "not supported yet", "use hasMany"),
		rel("missing model", "\tb: {type: belongsTo}\n", "relations.b.model", "m.yaml:4:3", "missing model", "model:"),
		rel("bad model name", "\tb: {type: belongsTo, model: 'a b'}\n", "relations.b.model", "m.yaml:4:24", "invalid model name", "Note"),
		rel("through on belongsTo", "\tb: {type: belongsTo, model: B, through: B}\n", "relations.b.through", "m.yaml:4:3", "through applies to hasMany", "type: hasMany"),
		rel("keyThrough alone", "\tbs: {type: hasMany, model: B, keyThrough: x}\n", "relations.bs.keyThrough", "m.yaml:4:3", "keyThrough needs through", "through:"),
		rel("scope not mapping", "\tbs: {type: hasMany, model: B, scope: [1]}\n", "relations.bs.scope", "m.yaml:4:33", "must be a mapping", "where"),
		rel("options not mapping", "\tbs: {type: hasMany, model: B, options: 1}\n", "relations.bs.options", "m.yaml:4:33", "must be a mapping", "disableInclude"),
		rel("disableInclude not bool", "\tbs: {type: hasMany, model: B, options: {disableInclude: 1}}\n", "relations.bs.options.disableInclude", "m.yaml:4:33", "must be true or false", "disableInclude: true"),
		rel("polymorphic number", "\tbs: {type: hasMany, model: B, polymorphic: 1}\n", "relations.bs.polymorphic", "m.yaml:4:33", "invalid polymorphic value", "imageable"),
		rel("polymorphic unknown key", "\tbs: {type: hasMany, model: B, polymorphic: {name: x}}\n", "relations.bs.polymorphic.name", "m.yaml:4:47", "unknown polymorphic key", "discriminator"),
		rel("polymorphic habtm", "\tbs: {type: hasAndBelongsToMany, model: B, polymorphic: x}\n", "relations.bs.polymorphic", "m.yaml:4:45", "not supported", "hasMany with through"),
		rel("polymorphic belongsTo fk", "\tb: {type: belongsTo, polymorphic: true}\n", "relations.b.polymorphic", "m.yaml:4:3", "bId is not declared", "declare bId"),
		rel("unknown target", "\tcs: {type: hasMany, model: C}\n", "relations.cs.model", "m.yaml:4:3", `unknown model "C"`, "A, B"),
		rel("unknown through", "\tbs: {type: hasMany, model: B, through: AB}\n", "relations.bs.through", "m.yaml:4:3", `unknown model "AB"`, "A, B"),
		rel("name of a property", "\ttitle: {type: belongsTo, model: B}\n", "relations.title", "m.yaml:4:3", "has the name of a property", "rename"),
		rel("bad primaryKey", "\tbs: {type: hasMany, model: B, primaryKey: code}\n", "relations.bs.primaryKey", "m.yaml:4:3", `no property "code"`, "primaryKey:"),
		{name: "target without id", files: []string{"m.yaml", "name: A\nrelations: {b: {type: belongsTo, model: B}}\n", "b.yaml", "name: B\nidInjection: false\n"},
			field: "relations.b.primaryKey", pos: "m.yaml:2:13", msg: "model B has no id property", hint: "idInjection: true"},
	})
}

func TestDefinitionErrorsACLs(t *testing.T) {
	acl := func(name, acls, field, pos, msg, hint string) defErrCase {
		return one(name, "name: A\nacls:\n"+acls, field, pos, msg, hint)
	}
	runDefErrCases(t, []defErrCase{
		one("not list", "name: A\nacls: {a: 1}\n", "acls", "m.yaml:2:1", "must be a list", "principalType"),
		acl("unknown key", "\t- {principalType: ROLE, principalId: x, permission: ALLOW, model: A}\n", "acls[0].model", "m.yaml:3:62", `unknown ACL key "model"`, "accessType"),
		acl("bad permission", "\t- {principalType: ROLE, principalId: x, permission: PERMIT}\n", "acls[0].permission", "m.yaml:3:43", `invalid value "PERMIT"`, "ALLOW, DENY, DEFAULT, ALARM, AUDIT"),
		acl("bad accessType", "\t- {principalType: ROLE, principalId: x, permission: ALLOW, accessType: DELETE}\n", "acls[0].accessType", "m.yaml:3:62", `invalid value "DELETE"`, "READ, WRITE, EXECUTE, REPLICATE, *"),
		acl("missing principalType", "\t- {principalId: x, permission: ALLOW}\n", "acls[0].principalType", "m.yaml:3:5", "missing principalType", "ROLE"),
		acl("missing principalId", "\t- {principalType: ROLE, permission: ALLOW}\n", "acls[0].principalId", "m.yaml:3:5", "missing principalId", "$everyone"),
		acl("missing permission", "\t- {principalType: ROLE, principalId: x}\n", "acls[0].permission", "m.yaml:3:5", "missing permission", "ALLOW or DENY"),
		acl("bad principalType", "\t- {principalType: 'RO LE', principalId: x, permission: ALLOW}\n", "acls[0].principalType", "m.yaml:3:6", "invalid principalType", "user model"),
		acl("unknown principal model", "\t- {principalType: ROEL, principalId: x, permission: ALLOW}\n", "acls[0].principalType", "m.yaml:3:5", `"ROEL" is neither ROLE`, "user model"),
		acl("property not string", "\t- {principalType: ROLE, principalId: x, permission: ALLOW, property: [1]}\n", "acls[0].property[0]", "m.yaml:3:73", "must be a string", "property: create"),
		acl("principalId list", "\t- {principalType: ROLE, principalId: [x], permission: ALLOW}\n", "acls[0].principalId", "m.yaml:3:27", "must be a string", "$everyone"),
	})
}

func TestDefinitionErrorsMethods(t *testing.T) {
	meth := func(name, methods, field, pos, msg, hint string) defErrCase {
		return one(name, "name: A\nmethods:\n"+methods, field, pos, msg, hint)
	}
	runDefErrCases(t, []defErrCase{
		one("not mapping", "name: A\nmethods: [a]\n", "methods", "m.yaml:2:1", "must be a mapping", "accepts"),
		meth("bad name", "\ta.b: {}\n", "methods.a.b", "m.yaml:3:3", "invalid method name", "prototype.publish"),
		meth("unknown key", "\tgo: {acepts: []}\n", "methods.go.acepts", "m.yaml:3:8", `unknown method key "acepts"`, "accepts"),
		meth("accepts scalar", "\tgo: {accepts: x}\n", "methods.go.accepts", "m.yaml:3:8", "must be a list", "accepts: [{arg"),
		meth("arg without name", "\tgo: {accepts: [{type: string}]}\n", "methods.go.accepts[0].arg", "m.yaml:3:18", "missing arg name", "arg: <name>"),
		meth("accepts root", "\tgo: {accepts: {arg: a, root: true}}\n", "methods.go.accepts.root", "m.yaml:3:26", `unknown key "root"`, "required, description or http"),
		meth("returns required", "\tgo: {returns: {arg: a, required: true}}\n", "methods.go.returns.required", "m.yaml:3:26", `unknown key "required"`, "arg, type, root"),
		meth("returns no name", "\tgo: {returns: {type: string}}\n", "methods.go.returns.arg", "m.yaml:3:17", "missing arg name", "arg:"),
		meth("unknown arg type", "\tgo: {accepts: {arg: a, type: 'str ing'}}\n", "methods.go.accepts.type", "m.yaml:3:26", "invalid type", "model name"),
		meth("unknown model type", "\tgo: {accepts: {arg: a, type: Nope}}\n", "methods.go.accepts[0].type", "m.yaml:3:3", `unknown type "Nope"`, "model name"),
		meth("unknown item model", "\tprototype.go: {returns: {arg: a, type: [Nope]}}\n", "methods.prototype.go.returns[0].type", "m.yaml:3:3", `unknown type "Nope"`, "model name"),
		meth("http source string", "\tgo: {accepts: {arg: o, http: optionsFromRequest}}\n", "methods.go.accepts.http", "m.yaml:3:26", "must be a mapping", "source:"),
		meth("unknown source", "\tgo: {accepts: {arg: o, http: {source: cookie}}}\n", "methods.go.accepts.http.source", "m.yaml:3:33", `unknown source "cookie"`, "body|form"),
		meth("unknown verb", "\tgo: {http: {verb: fetch}}\n", "methods.go.http.verb", "m.yaml:3:15", `unknown verb "fetch"`, "get, post"),
		meth("bad status", "\tgo: {http: {status: 99}}\n", "methods.go.http.status", "m.yaml:3:15", "invalid HTTP status 99", "between 100 and 599"),
		meth("bad path", "\tgo: {http: {path: 'a b'}}\n", "methods.go.http.path", "m.yaml:3:15", "invalid route path", "/:id/publish"),
		meth("route list item", "\tgo: {http: [{verb: get}, {verb: x}]}\n", "methods.go.http[1].verb", "m.yaml:3:29", `unknown verb "x"`, "get"),
		meth("bad accessType", "\tgo: {accessType: DELETE}\n", "methods.go.accessType", "m.yaml:3:8", `invalid value "DELETE"`, "READ, WRITE, EXECUTE, REPLICATE"),
		meth("isStatic contradiction", "\tprototype.go: {isStatic: true}\n", "methods.prototype.go.isStatic", "m.yaml:3:18", "contradicts", "prototype.go"),
	})
}

func TestDefinitionErrorsInheritance(t *testing.T) {
	runDefErrCases(t, []defErrCase{
		{name: "unknown base", files: []string{"a.yaml", "name: A\n", "m.yaml", "name: B\nbase: Usr\n"},
			field: "base", pos: "m.yaml:2:1", msg: `unknown base model "Usr"`, hint: "PersistedModel, Model, A, B"},
		{name: "cycle", files: []string{"m.yaml", "name: A\nbase: B\n", "b.yaml", "name: B\nbase: C\n", "c.yaml", "name: C\nbase: A\n"},
			field: "base", pos: "m.yaml:2:1", msg: "cycle: A -> B -> C -> A", hint: "PersistedModel"},
		{name: "child adds second id", files: []string{"a.yaml", "name: A\n", "m.yaml", "name: B\nbase: A\nproperties:\n  code: {type: string, id: true}\n"},
			field: "properties.code", pos: "m.yaml:4:3", msg: "more than one id property (id and code)", hint: "unique: true"},
	})
}
