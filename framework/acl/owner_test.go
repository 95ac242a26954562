package acl

import "testing"

// TestOwnerOf is role.test.js "$owner role resolver" as a truth table (spec 3.7, check 40).
func TestOwnerOf(t *testing.T) {
	userRel := []OwnerRelation{{Name: "user", ForeignKey: "userId"}}
	twoRels := []OwnerRelation{{Name: "author", ForeignKey: "authorId"}, {Name: "editor"}}
	tests := []struct {
		name           string
		inst           map[string]any
		rels           []OwnerRelation
		ownerRelations any
		userID         string
		want           bool
	}{
		{"legacy userId string", map[string]any{"userId": "1"}, nil, nil, "1", true},
		{"legacy userId number", map[string]any{"userId": int64(1)}, nil, nil, "1", true},
		{"legacy userId float", map[string]any{"userId": float64(12)}, nil, nil, "12", true},
		{"legacy userId other user", map[string]any{"userId": "2"}, nil, nil, "1", false},
		{"legacy owner property", map[string]any{"owner": "1"}, nil, nil, "1", true},
		{"legacy userId wins over owner", map[string]any{"userId": "2", "owner": "1"}, nil, nil, "1", false},
		{"legacy userId set skips relations", map[string]any{"userId": "2", "authorId": "1"}, twoRels, false, "1", false},
		{"legacy first belongsTo", map[string]any{"authorId": "1"}, twoRels, nil, "1", true},
		{"legacy only first belongsTo", map[string]any{"editorId": "1"}, twoRels, nil, "1", false},
		{"legacy nothing", map[string]any{"title": "x"}, nil, nil, "1", false},
		{"legacy included owner object ignored", map[string]any{"owner": map[string]any{"id": "1"}}, nil, nil, "1", false},
		{"no user id", map[string]any{"userId": "1"}, nil, nil, "", false},
		{"nil instance", nil, userRel, true, "1", false},
		{"ownerRelations true, any relation", map[string]any{"editorId": 1}, twoRels, true, "1", true},
		{"ownerRelations true, none matches", map[string]any{"authorId": 2, "editorId": 3}, twoRels, true, "1", false},
		{"ownerRelations true, no belongsTo ignores userId", map[string]any{"userId": "1"}, nil, true, "1", false},
		{"ownerRelations list restricts", map[string]any{"editorId": "1"}, twoRels, []string{"author"}, "1", false},
		{"ownerRelations list allows", map[string]any{"editorId": "1"}, twoRels, []any{"editor"}, "1", true},
		{"ownerRelations empty list", map[string]any{"authorId": "1"}, twoRels, []string{}, "1", false},
		{"ownerRelations other value counts none", map[string]any{"authorId": "1"}, twoRels, "yes", "1", false},
		{"ownerRelations via default foreign key", map[string]any{"editorId": "1"}, []OwnerRelation{{Name: "editor"}}, true, "1", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := OwnerOf(tt.inst, tt.rels, tt.ownerRelations, tt.userID); got != tt.want {
				t.Fatalf("OwnerOf = %v, want %v", got, tt.want)
			}
		})
	}
}
