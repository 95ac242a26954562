package rest

import (
	"context"

	"github.com/loopgo/loopgo/framework/filter"
	"github.com/loopgo/loopgo/framework/schema"
)

// ReadChecker tells whether a call's caller may READ a model (id "") or one instance of it: nil,
// or the denial error. Every Authorizer is one: included and related models are only served
// where it allows (a Loopgo rule; LoopBack checks the parent model only).
type ReadChecker interface {
	CheckRead(ctx context.Context, c *Call, m *schema.Model, id string) error
}

// includeGuard decides, for one call, which related records nested in a result the caller may
// READ: models readable as a whole pass; others are checked per instance.
type includeGuard struct {
	models    filter.Models
	perRecord map[*schema.Model]bool            // model -> the caller may not READ it as a whole
	decided   map[*schema.Model]map[string]bool // instance id -> readable
}

// ParseFilter parses the call's `filter` argument against m and refuses a where clause that
// reaches into a model the caller may not READ. Included records are checked after the query
// (guardResult): an owner may see its own user record in `include: owner`, no one else's.
func (c *Call) ParseFilter(ctx context.Context, m *schema.Model, models filter.Models) (*filter.Filter, error) {
	f, err := filter.Parse(c.Args["filter"], m, models)
	if err != nil {
		return nil, err
	}
	rc, ok := c.readChecker()
	if !ok {
		return f, nil
	}
	for _, t := range filter.RelatedTargets(f) {
		if err := rc.CheckRead(ctx, c, t, ""); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// ParseWhere parses the call's `where` argument against m; a condition on a related model the
// caller may not READ is refused.
func (c *Call) ParseWhere(ctx context.Context, m *schema.Model, models filter.Models) (filter.Cond, error) {
	w, err := filter.ParseWhereIn(c.Args["where"], m, models)
	if err != nil {
		return nil, err
	}
	if rc, ok := c.readChecker(); ok {
		for _, t := range filter.CondTargets(w) {
			if err := rc.CheckRead(ctx, c, t, ""); err != nil {
				return nil, err
			}
		}
	}
	return w, nil
}

// guardResult removes, from a method's result, every nested related record (from include, or
// from a relation's own scope) that the caller may not READ.
func (c *Call) guardResult(ctx context.Context, res any) error {
	rc, ok := c.readChecker()
	if !ok || c.srv == nil || c.srv.opts.Models == nil {
		return nil
	}
	g := &includeGuard{models: c.srv.opts.Models} // its maps are made when a nested record is met
	switch x := res.(type) {
	case Instance:
		return g.walk(ctx, c, rc, x.Model, []schema.Record{x.Rec})
	case Instances:
		return g.walk(ctx, c, rc, x.Model, x.Recs)
	case []Instance:
		for _, in := range x {
			if err := g.walk(ctx, c, rc, in.Model, []schema.Record{in.Rec}); err != nil {
				return err
			}
		}
	}
	return nil
}

// walk checks the related records nested in recs of model m, at every depth.
func (g *includeGuard) walk(ctx context.Context, c *Call, rc ReadChecker, m *schema.Model, recs []schema.Record) error {
	if m == nil || len(m.Relations) == 0 {
		return nil
	}
	for _, rel := range m.Relations {
		var kept []schema.Record
		var target *schema.Model
		for _, rec := range recs {
			v, ok := rec[rel.Name]
			if !ok || v == nil {
				continue
			}
			if target == nil {
				if target = g.models.Model(rel.Model); target == nil {
					return nil
				}
			}
			switch x := v.(type) {
			case schema.Record:
				ok, err := g.readable(ctx, c, rc, target, x)
				if err != nil {
					return err
				}
				if !ok {
					delete(rec, rel.Name)
					continue
				}
				kept = append(kept, x)
			case []schema.Record:
				out := x[:0]
				for _, r := range x {
					ok, err := g.readable(ctx, c, rc, target, r)
					if err != nil {
						return err
					}
					if ok {
						out = append(out, r)
					}
				}
				rec[rel.Name] = out
				kept = append(kept, out...)
			}
		}
		if len(kept) > 0 {
			if err := g.walk(ctx, c, rc, target, kept); err != nil {
				return err
			}
		}
	}
	return nil
}

// readable decides (once per model, else once per instance) whether the caller may READ a
// related record.
func (g *includeGuard) readable(ctx context.Context, c *Call, rc ReadChecker, m *schema.Model, rec schema.Record) (bool, error) {
	denied, seen := g.perRecord[m]
	if !seen {
		err := rc.CheckRead(ctx, c, m, "")
		if err != nil && !isDenial(err) {
			return false, err
		}
		denied = err != nil
		if g.perRecord == nil {
			g.perRecord = map[*schema.Model]bool{}
		}
		g.perRecord[m] = denied
	}
	if !denied {
		return true, nil
	}
	idp := m.IDProperty()
	if idp == nil || rec[idp.Name] == nil {
		return false, nil
	}
	id := schema.IDString(rec[idp.Name])
	if g.decided == nil {
		g.decided = map[*schema.Model]map[string]bool{}
	}
	if g.decided[m] == nil {
		g.decided[m] = map[string]bool{}
	}
	if ok, seen := g.decided[m][id]; seen {
		return ok, nil
	}
	err := rc.CheckRead(ctx, c, m, id)
	if err != nil && !isDenial(err) {
		return false, err
	}
	g.decided[m][id] = err == nil
	return err == nil, nil
}

// readChecker returns the server's Authorizer, false when the call has none (all allowed).
func (c *Call) readChecker() (ReadChecker, bool) {
	if c.srv == nil || c.srv.opts.Authorizer == nil {
		return nil, false
	}
	return c.srv.opts.Authorizer, true
}

// isDenial reports whether err is an access denial (4xx) rather than a failure.
func isDenial(err error) bool {
	e, ok := apiErr(err)
	return ok && e.StatusCode < 500
}
