package framework

import (
	"context"
	"net/http"

	"github.com/loopgo/loopgo/framework/apierr"

	"github.com/loopgo/loopgo/framework/filter"
	"github.com/loopgo/loopgo/framework/rest"
	"github.com/loopgo/loopgo/framework/schema"
	"github.com/loopgo/loopgo/framework/store"
)

// Func implements a remote method declared in a model's YAML.
type Func = rest.Func

// Call is one invocation of a remote method.
type Call = rest.Call

// Record is one model instance.
type Record = schema.Record

// Model is a handle on a model by name, usable before and after Setup.
type Model struct {
	app   *App
	name  string
	impls map[string]rest.Func
}

// Model returns the handle of a model (it need not be defined yet).
func (a *App) Model(name string) *Model {
	if h, ok := a.handles[name]; ok {
		return h
	}
	h := &Model{app: a, name: name, impls: map[string]rest.Func{}}
	a.handles[name] = h
	return h
}

// Name returns the model name.
func (m *Model) Name() string { return m.name }

// Definition returns the resolved definition (after Setup), or nil.
func (m *Model) Definition() *schema.Model { return m.app.reg.Model(m.name) }

// Method binds the Go implementation of a declared remote method ("name" or "prototype.name").
func (m *Model) Method(name string, fn Func) *Model {
	m.impls[name] = fn
	return m
}

// Observe registers an operation hook ("access", "before save", "after save", "loaded",
// "persist", "before delete", "after delete"); it also fires for models extending this one.
func (m *Model) Observe(hook string, fn store.Hook) *Model {
	m.app.addObserver(observer{model: m.name, hook: hook, fn: fn})
	return m
}

// BeforeRemote registers a remote hook before methods of this model matching pattern
// ("create", "prototype.*", "*", "**").
func (m *Model) BeforeRemote(pattern string, fn rest.RemoteHook) *Model {
	m.app.addRemoteHook(remoteHook{kind: "before", pattern: m.name + "." + pattern, fn: fn})
	return m
}

// AfterRemote registers a remote hook after successful methods matching pattern.
func (m *Model) AfterRemote(pattern string, fn rest.RemoteHook) *Model {
	m.app.addRemoteHook(remoteHook{kind: "after", pattern: m.name + "." + pattern, fn: fn})
	return m
}

// AfterRemoteError registers a remote hook after failed methods matching pattern.
func (m *Model) AfterRemoteError(pattern string, fn rest.RemoteHook) *Model {
	m.app.addRemoteHook(remoteHook{kind: "error", pattern: m.name + "." + pattern, fn: fn})
	return m
}

func (m *Model) def() (*schema.Model, *store.Store, error) {
	d := m.app.reg.Model(m.name)
	st := m.app.attached[m.name]
	if d == nil || st == nil {
		return nil, nil, errNotAttached(m.name)
	}
	return d, st, nil
}

// Create validates and inserts one record.
func (m *Model) Create(ctx context.Context, data map[string]any) (Record, error) {
	d, st, err := m.def()
	if err != nil {
		return nil, err
	}
	return st.Create(ctx, d, data)
}

// FindOrCreate returns the record matching where, creating it from data when there is none
// (created reports which). When a uniqueness rule refuses the create because a concurrent caller
// won, that caller's record is returned: seeding run by several instances at once is safe for
// models whose where matches a unique property.
func (m *Model) FindOrCreate(ctx context.Context, where, data map[string]any) (rec Record, created bool, err error) {
	find := func() (Record, error) { return m.FindOne(ctx, map[string]any{"where": where}) }
	if rec, err = find(); err != nil || rec != nil {
		return rec, false, err
	}
	rec, err = m.Create(ctx, data)
	if err == nil {
		return rec, true, nil
	}
	if apierr.From(err).StatusCode == http.StatusUnprocessableEntity {
		if winner, ferr := find(); ferr == nil && winner != nil {
			return winner, false, nil
		}
	}
	return nil, false, err
}

// query resolves the model and parses a filter given as a decoded JSON value.
func (m *Model) query(rawFilter any) (*schema.Model, *store.Store, *filter.Filter, error) {
	d, st, err := m.def()
	if err != nil {
		return nil, nil, nil, err
	}
	f, err := filter.Parse(rawFilter, d, m.app.reg)
	return d, st, f, err
}

// Find returns the records matching a LoopBack filter given as a decoded JSON value (nil = all).
func (m *Model) Find(ctx context.Context, rawFilter any) ([]Record, error) {
	d, st, f, err := m.query(rawFilter)
	if err != nil {
		return nil, err
	}
	return st.Find(ctx, d, f)
}

// FindOne returns the first record matching a filter, or nil.
func (m *Model) FindOne(ctx context.Context, rawFilter any) (Record, error) {
	d, st, f, err := m.query(rawFilter)
	if err != nil {
		return nil, err
	}
	return st.FindOne(ctx, d, f)
}

// FindByID returns the record with that id, or nil.
func (m *Model) FindByID(ctx context.Context, id any) (Record, error) {
	d, st, err := m.def()
	if err != nil {
		return nil, err
	}
	return st.FindByID(ctx, d, id, nil)
}

// PatchByID applies a partial update and returns the record.
func (m *Model) PatchByID(ctx context.Context, id any, data map[string]any) (Record, error) {
	d, st, err := m.def()
	if err != nil {
		return nil, err
	}
	return st.PatchByID(ctx, d, id, data)
}

// Count counts the records matching a where object (nil = all).
func (m *Model) Count(ctx context.Context, rawWhere any) (int64, error) {
	d, st, err := m.def()
	if err != nil {
		return 0, err
	}
	w, err := filter.ParseWhere(rawWhere, d)
	if err != nil {
		return 0, err
	}
	return st.Count(ctx, d, w)
}

// DeleteByID deletes one record and returns how many were deleted.
func (m *Model) DeleteByID(ctx context.Context, id any) (int64, error) {
	d, st, err := m.def()
	if err != nil {
		return 0, err
	}
	return st.DeleteByID(ctx, d, id)
}

// RemoveValidations drops every validation of a property on this model: presence, format and
// uniqueness (LoopBack's `delete User.validations.email`), e.g. to make email optional.
func (m *Model) RemoveValidations(prop string) {
	if d := m.Definition(); d != nil {
		d.RemoveValidations(prop)
	}
}

// Instance wraps a record of this model for a remote method's result, so that it is serialised
// with the model's rules (hidden properties removed).
func (m *Model) Instance(rec Record) any {
	if rec == nil {
		return nil
	}
	return rest.Instance{Model: m.Definition(), Rec: rec}
}
