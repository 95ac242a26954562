package framework

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/loopgo/loopgo/framework/schema"
	"github.com/loopgo/loopgo/framework/store"
)

// MixinFunc applies a mixin to a model at start-up, before tables are migrated: it may add
// properties to m and register hooks with app. opts is the model's `mixins: {Name: opts}` value
// (an empty map for `Name: true`).
type MixinFunc func(app *App, m *schema.Model, opts map[string]any) error

// Mixin registers a mixin by name, for models that list it under `mixins:`; call before Setup.
func (a *App) Mixin(name string, fn MixinFunc) { a.mixins[name] = fn }

// applyMixins runs every model's mixins; an unknown mixin name stops start-up.
func (a *App) applyMixins() error {
	var errs []error
	for _, m := range a.reg.Models() {
		names := make([]string, 0, len(m.Mixins))
		for n := range m.Mixins {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			opts, _ := m.Mixins[n].(map[string]any)
			if b, ok := m.Mixins[n].(bool); ok && !b {
				continue
			}
			if opts == nil {
				opts = map[string]any{}
			}
			fn, ok := a.mixins[n]
			if !ok {
				errs = append(errs, fmt.Errorf("%s:%d: model %s uses mixin %q, which is not registered; register it with app.Mixin(%q, fn) or remove it", m.Pos.File, m.Pos.Line, m.Name, n, n))
				continue
			}
			if err := fn(a, m, opts); err != nil {
				errs = append(errs, fmt.Errorf("model %s: mixin %s: %w", m.Name, n, err))
			}
		}
	}
	return errors.Join(errs...)
}

// TimeStamp is the built-in TimeStamp mixin: it adds date properties createdAt and updatedAt
// (names set by the options `createdAt` and `updatedAt`) and keeps them current on every write.
func TimeStamp(app *App, m *schema.Model, opts map[string]any) error {
	created, _ := opts["createdAt"].(string)
	updated, _ := opts["updatedAt"].(string)
	if created == "" {
		created = "createdAt"
	}
	if updated == "" {
		updated = "updatedAt"
	}
	for _, name := range []string{created, updated} {
		if p := m.Property(name); p != nil {
			if p.Type != schema.Date {
				return fmt.Errorf("property %s exists and is not a date", name)
			}
			continue
		}
		m.Properties = append(m.Properties, &schema.Property{Name: name, Type: schema.Date, Column: name})
	}
	own := m.Name
	app.Model(m.Name).Observe("before save", func(ctx context.Context, hc *store.HookContext) error {
		if hc.Model.Name != own {
			return nil // a model extending this one applies its own copy of the mixin
		}
		now := time.Now().UTC()
		switch {
		case hc.Instance != nil:
			if hc.IsNewInstance || hc.Instance[created] == nil {
				hc.Instance[created] = now
			}
			hc.Instance[updated] = now
		case hc.Data != nil:
			delete(hc.Data, created)
			hc.Data[updated] = now
		}
		return nil
	})
	return nil
}
