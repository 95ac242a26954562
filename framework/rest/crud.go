package rest

import (
	"context"
	"fmt"
	"net/http"
	"path"
	"strings"

	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/filter"
	"github.com/loopgo/loopgo/framework/schema"
	"github.com/loopgo/loopgo/framework/store"
)

// crud builds PersistedModel's methods for one model.
type crud struct {
	m      *schema.Model
	st     *store.Store
	models filter.Models
}

var (
	argID     = schema.Arg{Name: "id", Type: schema.Any, Required: true, Source: "path"}
	argFilter = schema.Arg{Name: "filter", Type: schema.Object, Source: "query"}
	argWhere  = schema.Arg{Name: "where", Type: schema.Object, Source: "query"}
	argData   = schema.Arg{Name: "data", Type: schema.Object, Source: "body"}
	retRoot   = []schema.Arg{{Name: "data", Type: schema.Object, Root: true}}
)

func rt(verb, p string) schema.Route { return schema.Route{Verb: verb, Path: p} }

// PersistedMethods returns LoopBack's PersistedModel methods for m (spec 4.1), all shared
// except destroyAll; models resolves include scopes.
func PersistedMethods(m *schema.Model, st *store.Store, models filter.Models) []*Method {
	c := &crud{m: m, st: st, models: models}
	replacePUT := m.ReplaceOnPUT
	patchRoutes := []schema.Route{rt("patch", "/")}
	replaceRoutes := []schema.Route{rt("post", "/replaceOrCreate")}
	patchAttrRoutes := []schema.Route{rt("patch", "/")}
	replaceByIDRoutes := []schema.Route{rt("post", "/:id/replace")}
	if replacePUT {
		replaceRoutes = append([]schema.Route{rt("put", "/")}, replaceRoutes...)
		replaceByIDRoutes = append([]schema.Route{rt("put", "/:id")}, replaceByIDRoutes...)
	} else {
		patchRoutes = append(patchRoutes, rt("put", "/"))
		patchAttrRoutes = append(patchAttrRoutes, rt("put", "/"))
	}
	dataAny := argData
	dataAny.Type = schema.Any
	countRet := []schema.Arg{{Name: "count", Type: schema.Object, Root: true}}
	ms := []*Method{
		{Name: "create", Static: true, Routes: []schema.Route{rt("post", "/")}, Accepts: []schema.Arg{dataAny}, Returns: retRoot, AccessType: "WRITE", Fn: c.create},
		{Name: "patchOrCreate", Aliases: []string{"upsert", "updateOrCreate"}, Static: true, Routes: patchRoutes, Accepts: []schema.Arg{argData}, Returns: retRoot, AccessType: "WRITE", Fn: c.withData(st.PatchOrCreate)},
		{Name: "replaceOrCreate", Static: true, Routes: replaceRoutes, Accepts: []schema.Arg{argData}, Returns: retRoot, AccessType: "WRITE", Fn: c.withData(st.ReplaceOrCreate)},
		{Name: "upsertWithWhere", Aliases: []string{"patchOrCreateWithWhere"}, Static: true, Routes: []schema.Route{rt("post", "/upsertWithWhere")}, Accepts: []schema.Arg{argWhere, argData}, Returns: retRoot, AccessType: "WRITE", Fn: c.upsertWithWhere},
		{Name: "exists", Static: true, Routes: []schema.Route{rt("get", "/:id/exists"), rt("head", "/:id")}, Accepts: []schema.Arg{argID}, Returns: []schema.Arg{{Name: "exists", Type: schema.Boolean}}, AccessType: "READ", Fn: c.exists},
		{Name: "findById", Static: true, Routes: []schema.Route{rt("get", "/:id")}, Accepts: []schema.Arg{argID, argFilter}, Returns: retRoot, AccessType: "READ", Fn: c.findByID, NotFoundOnNil: true},
		{Name: "replaceById", Static: true, Routes: replaceByIDRoutes, Accepts: []schema.Arg{argID, argData}, Returns: retRoot, AccessType: "WRITE", Fn: c.replaceByID},
		{Name: "find", Static: true, Routes: []schema.Route{rt("get", "/")}, Accepts: []schema.Arg{argFilter}, Returns: retRoot, AccessType: "READ", Fn: c.find},
		{Name: "findOne", Static: true, Routes: []schema.Route{rt("get", "/findOne")}, Accepts: []schema.Arg{argFilter}, Returns: retRoot, AccessType: "READ", Fn: c.findOne, NotFoundOnNil: true},
		{Name: "destroyAll", Aliases: []string{"deleteAll", "remove"}, Static: true, Routes: []schema.Route{rt("delete", "/")}, Accepts: []schema.Arg{argWhere}, Returns: countRet, AccessType: "WRITE", Fn: c.destroyAll},
		{Name: "updateAll", Aliases: []string{"update"}, Static: true, Routes: []schema.Route{rt("post", "/update")}, Accepts: []schema.Arg{argWhere, argData}, Returns: countRet, AccessType: "WRITE", Fn: c.updateAll},
		{Name: "deleteById", Aliases: []string{"destroyById", "removeById"}, Static: true, Routes: []schema.Route{rt("delete", "/:id")}, Accepts: []schema.Arg{argID}, Returns: countRet, AccessType: "WRITE", Fn: c.deleteByID},
		{Name: "count", Static: true, Routes: []schema.Route{rt("get", "/count")}, Accepts: []schema.Arg{argWhere}, Returns: countRet, AccessType: "READ", Fn: c.count},
		{Name: "patchAttributes", Aliases: []string{"updateAttributes"}, Static: false, Routes: patchAttrRoutes, Accepts: []schema.Arg{argData}, Returns: retRoot, AccessType: "WRITE", Fn: c.patchAttributes},
	}
	for _, mt := range ms {
		mt.Model = m
		mt.Shared = mt.Name != "destroyAll"
	}
	return ms
}

func (c *crud) inst(r schema.Record) any {
	if r == nil {
		return nil
	}
	return Instance{Model: c.m, Rec: r}
}

func (c *crud) filterArg(ctx context.Context, call *Call) (*filter.Filter, error) {
	return call.ParseFilter(ctx, c.m, c.models)
}

func (c *crud) whereArg(ctx context.Context, call *Call) (filter.Cond, error) {
	return call.ParseWhere(ctx, c.m, c.models)
}

func dataArg(call *Call) (map[string]any, error) {
	v, ok := call.Args["data"]
	if !ok || v == nil {
		return map[string]any{}, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, apierr.BadRequest("", "Value is not an object.")
	}
	return m, nil
}

// idArg converts the id argument to the model's id type; ok is false when it cannot exist.
func (c *crud) idArg(call *Call) (any, bool) {
	raw := call.Args["id"]
	if s, ok := raw.(string); ok {
		id := normalizeID(c.m, s)
		return id, id != nil
	}
	if f, ok := raw.(float64); ok {
		id := normalizeID(c.m, fmt.Sprint(f))
		return id, id != nil
	}
	return raw, raw != nil
}

func (c *crud) create(ctx context.Context, call *Call) (any, error) {
	switch data := call.Args["data"].(type) {
	case nil:
		return c.createOne(ctx, map[string]any{})
	case map[string]any:
		return c.createOne(ctx, data)
	case []any:
		out := make([]Instance, 0, len(data))
		err := c.st.Transaction(ctx, func(ctx context.Context) error {
			for _, item := range data {
				obj, ok := item.(map[string]any)
				if !ok {
					return apierr.BadRequest("", "Value is not an object.")
				}
				rec, err := c.st.Create(ctx, c.m, obj)
				if err != nil {
					return err
				}
				out = append(out, Instance{Model: c.m, Rec: rec})
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		return out, nil
	default:
		return nil, apierr.BadRequest("", "Value is not an object.")
	}
}

func (c *crud) createOne(ctx context.Context, data map[string]any) (any, error) {
	rec, err := c.st.Create(ctx, c.m, data)
	if err != nil {
		return nil, err
	}
	return c.inst(rec), nil
}

// withData serves a method that writes the body data with one store operation.
func (c *crud) withData(op func(ctx context.Context, m *schema.Model, data map[string]any) (schema.Record, error)) Func {
	return func(ctx context.Context, call *Call) (any, error) {
		data, err := dataArg(call)
		if err != nil {
			return nil, err
		}
		rec, err := op(ctx, c.m, data)
		return c.inst(rec), err
	}
}

func (c *crud) upsertWithWhere(ctx context.Context, call *Call) (any, error) {
	where, err := c.whereArg(ctx, call)
	if err != nil {
		return nil, err
	}
	data, err := dataArg(call)
	if err != nil {
		return nil, err
	}
	rec, err := c.st.UpsertWithWhere(ctx, c.m, where, data)
	return c.inst(rec), err
}

func (c *crud) exists(ctx context.Context, call *Call) (any, error) {
	id, ok := c.idArg(call)
	found := false
	if ok {
		var err error
		if found, err = c.st.Exists(ctx, c.m, id); err != nil {
			return nil, err
		}
	}
	if call.Request().Method == http.MethodHead && !found {
		return nil, apierr.NotFound("Unknown %q id %q.", c.m.Name, fmt.Sprint(call.Args["id"]))
	}
	return found, nil
}

func (c *crud) findByID(ctx context.Context, call *Call) (any, error) {
	f, err := c.filterArg(ctx, call)
	if err != nil {
		return nil, err
	}
	id, ok := c.idArg(call)
	if !ok {
		return nil, nil
	}
	rec, err := c.st.FindByID(ctx, c.m, id, f)
	return c.inst(rec), err
}

func (c *crud) replaceByID(ctx context.Context, call *Call) (any, error) {
	data, err := dataArg(call)
	if err != nil {
		return nil, err
	}
	id, ok := c.idArg(call)
	if !ok {
		return nil, apierr.NotFound("Could not replace. Object with id %v does not exist!", call.Args["id"])
	}
	rec, err := c.st.ReplaceByID(ctx, c.m, id, data)
	return c.inst(rec), err
}

func (c *crud) find(ctx context.Context, call *Call) (any, error) {
	f, err := c.filterArg(ctx, call)
	if err != nil {
		return nil, err
	}
	recs, err := c.st.Find(ctx, c.m, f)
	if err != nil {
		return nil, err
	}
	if recs == nil {
		recs = []schema.Record{}
	}
	return Instances{Model: c.m, Recs: recs}, nil
}

func (c *crud) findOne(ctx context.Context, call *Call) (any, error) {
	f, err := c.filterArg(ctx, call)
	if err != nil {
		return nil, err
	}
	rec, err := c.st.FindOne(ctx, c.m, f)
	return c.inst(rec), err
}

func (c *crud) destroyAll(ctx context.Context, call *Call) (any, error) {
	where, err := c.whereArg(ctx, call)
	if err != nil {
		return nil, err
	}
	n, err := c.st.DeleteAll(ctx, c.m, where)
	return map[string]any{"count": n}, err
}

func (c *crud) updateAll(ctx context.Context, call *Call) (any, error) {
	where, err := c.whereArg(ctx, call)
	if err != nil {
		return nil, err
	}
	data, err := dataArg(call)
	if err != nil {
		return nil, err
	}
	n, err := c.st.UpdateAll(ctx, c.m, where, data)
	return map[string]any{"count": n}, err
}

func (c *crud) deleteByID(ctx context.Context, call *Call) (any, error) {
	id, ok := c.idArg(call)
	var n int64
	if ok {
		var err error
		if n, err = c.st.DeleteByID(ctx, c.m, id); err != nil {
			return nil, err
		}
	}
	if n == 0 && c.m.BoolSetting("strictDelete", false) {
		return nil, apierr.New(404, "NOT_FOUND", "No instance with id %v found for %s", call.Args["id"], c.m.Name)
	}
	return map[string]any{"count": n}, nil
}

func (c *crud) count(ctx context.Context, call *Call) (any, error) {
	where, err := c.whereArg(ctx, call)
	if err != nil {
		return nil, err
	}
	n, err := c.st.Count(ctx, c.m, where)
	return map[string]any{"count": n}, err
}

func (c *crud) patchAttributes(ctx context.Context, call *Call) (any, error) {
	data, err := dataArg(call)
	if err != nil {
		return nil, err
	}
	rec, err := c.st.PatchByID(ctx, c.m, call.InstanceID, data)
	return c.inst(rec), err
}

// ApplySharedMethods sets Shared from LoopBack's sharedMethods maps (boolean values, "*" globs,
// exact names beat globs, "prototype.x" for instance methods); later maps win.
func ApplySharedMethods(methods []*Method, maps ...map[string]bool) {
	for _, mt := range methods {
		name := mt.SharedName()
		for _, sm := range maps {
			if v, ok := sm[name]; ok {
				mt.Shared = v
				continue
			}
			for _, alias := range mt.Aliases {
				if v, ok := sm[alias]; ok {
					mt.Shared = v
				}
			}
			for pat, v := range sm {
				if !strings.Contains(pat, "*") {
					continue
				}
				if pat == "*" {
					mt.Shared = v
					continue
				}
				if ok, _ := path.Match(strings.ReplaceAll(pat, ".", "/"), strings.ReplaceAll(name, ".", "/")); ok {
					mt.Shared = v
				}
			}
		}
	}
}
