package acl

import "github.com/loopgo/loopgo/framework/schema"

// OwnerRelation is a belongsTo relation of the target model whose target is a user model that
// the token's user can be (the framework passes only those, in declaration order).
type OwnerRelation struct {
	Name       string // relation name
	ForeignKey string // instance property holding the related user's id; "" = schema.DefaultBelongsToKey(Name)
}

// OwnerOf decides whether userID owns a loaded instance (spec 3.7 steps 3-4, role.test.js):
//   - ownerRelations unset or false (legacy): the instance's userId, or if that is empty its owner,
//     must equal userID; when both are empty only the first relation is checked;
//   - ownerRelations true: any relation matching grants ownership;
//   - ownerRelations a list of names ([]string or []any): only the named relations count;
//   - any other value: no relation counts (false).
//
// A relation matches when the instance's foreign key equals userID, which is what LoopBack's
// loading of the related user decides when the relation's primary key is the user's id.
func OwnerOf(inst map[string]any, rels []OwnerRelation, ownerRelations any, userID string) bool {
	if userID == "" || inst == nil {
		return false
	}
	if !schema.Truthy(ownerRelations) {
		if id := inst["userId"]; schema.Truthy(id) && isScalar(id) {
			return schema.IDString(id) == userID
		}
		if id := inst["owner"]; schema.Truthy(id) && isScalar(id) {
			return schema.IDString(id) == userID
		}
		if len(rels) == 0 {
			return false
		}
		return relatedIs(inst, rels[0], userID)
	}
	names, all := ownerRelationNames(ownerRelations)
	for _, r := range rels {
		if !all && !names[r.Name] {
			continue
		}
		if relatedIs(inst, r, userID) {
			return true
		}
	}
	return false
}

// ownerRelationNames reads the ownerRelations setting: true means all relations, a list names them.
func ownerRelationNames(v any) (map[string]bool, bool) {
	names := map[string]bool{}
	switch t := v.(type) {
	case bool:
		return names, t
	case []string:
		for _, n := range t {
			names[n] = true
		}
	case []any:
		for _, n := range t {
			if s, ok := n.(string); ok {
				names[s] = true
			}
		}
	}
	return names, false
}

// relatedIs reports whether the instance's foreign key for the relation equals userID.
func relatedIs(inst map[string]any, r OwnerRelation, userID string) bool {
	fk := r.ForeignKey
	if fk == "" {
		fk = schema.DefaultBelongsToKey(r.Name)
	}
	v := inst[fk]
	return schema.Truthy(v) && isScalar(v) && schema.IDString(v) == userID
}

// isScalar reports whether v can be an id (not an included object or a list).
func isScalar(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return false
	}
	return true
}
