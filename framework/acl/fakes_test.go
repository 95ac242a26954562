package acl

import (
	"context"
	"sync"

	"github.com/loopgo/loopgo/framework/schema"
)

// fakeMappings maps "TYPE:id" principals to role names and counts RolesOf calls.
type fakeMappings struct {
	mu    sync.Mutex
	roles map[string][]string
	calls int
	err   error
}

func (f *fakeMappings) RolesOf(_ context.Context, ps []Principal) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.err != nil {
		return nil, f.err
	}
	var out []string
	for _, p := range ps {
		out = append(out, f.roles[p.Type+":"+p.ID]...)
	}
	return out, nil
}

// fakeOwners says who owns "Model/id" and counts IsOwner calls.
type fakeOwners struct {
	mu    sync.Mutex
	owner map[string]string
	calls int
	err   error
}

func (f *fakeOwners) IsOwner(_ context.Context, model, modelID, userID string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.err != nil {
		return false, f.err
	}
	return f.owner[model+"/"+modelID] == userID, nil
}

// recordOwners applies OwnerOf to in-memory records, as the framework's Owners would.
type recordOwners struct {
	records        map[string]map[string]any // "Model/id" -> record
	rels           []OwnerRelation
	ownerRelations any
}

func (r recordOwners) IsOwner(_ context.Context, model, modelID, userID string) (bool, error) {
	inst, ok := r.records[model+"/"+modelID]
	if !ok {
		return false, nil
	}
	return OwnerOf(inst, r.rels, r.ownerRelations, userID), nil
}

// fakeDynamic returns fixed rows, counting calls and remembering the query.
type fakeDynamic struct {
	rows  []Entry
	calls int
	args  []any
	err   error
}

func (f *fakeDynamic) Find(_ context.Context, model, property string, aliases []string, accessType string) ([]Entry, error) {
	f.calls++
	f.args = []any{model, property, aliases, accessType}
	return f.rows, f.err
}

// rule builds a static ACL as a model file would declare it.
func rule(ptype, pid, perm, accessType string, props ...string) schema.ACL {
	return schema.ACL{PrincipalType: ptype, PrincipalID: pid, Permission: perm, AccessType: accessType, Property: props}
}

// role builds a ROLE static ACL.
func role(pid, perm, accessType string, props ...string) schema.ACL {
	return rule(ROLE, pid, perm, accessType, props...)
}
