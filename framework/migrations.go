package framework

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/loopgo/loopgo/framework/schema"
	"github.com/loopgo/loopgo/framework/store"
)

// MigrationPlan is what start-up's migration would do to one datasource.
type MigrationPlan = store.Plan

// modelsByStore links every open store to the registry and lists, per store (sorted by
// datasource name), the persisted models attached to it.
func (a *App) modelsByStore() ([]*store.Store, map[*store.Store][]*schema.Model) {
	for _, st := range a.stores {
		st.SetLinks(store.Links{Models: a.reg, StoreOf: a.StoreOf})
	}
	byStore := map[*store.Store][]*schema.Model{}
	for _, m := range a.reg.Models() {
		if st := a.attached[m.Name]; st != nil && m.Persisted {
			byStore[st] = append(byStore[st], m)
		}
	}
	stores := make([]*store.Store, 0, len(byStore))
	for st := range byStore {
		stores = append(stores, st)
	}
	sort.Slice(stores, func(i, j int) bool { return stores[i].Name() < stores[j].Name() })
	return stores, byStore
}

// migrateReport migrates every datasource under its migration lock (start-up's migration) and
// returns what was done to each, up to the first datasource that failed.
func (a *App) migrateReport(ctx context.Context) ([]*MigrationPlan, error) {
	stores, byStore := a.modelsByStore()
	var plans []*MigrationPlan
	for _, st := range stores {
		plan, err := st.MigrateReport(ctx, byStore[st])
		plans = append(plans, plan)
		if err != nil {
			return plans, fmt.Errorf("datasource %q (%s): %w", st.Name(), redactURL(a.cfg.Datasources[st.Name()].URL), err)
		}
	}
	return plans, nil
}

// errUsed refuses a one-shot operation on an App that was already set up or used.
func (a *App) errUsed(op string) error {
	if a.setup || len(a.stores) > 0 {
		return fmt.Errorf("%s: the app was already set up; call it on a new App", op)
	}
	return nil
}

// PlanMigration computes, for every datasource, what start-up would create (tables, columns,
// indexes), what it would refuse and why, and the columns it would leave alone, changing
// nothing. Call it on a new App instead of Setup: it resolves the models, opens the datasources
// (within the start-up deadline), reads their schema and closes them; the App cannot be set up
// afterwards. Boot functions do not run.
func (a *App) PlanMigration(ctx context.Context) ([]*MigrationPlan, error) {
	return a.oneShot(ctx, "plan migration", func(ctx context.Context) ([]*MigrationPlan, error) {
		stores, byStore := a.modelsByStore()
		var plans []*MigrationPlan
		var errs []error
		for _, st := range stores {
			plan, err := st.PlanMigration(ctx, byStore[st])
			plans = append(plans, plan)
			if err != nil {
				errs = append(errs, fmt.Errorf("datasource %q (%s): %w", st.Name(), redactURL(a.cfg.Datasources[st.Name()].URL), err))
			}
		}
		return plans, errors.Join(errs...)
	})
}

// Migrate runs start-up's migration alone: it resolves the models, opens the datasources,
// migrates each under its migration lock, and closes them, without boot functions or REST.
// It returns what was done to each datasource. Call it on a new App instead of Setup; the App
// cannot be set up afterwards.
func (a *App) Migrate(ctx context.Context) ([]*MigrationPlan, error) {
	return a.oneShot(ctx, "migrate", a.migrateReport)
}

// oneShot resolves the models, opens the datasources, runs fn and closes them.
func (a *App) oneShot(ctx context.Context, op string, fn func(ctx context.Context) ([]*MigrationPlan, error)) ([]*MigrationPlan, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.errUsed(op); err != nil {
		return nil, err
	}
	if err := a.resolveModels(); err != nil {
		return nil, err
	}
	dbctx, cancel := context.WithTimeout(ctx, a.cfg.Timeouts.withDefaults().Startup)
	defer cancel()
	if err := a.openDatasources(dbctx); err != nil {
		return nil, errors.Join(err, a.closeStores())
	}
	plans, err := fn(dbctx)
	return plans, errors.Join(err, a.closeStores())
}
