package store

import (
	"context"

	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/filter"
	"github.com/loopgo/loopgo/framework/schema"
)

// Get returns the related record of a belongsTo or hasOne relation (f may add fields, include
// and conditions), or nil when there is none.
func (r *Relation) Get(ctx context.Context, parentID any, f *filter.Filter) (schema.Record, error) {
	if !r.keys.single {
		return nil, r.wrongKind("get")
	}
	q, err := r.parentQuery(ctx, parentID, f)
	if err != nil || q == nil {
		return nil, err
	}
	return r.ToStore.FindOne(ctx, r.To, q)
}

// parentQuery scopes f to the related records of the parent; nil when the parent has no key
// (nothing is related to it).
func (r *Relation) parentQuery(ctx context.Context, parentID any, f *filter.Filter) (*filter.Filter, error) {
	key, err := r.parentKey(ctx, parentID)
	if err != nil || key == nil {
		return nil, err
	}
	return r.scoped(ctx, key, f)
}

// Find returns the related records of a hasMany relation (through ones too) matching f.
func (r *Relation) Find(ctx context.Context, parentID any, f *filter.Filter) ([]schema.Record, error) {
	q, err := r.parentQuery(ctx, parentID, f)
	if err != nil {
		return nil, err
	}
	if q == nil {
		return []schema.Record{}, nil
	}
	return r.ToStore.Find(ctx, r.To, q)
}

// Count counts the related records matching where.
func (r *Relation) Count(ctx context.Context, parentID any, where filter.Cond) (int64, error) {
	q, err := r.parentQuery(ctx, parentID, &filter.Filter{Where: where})
	if err != nil || q == nil {
		return 0, err
	}
	return r.ToStore.Count(ctx, r.To, q.Where)
}

// FindByID returns the related record with id fk, or nil when no such record is related to
// the parent.
func (r *Relation) FindByID(ctx context.Context, parentID, fk any, f *filter.Filter) (schema.Record, error) {
	key, err := r.parentKey(ctx, parentID)
	if err != nil || key == nil {
		return nil, err
	}
	idp := r.To.IDProperty()
	id, ok := normID(idp, fk)
	if !ok {
		return nil, nil
	}
	q, err := r.scoped(ctx, key, f)
	if err != nil {
		return nil, err
	}
	q.Where = andCond(idCond(idp, id), q.Where)
	return r.ToStore.FindOne(ctx, r.To, q)
}

// Create creates a record related to the parent: with the foreign key set (hasOne, hasMany), or
// with a join record too (through relations; in one transaction when both models share a
// store). A hasOne parent that already has its record answers 409.
func (r *Relation) Create(ctx context.Context, parentID any, data map[string]any) (schema.Record, error) {
	if r.keys.kind == kindBelongsTo {
		return nil, r.wrongKind("create")
	}
	key, err := r.parentKey(ctx, parentID)
	if err != nil {
		return nil, err
	}
	if key == nil {
		return nil, apierr.BadRequest("", "The %s instance has no %s to relate %s to", r.From.Name, r.keys.from.Name, r.To.Name)
	}
	if data == nil {
		data = map[string]any{}
	}
	if r.keys.kind == kindHasMany {
		var out schema.Record
		err := r.ToStore.Transaction(ctx, func(ctx context.Context) error {
			if r.keys.single {
				n, err := r.ToStore.Count(ctx, r.To, eqCond(r.keys.to, key))
				if err != nil {
					return err
				}
				if n > 0 {
					return apierr.New(409, "", "HasOne relation cannot create more than one instance of %s", r.To.Name)
				}
			}
			var err error
			out, err = r.ToStore.Create(ctx, r.To, withValue(data, r.keys.to.Name, key))
			return err
		})
		return out, err
	}
	return r.createThrough(ctx, key, data)
}

// createThrough creates the related record and the join record linking it to the parent.
func (r *Relation) createThrough(ctx context.Context, key any, data map[string]any) (schema.Record, error) {
	var out schema.Record
	create := func(ctx context.Context) error {
		rec, err := r.ToStore.Create(ctx, r.To, data)
		if err != nil {
			return err
		}
		link := map[string]any{r.keys.viaFrom.Name: key, r.keys.viaTo.Name: rec[r.keys.to.Name]}
		if _, err := r.ThroughStore.Create(ctx, r.Through, link); err != nil {
			if r.ThroughStore != r.ToStore { // no shared transaction: undo by hand
				_, _ = r.ToStore.DeleteByID(ctx, r.To, rec[r.To.IDProperty().Name])
			}
			return err
		}
		out = rec
		return nil
	}
	if r.ThroughStore == r.ToStore {
		return out, r.ToStore.Transaction(ctx, create)
	}
	return out, create(ctx)
}

// UpdateByID patches the related record with id fk; nil, nil when it is not related to the
// parent. Moving it to another parent (a different foreign key) answers 400.
func (r *Relation) UpdateByID(ctx context.Context, parentID, fk any, data map[string]any) (schema.Record, error) {
	rec, err := r.FindByID(ctx, parentID, fk, nil)
	if err != nil || rec == nil {
		return nil, err
	}
	return r.patch(ctx, rec, data)
}

// patch applies data to a related record, keeping its foreign key.
func (r *Relation) patch(ctx context.Context, rec schema.Record, data map[string]any) (schema.Record, error) {
	if r.keys.kind == kindHasMany {
		if err := keepForeignKey(r.keys.to, data, rec[r.keys.to.Name]); err != nil {
			return nil, err
		}
	}
	return r.ToStore.PatchByID(ctx, r.To, rec[r.To.IDProperty().Name], data)
}

// DestroyByID deletes the related record with id fk (and, through relations, its join
// records); false when it is not related to the parent.
func (r *Relation) DestroyByID(ctx context.Context, parentID, fk any) (bool, error) {
	rec, err := r.FindByID(ctx, parentID, fk, &filter.Filter{Fields: &filter.Fields{Include: []string{r.To.IDProperty().Name}}})
	if err != nil || rec == nil {
		return false, err
	}
	n, err := r.deleteRecords(ctx, []any{rec[r.To.IDProperty().Name]})
	return n > 0, err
}

// DeleteAll deletes the related records matching where (and, through relations, their join
// records) and returns how many related records were deleted.
func (r *Relation) DeleteAll(ctx context.Context, parentID any, where filter.Cond) (int64, error) {
	q, err := r.parentQuery(ctx, parentID, &filter.Filter{Where: where})
	if err != nil || q == nil {
		return 0, err
	}
	if r.keys.kind != kindThrough {
		return r.ToStore.DeleteAll(ctx, r.To, q.Where)
	}
	idName := r.To.IDProperty().Name
	recs, err := r.ToStore.Find(ctx, r.To, &filter.Filter{Where: q.Where, Fields: &filter.Fields{Include: []string{idName}}})
	if err != nil {
		return 0, err
	}
	return r.deleteRecords(ctx, distinctKeys(recs, idName))
}

// deleteRecords deletes related records by id, with their join records first.
func (r *Relation) deleteRecords(ctx context.Context, ids []any) (int64, error) {
	var total int64
	del := func(ctx context.Context) error {
		for _, chunk := range chunks(ids) {
			if r.keys.kind == kindThrough {
				if _, err := r.ThroughStore.DeleteAll(ctx, r.Through, inCond(r.keys.viaTo, chunk)); err != nil {
					return err
				}
			}
			n, err := r.ToStore.DeleteAll(ctx, r.To, inCond(r.To.IDProperty(), chunk))
			if err != nil {
				return err
			}
			total += n
		}
		return nil
	}
	if r.ThroughStore == nil || r.ThroughStore == r.ToStore {
		return total, r.ToStore.Transaction(ctx, del)
	}
	return total, del(ctx)
}

// Update patches the related record of a hasOne relation; nil, nil when there is none.
func (r *Relation) Update(ctx context.Context, parentID any, data map[string]any) (schema.Record, error) {
	if r.keys.kind != kindHasMany || !r.keys.single {
		return nil, r.wrongKind("update")
	}
	rec, err := r.Get(ctx, parentID, nil)
	if err != nil || rec == nil {
		return nil, err
	}
	return r.patch(ctx, rec, data)
}

// Destroy deletes the related record of a hasOne relation and returns how many were deleted.
func (r *Relation) Destroy(ctx context.Context, parentID any) (int64, error) {
	if r.keys.kind != kindHasMany || !r.keys.single {
		return 0, r.wrongKind("destroy")
	}
	return r.DeleteAll(ctx, parentID, nil)
}

// Link relates the existing record fk to the parent with a join record holding data (through
// relations) and returns the join record; an existing link is returned as it is (LoopBack's
// findOrCreate). An unknown fk answers 404.
func (r *Relation) Link(ctx context.Context, parentID, fk any, data map[string]any) (schema.Record, error) {
	if r.keys.kind != kindThrough {
		return nil, r.wrongKind("link")
	}
	key, err := r.parentKey(ctx, parentID)
	if err != nil {
		return nil, err
	}
	id, ok := normID(r.To.IDProperty(), fk)
	exists := false
	if ok && key != nil {
		if exists, err = r.ToStore.Exists(ctx, r.To, id); err != nil {
			return nil, err
		}
	}
	if !exists {
		return nil, apierr.NotFound("Unknown %q id %q.", r.To.Name, fmtKey(fk))
	}
	var out schema.Record
	err = r.ThroughStore.Transaction(ctx, func(ctx context.Context) error {
		var err error
		if out, err = r.ThroughStore.FindOne(ctx, r.Through, &filter.Filter{Where: r.linkCond(key, id)}); err != nil || out != nil {
			return err
		}
		if data == nil {
			data = map[string]any{}
		}
		out, err = r.ThroughStore.Create(ctx, r.Through, withValue(withValue(data, r.keys.viaFrom.Name, key), r.keys.viaTo.Name, id))
		return err
	})
	return out, err
}

// Unlink removes the join records between the parent and fk and returns how many were removed.
func (r *Relation) Unlink(ctx context.Context, parentID, fk any) (int64, error) {
	if r.keys.kind != kindThrough {
		return 0, r.wrongKind("unlink")
	}
	key, id, ok, err := r.linkKeys(ctx, parentID, fk)
	if err != nil || !ok {
		return 0, err
	}
	return r.ThroughStore.DeleteAll(ctx, r.Through, r.linkCond(key, id))
}

// Exists reports whether the parent is linked to fk.
func (r *Relation) Exists(ctx context.Context, parentID, fk any) (bool, error) {
	if r.keys.kind != kindThrough {
		return false, r.wrongKind("exists")
	}
	key, id, ok, err := r.linkKeys(ctx, parentID, fk)
	if err != nil || !ok {
		return false, err
	}
	n, err := r.ThroughStore.Count(ctx, r.Through, r.linkCond(key, id))
	return n > 0, err
}

// linkKeys returns the parent's key and the normalised related id; ok is false when either
// cannot name a record.
func (r *Relation) linkKeys(ctx context.Context, parentID, fk any) (any, any, bool, error) {
	key, err := r.parentKey(ctx, parentID)
	if err != nil || key == nil {
		return nil, nil, false, err
	}
	id, ok := normID(r.To.IDProperty(), fk)
	return key, id, ok, nil
}

// linkCond selects the join records between a parent key and a related id.
func (r *Relation) linkCond(key, id any) filter.Cond {
	return filter.And{eqCond(r.keys.viaFrom, key), eqCond(r.keys.viaTo, id)}
}

// fmtKey renders a key for a message.
func fmtKey(v any) string {
	if k, ok := keyOf(v); ok {
		return k
	}
	return "undefined"
}
