package acl

import "testing"

func TestAccessTypeOf(t *testing.T) {
	tests := []struct {
		name     string
		explicit string
		verbs    []string
		want     string
	}{
		{"create", "", []string{"post"}, WRITE},
		{"patchOrCreate", "", []string{"patch", "put"}, WRITE},
		{"replaceOrCreate", "", []string{"post"}, WRITE},
		{"upsertWithWhere", "", []string{"post"}, WRITE},
		{"replaceById", "", []string{"put", "post"}, WRITE},
		{"updateAll", "", []string{"post"}, WRITE},
		{"deleteById", "", []string{"delete"}, WRITE},
		{"destroyAll", "", []string{"delete"}, WRITE},
		{"prototype.patchAttributes", "", []string{"patch", "put"}, WRITE},
		{"patchAttributes", "", []string{"patch"}, WRITE},
		{"find", "", []string{"get"}, READ},
		{"findOne", "", []string{"get"}, READ},
		{"findById", "", []string{"get"}, READ},
		{"exists", "", []string{"get", "head"}, READ},
		{"count", "", []string{"get"}, READ},
		{"createChangeStream", "", []string{"post", "get"}, READ},
		{"checkpoint", "", []string{"post"}, REPLICATE},
		{"__get__notes", "", []string{"get"}, READ},
		{"prototype.__get__owner", "", []string{"get"}, READ},
		{"__findById__notes", "", []string{"get"}, READ},
		{"__count__notes", "", []string{"get"}, READ},
		{"__exists__tags", "", []string{"head"}, READ},
		{"__create__notes", "", []string{"post"}, WRITE},
		{"__update__profile", "", []string{"put"}, WRITE},
		{"__destroy__profile", "", []string{"delete"}, WRITE},
		{"__delete__notes", "", []string{"delete"}, WRITE},
		{"__updateById__notes", "", []string{"put"}, WRITE},
		{"__destroyById__notes", "", []string{"delete"}, WRITE},
		{"__link__tags", "", []string{"put"}, WRITE},
		{"__unlink__tags", "", []string{"delete"}, WRITE},
		{"__frobnicate__tags", "", []string{"post"}, EXECUTE},
		{"__get__", "", []string{"post"}, EXECUTE},
		{"confirm", "", []string{"get"}, READ},
		{"login", "", []string{"post"}, EXECUTE},
		{"logout", "", []string{"all"}, EXECUTE},
		{"verify", "", []string{"post"}, EXECUTE},
		{"resetPassword", "", []string{"post"}, EXECUTE},
		{"changePassword", "", []string{"post"}, EXECUTE},
		{"setPassword", "", []string{"post"}, EXECUTE},
		{"publish", "", []string{"post"}, EXECUTE},
		{"stats", "", []string{"GET"}, READ},
		{"ping", "", []string{"head"}, READ},
		{"two routes with GET are not READ", "", []string{"get", "post"}, EXECUTE},
		{"no route", "", nil, EXECUTE},
		{"explicit wins over GET", WRITE, []string{"get"}, WRITE},
		{"explicit wins over built-in", EXECUTE, []string{"get"}, EXECUTE},
		{"explicit lower case", "read", []string{"post"}, READ},
		{"invalid explicit ignored", "BOGUS", []string{"post"}, EXECUTE},
		{"upsert", "", []string{"post"}, WRITE},
		{"updateOrCreate", "", []string{"post"}, WRITE},
		{"destroyById", "", []string{"post"}, WRITE},
		{"removeById", "", []string{"post"}, WRITE},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := AccessTypeOf(tt.name, tt.explicit, tt.verbs); got != tt.want {
				t.Fatalf("AccessTypeOf(%q, %q, %v) = %s, want %s", tt.name, tt.explicit, tt.verbs, got, tt.want)
			}
		})
	}
}
