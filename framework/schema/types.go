// Package schema holds Loopgo model definitions: the YAML model file format, inheritance through
// `base`, definition checks with file and line, property types, value coercion and validations.
// It is pure: no I/O beyond the bytes it is given, no HTTP, no database.
package schema

import "regexp"

// Record is one model instance: property name -> value already coerced to the property's Go type.
type Record = map[string]any

// Type is a property or argument type name as written in YAML.
type Type string

// Property and argument types. Go representations: String string, Number float64 (int64 for
// generated integer ids), Boolean bool, Date time.Time (UTC), Object map[string]any,
// Array []any, Any any JSON value, GeoPoint map[string]any{"lat":float64,"lng":float64}.
const (
	String   Type = "string"
	Number   Type = "number"
	Integer  Type = "integer" // remote method arguments only
	Boolean  Type = "boolean"
	Date     Type = "date"
	Object   Type = "object"
	Array    Type = "array"
	Any      Type = "any"
	GeoPoint Type = "geopoint"
)

// Pos is where a definition element was written.
type Pos struct {
	File   string
	Line   int
	Column int
}

// Property is one declared property of a model.
type Property struct {
	Name        string
	Type        Type
	Items       Type // element type when Type is Array ("" = any)
	Required    bool
	Default     any    // coerced to Type; nil when absent
	DefaultFn   string // "", "now", "uuid", "guid", "uuidv4"
	ID          bool
	Generated   bool // value assigned by the database (auto-increment) when ID
	Index       bool
	Unique      bool
	Description string
	Column      string // SQL column name; defaults to Name
	Pos         Pos
}

// StrictMode is the model's handling of properties it does not declare.
type StrictMode int

// Strict modes, as LoopBack's `strict` setting: false (keep), true (reject, 422), "filter" (drop).
const (
	StrictFalse StrictMode = iota
	StrictTrue
	StrictFilter
)

// Validation is one declared validation rule of a property.
type Validation struct {
	Property string
	Kind     string // presence, absence, length, format, inclusion, exclusion, numericality, uniqueness, email
	Min      *float64
	Max      *float64
	Is       *float64
	Pattern  *regexp.Regexp
	In       []any
	Int      bool   // numericality: integers only
	Message  string // optional override
	Pos      Pos
}

// Relation is one declared relation (served by later layers; definitions are parsed here).
type Relation struct {
	Name           string
	Type           string // belongsTo, hasOne, hasMany, hasAndBelongsToMany, embedsMany, referencesMany, ...
	Model          string
	ForeignKey     string
	PrimaryKey     string
	Through        string
	KeyThrough     string
	Scope          map[string]any
	DisableInclude bool
	Options        map[string]any
	Polymorphic    *Polymorphic // nil unless the relation is polymorphic
	Pos            Pos
}

// Polymorphic describes a polymorphic relation: the foreign key and the discriminator property
// holding the related model's name.
type Polymorphic struct {
	As            string // the polymorphic name (e.g. "imageable")
	ForeignKey    string // e.g. "imageableId"
	Discriminator string // e.g. "imageableType"
}

// ACL is one static ACL entry of a model definition.
type ACL struct {
	Property      []string // empty = all
	AccessType    string   // READ, WRITE, EXECUTE, REPLICATE, * ("" = *)
	PrincipalType string   // ROLE, USER, APP, SCOPE or a user model name
	PrincipalID   string
	Permission    string // ALLOW, DENY, DEFAULT, ALARM, AUDIT
	Pos           Pos
}

// Arg is one remote method argument (accepts) or return value (returns).
type Arg struct {
	Name        string
	Type        Type // may also be a model name
	Items       Type
	Required    bool
	Root        bool   // returns: the value is the whole body
	Source      string // body, form, query, path, header, req, context; "" = by name
	Description string
}

// Route is one HTTP route of a remote method.
type Route struct {
	Verb   string // get, post, put, patch, delete, head, all
	Path   string // relative to the model path (prototype methods: relative to /:id)
	Status int    // success status; 0 = 200 (204 when nothing returned)
}

// Method is a remote method declared in YAML under `methods:`.
type Method struct {
	Name         string // without "prototype."
	Static       bool
	Accepts      []Arg
	Returns      []Arg
	HTTP         []Route
	AccessType   string
	AccessScopes []string
	Description  string
	Notes        string
	Pos          Pos
}

// Model is a resolved model definition: inherited parts merged parent-first.
type Model struct {
	Name         string
	Base         string // declared base name
	Parent       *Model // nil when the base is PersistedModel or Model
	Persisted    bool   // derives from PersistedModel (gets a table and CRUD)
	Plural       string
	HTTPPath     string // URL segment(s) without leading slash; defaults to Plural
	Strict       StrictMode
	IDInjection  bool
	ForceID      bool
	ReplaceOnPUT bool
	Hidden       []string
	Protected    []string
	Settings     map[string]any // `options` merged with other top-level setting keys
	Properties   []*Property    // parent's first, then own, in file order
	Validations  []Validation
	Relations    []*Relation
	ACLs         []ACL
	Methods      []*Method
	Mixins       map[string]any
	Table        string // SQL table name; defaults to Name (exact case; the store quotes identifiers)
	Pos          Pos

	decl declared // what the definition itself wrote (for inheritance and late checks)
}
