package schema

import (
	"unicode"
	"unicode/utf8"
)

// DefaultForeignKey is LoopBack's default name of a key pointing at a model: the model's name
// with its first letter in lower case, plus "Id" (UserProfile -> userProfileId). hasOne,
// hasMany, the through model of hasManyThrough and hasAndBelongsToMany use it.
func DefaultForeignKey(model string) string { return lowerFirst(model) + "Id" }

// DefaultBelongsToKey is LoopBack's default foreign key of a belongsTo relation (and of a
// polymorphic relation's name): the relation's name as written, plus "Id" (owner -> ownerId).
func DefaultBelongsToKey(relation string) string { return relation + "Id" }

// ForeignKeyName returns the relation's foreign key, or its default when none is written:
// DefaultBelongsToKey of its name for belongsTo, DefaultForeignKey of from (the model declaring
// the relation) for the others. Resolved relations always have their key written.
func (r *Relation) ForeignKeyName(from string) string {
	switch {
	case r.ForeignKey != "":
		return r.ForeignKey
	case r.Type == BelongsTo:
		return DefaultBelongsToKey(r.Name)
	}
	return DefaultForeignKey(from)
}

// KeyThroughName returns the through model's key to the target (keyThrough), or its default,
// DefaultForeignKey of the target model.
func (r *Relation) KeyThroughName() string {
	if r.KeyThrough != "" {
		return r.KeyThrough
	}
	return DefaultForeignKey(r.Model)
}

// lowerFirst lower-cases the first letter: UserProfile -> userProfile (LoopBack's camelize).
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}
