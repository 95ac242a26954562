package rest

import (
	"context"

	"github.com/loopgo/loopgo/framework/filter"
	"github.com/loopgo/loopgo/framework/schema"
)

// ReadChecker is implemented by an Authorizer that can tell whether a call's caller may READ a
// model (id "") or one instance of it: nil, or the denial error. Included and related models are
// only served where it allows (a Loopgo rule; LoopBack checks the parent model only).
type ReadChecker interface {
	CheckRead(ctx context.Context, c *Call, m *schema.Model, id string) error
}

// includeGuard remembers, for one call, which included models need a check per instance.
type includeGuard struct {
	f         *filter.Filter
	perRecord map[*schema.Model]bool            // models the caller may not READ as a whole
	decided   map[*schema.Model]map[string]bool // instance id -> readable
}

// ParseFilter parses the call's `filter` argument against m. Included models the caller may READ
// as a whole are served as they are; the others are checked per record after the query (e.g. an
// owner may see its own user record in `include: owner`, no one else's); a where clause that
// reaches into a model the caller may not READ is refused.
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
	g := &includeGuard{f: f, perRecord: map[*schema.Model]bool{}, decided: map[*schema.Model]map[string]bool{}}
	var walk func(incs []filter.Include) error
	walk = func(incs []filter.Include) error {
		for _, inc := range incs {
			if inc.Target == nil {
				continue
			}
			if _, seen := g.perRecord[inc.Target]; !seen {
				err := rc.CheckRead(ctx, c, inc.Target, "")
				if err != nil && !isDenial(err) {
					return err
				}
				g.perRecord[inc.Target] = err != nil
			}
			if inc.Scope != nil {
				if err := walk(inc.Scope.Include); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := walk(f.Include); err != nil {
		return nil, err
	}
	c.guard = g
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

// guardResult removes included records the caller may not READ from a method's result.
func (c *Call) guardResult(ctx context.Context, res any) error {
	g := c.guard
	if g == nil || len(g.f.Include) == 0 {
		return nil
	}
	need := false
	for _, v := range g.perRecord {
		need = need || v
	}
	if !need {
		return nil
	}
	rc, _ := c.readChecker()
	switch x := res.(type) {
	case Instance:
		return g.records(ctx, c, rc, g.f.Include, []schema.Record{x.Rec})
	case Instances:
		return g.records(ctx, c, rc, g.f.Include, x.Recs)
	}
	return nil
}

func (g *includeGuard) records(ctx context.Context, c *Call, rc ReadChecker, incs []filter.Include, recs []schema.Record) error {
	for _, inc := range incs {
		if inc.Target == nil {
			continue
		}
		var kept []schema.Record
		for _, rec := range recs {
			if rec == nil {
				continue
			}
			switch v := rec[inc.Relation].(type) {
			case schema.Record:
				ok, err := g.readable(ctx, c, rc, inc.Target, v)
				if err != nil {
					return err
				}
				if !ok {
					delete(rec, inc.Relation)
					continue
				}
				kept = append(kept, v)
			case []schema.Record:
				out := v[:0]
				for _, r := range v {
					ok, err := g.readable(ctx, c, rc, inc.Target, r)
					if err != nil {
						return err
					}
					if ok {
						out = append(out, r)
					}
				}
				rec[inc.Relation] = out
				kept = append(kept, out...)
			}
		}
		if inc.Scope != nil && len(inc.Scope.Include) > 0 {
			if err := g.records(ctx, c, rc, inc.Scope.Include, kept); err != nil {
				return err
			}
		}
	}
	return nil
}

// readable decides (once per instance) whether the caller may READ a related record.
func (g *includeGuard) readable(ctx context.Context, c *Call, rc ReadChecker, m *schema.Model, rec schema.Record) (bool, error) {
	if !g.perRecord[m] {
		return true, nil
	}
	idp := m.IDProperty()
	if idp == nil || rec[idp.Name] == nil {
		return false, nil
	}
	id := idString(rec[idp.Name])
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

func (c *Call) readChecker() (ReadChecker, bool) {
	if c.srv == nil || c.srv.opts.Authorizer == nil {
		return nil, false
	}
	rc, ok := c.srv.opts.Authorizer.(ReadChecker)
	return rc, ok
}

// isDenial reports whether err is an access denial (4xx) rather than a failure.
func isDenial(err error) bool {
	e, ok := apiErr(err)
	return ok && e.StatusCode < 500
}
