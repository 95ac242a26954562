// Package filter holds LoopBack's filter language: parsing from JSON values and from bracket query
// syntax into an AST, validated and coerced against a model's schema. It is pure: no I/O.
package filter

import "github.com/loopgo/loopgo/framework/schema"

// Filter is a parsed, validated LoopBack filter.
type Filter struct {
	Where   Cond      // nil = every record
	Fields  *Fields   // nil = every (visible) property
	Order   []Order   // empty = by id ascending
	Limit   int       // 0 = no limit
	Skip    int       // 0 = from the first
	Include []Include // relations to fetch alongside (served by store)
}

// Fields selects properties: Include when non-empty, else everything but Exclude.
type Fields struct {
	Include []string
	Exclude []string
}

// Order is one sort key.
type Order struct {
	Property string
	Desc     bool
}

// Include is one relation to include, with an optional scope filter on the related model.
type Include struct {
	Relation string
	Scope    *Filter          // nil = no scope
	Rel      *schema.Relation // the relation (set by Parse; nil in filters built without it)
	Target   *schema.Model    // the related model (set by Parse when its Models knows it)
	Through  *schema.Model    // the join model of a through relation (set like Target)
}

// Cond is a node of a where clause: And, Or, *Cmp or *Related.
type Cond interface{ isCond() }

// And holds when every child holds.
type And []Cond

// Or holds when any child holds.
type Or []Cond

// Op is a comparison operator.
type Op string

// Comparison operators of LoopBack's where clause.
const (
	Eq      Op = "eq"
	Neq     Op = "neq"
	Gt      Op = "gt"
	Gte     Op = "gte"
	Lt      Op = "lt"
	Lte     Op = "lte"
	Between Op = "between"
	Inq     Op = "inq"
	Nin     Op = "nin"
	Like    Op = "like"
	NLike   Op = "nlike"
	ILike   Op = "ilike"
	NILike  Op = "nilike"
	Regexp  Op = "regexp"
)

// Cmp compares one property (or a dot path into an object property) with a value.
type Cmp struct {
	Property string           // the model property
	Path     []string         // keys below an object/any property for dot paths ("a.b.c" -> Property a, Path [b c])
	Prop     *schema.Property // the declared property (nil for undeclared properties of non-strict models)
	Op       Op
	Value    any    // coerced to Prop's type; nil means SQL NULL for Eq/Neq
	Values   []any  // Between (2 items), Inq, Nin
	Flags    string // Regexp flags: subset of "igm"
}

// Related holds when at least one record related through Relation matches Where (a condition
// on the related model; nil = any related record). It is written {"owner.email": v} or
// {"owner": {"email": v}} in a where clause, and the store translates it to an EXISTS subquery.
type Related struct {
	Relation string           // the relation's name on the model the condition applies to
	Rel      *schema.Relation // the relation
	Target   *schema.Model    // the related model (for through relations: the far end)
	Through  *schema.Model    // the join model of a through relation, else nil
	Where    Cond             // condition on Target
}

func (And) isCond()      {}
func (Or) isCond()       {}
func (*Cmp) isCond()     {}
func (*Related) isCond() {}
