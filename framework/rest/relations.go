package rest

import (
	"context"
	"fmt"
	"strings"

	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/filter"
	"github.com/loopgo/loopgo/framework/schema"
	"github.com/loopgo/loopgo/framework/store"
)

// StoreOf returns the datasource a model is attached to, or nil.
type StoreOf func(model string) *store.Store

// RelationMethods returns the REST methods of m's relations (spec 6.3): __get__rel, __create__rel,
// ... with LoopBack's routes under /:id/rel. Results are instances of the related model (so its
// hidden properties are removed), and each method names its relation and related model so that
// the related model's ACL can apply too. A relation whose models cannot be resolved (unknown or
// not persisted, polymorphic) gets no methods.
func RelationMethods(m *schema.Model, st *store.Store, models filter.Models, stores StoreOf) []*Method {
	var out []*Method
	for _, rel := range m.Relations {
		r, err := store.ResolveRelation(st, m, rel.Name, models, stores)
		if err != nil {
			continue
		}
		ra := &relationAPI{r: r, models: models, path: "/" + relationPath(rel)}
		var ms []*Method
		switch {
		case rel.Type == schema.BelongsTo:
			ms = ra.belongsTo()
		case rel.Type == schema.HasOne:
			ms = ra.hasOne()
		default:
			ms = ra.hasMany()
			if r.IsThrough() {
				ms = append(ms, ra.through()...)
			}
		}
		for _, mt := range ms {
			mt.Model, mt.Static, mt.Shared = m, false, true
			mt.Relation, mt.Target = rel, r.To
		}
		out = append(out, ms...)
	}
	return out
}

// relationPath is the URL segment of a relation: options.http.path, else its name.
func relationPath(rel *schema.Relation) string {
	if h, ok := rel.Options["http"].(map[string]any); ok {
		if p, ok := h["path"].(string); ok && strings.Trim(p, "/") != "" {
			return strings.Trim(p, "/")
		}
	}
	return rel.Name
}

// relationAPI builds and serves the methods of one relation.
type relationAPI struct {
	r      *store.Relation
	models filter.Models
	path   string // "/<relation path>"
}

var (
	argFK      = schema.Arg{Name: "fk", Type: schema.String, Required: true, Source: "path"}
	argRefresh = schema.Arg{Name: "refresh", Type: schema.Boolean, Source: "query"}
)

// name is "__<op>__<relation>", LoopBack's relation method name.
func (ra *relationAPI) name(op string) string { return "__" + op + "__" + ra.r.Rel.Name }

// returnsTo is the root return of one related instance, named arg.
func (ra *relationAPI) returnsTo(arg string) []schema.Arg {
	return []schema.Arg{{Name: arg, Type: schema.Type(ra.r.To.Name), Root: true}}
}

// belongsTo: GET /rel (200 null when the parent has no related record; LoopBack has no 404
// converter for it).
func (ra *relationAPI) belongsTo() []*Method {
	return []*Method{
		{Name: ra.name("get"), Routes: []schema.Route{rt("get", ra.path)}, Accepts: []schema.Arg{argRefresh},
			Returns: ra.returnsTo(ra.r.Rel.Name), AccessType: "READ", Fn: ra.get(false)},
	}
}

// hasOne: GET (404 when none), POST, PUT, DELETE /rel.
func (ra *relationAPI) hasOne() []*Method {
	return []*Method{
		{Name: ra.name("get"), Routes: []schema.Route{rt("get", ra.path)}, Accepts: []schema.Arg{argRefresh},
			Returns: ra.returnsTo(ra.r.Rel.Name), AccessType: "READ", Fn: ra.get(true)},
		{Name: ra.name("create"), Routes: []schema.Route{rt("post", ra.path)}, Accepts: []schema.Arg{argData},
			Returns: ra.returnsTo("data"), AccessType: "WRITE", Fn: ra.create},
		{Name: ra.name("update"), Routes: []schema.Route{rt("put", ra.path)}, Accepts: []schema.Arg{argData},
			Returns: ra.returnsTo("data"), AccessType: "WRITE", Fn: ra.update},
		{Name: ra.name("destroy"), Routes: []schema.Route{rt("delete", ra.path)},
			AccessType: "WRITE", Fn: ra.destroy},
	}
}

// hasMany (through ones too): GET, POST, DELETE /rel; GET /rel/count; GET, PUT, DELETE /rel/:fk.
func (ra *relationAPI) hasMany() []*Method {
	dataAny := argData
	dataAny.Type = schema.Any // an object, or an array of objects
	list := []schema.Arg{{Name: ra.r.Rel.Name, Type: schema.Array, Items: schema.Type(ra.r.To.Name), Root: true}}
	byID := ra.path + "/:fk"
	return []*Method{
		{Name: ra.name("get"), Routes: []schema.Route{rt("get", ra.path)}, Accepts: []schema.Arg{argFilter},
			Returns: list, AccessType: "READ", Fn: ra.find},
		{Name: ra.name("create"), Routes: []schema.Route{rt("post", ra.path)}, Accepts: []schema.Arg{dataAny},
			Returns: ra.returnsTo("data"), AccessType: "WRITE", Fn: ra.create},
		{Name: ra.name("delete"), Routes: []schema.Route{rt("delete", ra.path)}, Accepts: []schema.Arg{argWhere},
			AccessType: "WRITE", Fn: ra.deleteAll},
		{Name: ra.name("count"), Routes: []schema.Route{rt("get", ra.path+"/count")}, Accepts: []schema.Arg{argWhere},
			Returns: []schema.Arg{{Name: "count", Type: schema.Number}}, AccessType: "READ", Fn: ra.count},
		{Name: ra.name("findById"), Routes: []schema.Route{rt("get", byID)}, Accepts: []schema.Arg{argFK, argFilter},
			Returns: ra.returnsTo("result"), AccessType: "READ", Fn: ra.findByID},
		{Name: ra.name("updateById"), Routes: []schema.Route{rt("put", byID)}, Accepts: []schema.Arg{argFK, argData},
			Returns: ra.returnsTo("result"), AccessType: "WRITE", Fn: ra.updateByID},
		{Name: ra.name("destroyById"), Routes: []schema.Route{rt("delete", byID)}, Accepts: []schema.Arg{argFK},
			AccessType: "WRITE", Fn: ra.destroyByID},
	}
}

// through (hasMany through, hasAndBelongsToMany): PUT, DELETE, HEAD /rel/rel/:fk.
func (ra *relationAPI) through() []*Method {
	link := ra.path + "/rel/:fk"
	return []*Method{
		{Name: ra.name("link"), Routes: []schema.Route{rt("put", link)}, Accepts: []schema.Arg{argFK, argData},
			Returns:    []schema.Arg{{Name: ra.r.Rel.Name, Type: schema.Type(ra.r.Through.Name), Root: true}},
			AccessType: "WRITE", Fn: ra.link},
		{Name: ra.name("unlink"), Routes: []schema.Route{rt("delete", link)}, Accepts: []schema.Arg{argFK},
			AccessType: "WRITE", Fn: ra.unlink},
		{Name: ra.name("exists"), Routes: []schema.Route{rt("head", link)}, Accepts: []schema.Arg{argFK},
			Returns: []schema.Arg{{Name: "exists", Type: schema.Boolean, Root: true}}, AccessType: "READ", Fn: ra.exists},
	}
}

// instance wraps a related record for serialisation (nil stays nil).
func (ra *relationAPI) instance(rec schema.Record) any {
	if rec == nil {
		return nil
	}
	return Instance{Model: ra.r.To, Rec: rec}
}

// noneFound is LoopBack's 404 for a hasOne without its record.
func (ra *relationAPI) noneFound() error {
	return apierr.NotFound("No %q instance(s) found", ra.r.To.Name)
}

// notRelated is LoopBack's 404 for an fk that names no record related to the parent.
func (ra *relationAPI) notRelated(call *Call) error {
	fk := fmt.Sprint(call.Args["fk"])
	if ra.r.IsThrough() {
		return apierr.New(404, "", "No relation found in %s for (%s.%v,%s.%s)",
			ra.r.Through.Name, ra.r.From.Name, call.InstanceID, ra.r.To.Name, fk)
	}
	return apierr.New(404, "", "No instance with id %s found for %s", fk, ra.r.To.Name)
}

// get serves __get__ of belongsTo (nil -> 200 null) and hasOne (nil -> 404).
func (ra *relationAPI) get(notFound bool) Func {
	return func(ctx context.Context, call *Call) (any, error) {
		rec, err := ra.r.Get(ctx, call.InstanceID, nil)
		if err != nil {
			return nil, err
		}
		if rec == nil && notFound {
			return nil, ra.noneFound()
		}
		return ra.instance(rec), nil
	}
}

// create serves __create__: one object, or (hasMany) an array of objects in one transaction.
func (ra *relationAPI) create(ctx context.Context, call *Call) (any, error) {
	switch data := call.Args["data"].(type) {
	case nil:
		rec, err := ra.r.Create(ctx, call.InstanceID, map[string]any{})
		return ra.instance(rec), err
	case map[string]any:
		rec, err := ra.r.Create(ctx, call.InstanceID, data)
		return ra.instance(rec), err
	case []any:
		if ra.r.Single() {
			break
		}
		out := make([]Instance, 0, len(data))
		err := ra.r.ToStore.Transaction(ctx, func(ctx context.Context) error {
			for _, item := range data {
				obj, ok := item.(map[string]any)
				if !ok {
					return apierr.BadRequest("", "Value is not an object.")
				}
				rec, err := ra.r.Create(ctx, call.InstanceID, obj)
				if err != nil {
					return err
				}
				out = append(out, Instance{Model: ra.r.To, Rec: rec})
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		return out, nil
	}
	return nil, apierr.BadRequest("", "Value is not an object.")
}

// update serves hasOne __update__ (404 when there is no related record).
func (ra *relationAPI) update(ctx context.Context, call *Call) (any, error) {
	data, err := dataArg(call)
	if err != nil {
		return nil, err
	}
	rec, err := ra.r.Update(ctx, call.InstanceID, data)
	if err != nil {
		return nil, err
	}
	if rec == nil {
		return nil, ra.noneFound()
	}
	return ra.instance(rec), nil
}

// destroy serves hasOne __destroy__ (204, also when there was nothing to delete).
func (ra *relationAPI) destroy(ctx context.Context, call *Call) (any, error) {
	_, err := ra.r.Destroy(ctx, call.InstanceID)
	return nil, err
}

// find serves hasMany __get__ with a filter on the related model.
func (ra *relationAPI) find(ctx context.Context, call *Call) (any, error) {
	f, err := call.ParseFilter(ctx, ra.r.To, ra.models)
	if err != nil {
		return nil, err
	}
	recs, err := ra.r.Find(ctx, call.InstanceID, f)
	if err != nil {
		return nil, err
	}
	return Instances{Model: ra.r.To, Recs: recs}, nil
}

// where parses the where argument against the related model.
func (ra *relationAPI) where(ctx context.Context, call *Call) (filter.Cond, error) {
	return call.ParseWhere(ctx, ra.r.To, ra.models)
}

// deleteAll serves __delete__: deletes the related records matching where; 204.
func (ra *relationAPI) deleteAll(ctx context.Context, call *Call) (any, error) {
	where, err := ra.where(ctx, call)
	if err != nil {
		return nil, err
	}
	_, err = ra.r.DeleteAll(ctx, call.InstanceID, where)
	return nil, err
}

// count serves __count__: {"count": n}.
func (ra *relationAPI) count(ctx context.Context, call *Call) (any, error) {
	where, err := ra.where(ctx, call)
	if err != nil {
		return nil, err
	}
	return ra.r.Count(ctx, call.InstanceID, where)
}

// findByID serves __findById__ (404 when fk is not related to the parent).
func (ra *relationAPI) findByID(ctx context.Context, call *Call) (any, error) {
	f, err := call.ParseFilter(ctx, ra.r.To, ra.models)
	if err != nil {
		return nil, err
	}
	rec, err := ra.r.FindByID(ctx, call.InstanceID, call.Args["fk"], f)
	if err != nil {
		return nil, err
	}
	if rec == nil {
		return nil, ra.notRelated(call)
	}
	return ra.instance(rec), nil
}

// updateByID serves __updateById__ (a patch; 404 when fk is not related to the parent).
func (ra *relationAPI) updateByID(ctx context.Context, call *Call) (any, error) {
	data, err := dataArg(call)
	if err != nil {
		return nil, err
	}
	rec, err := ra.r.UpdateByID(ctx, call.InstanceID, call.Args["fk"], data)
	if err != nil {
		return nil, err
	}
	if rec == nil {
		return nil, ra.notRelated(call)
	}
	return ra.instance(rec), nil
}

// destroyByID serves __destroyById__ (204; 404 when fk is not related to the parent).
func (ra *relationAPI) destroyByID(ctx context.Context, call *Call) (any, error) {
	ok, err := ra.r.DestroyByID(ctx, call.InstanceID, call.Args["fk"])
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ra.notRelated(call)
	}
	return nil, nil
}

// link serves __link__: the join record (body: its other properties), created or existing.
func (ra *relationAPI) link(ctx context.Context, call *Call) (any, error) {
	data, err := dataArg(call)
	if err != nil {
		return nil, err
	}
	rec, err := ra.r.Link(ctx, call.InstanceID, call.Args["fk"], data)
	if err != nil {
		return nil, err
	}
	return Instance{Model: ra.r.Through, Rec: rec}, nil
}

// unlink serves __unlink__: 204, also when there was no link.
func (ra *relationAPI) unlink(ctx context.Context, call *Call) (any, error) {
	_, err := ra.r.Unlink(ctx, call.InstanceID, call.Args["fk"])
	return nil, err
}

// exists serves __exists__ (HEAD): 200 when linked, else 404 as LoopBack answers it.
func (ra *relationAPI) exists(ctx context.Context, call *Call) (any, error) {
	ok, err := ra.r.Exists(ctx, call.InstanceID, call.Args["fk"])
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, apierr.NotFound("Unknown %q id %q.", ra.r.From.Name, fmt.Sprint(call.InstanceID))
	}
	return true, nil
}
