package framework

import (
	"fmt"

	"github.com/loopgo/loopgo/framework/rest"
	"github.com/loopgo/loopgo/framework/store"
)

type observer struct {
	model string
	hook  string
	fn    store.Hook
}

type remoteHook struct {
	kind    string // before, after, error
	pattern string
	fn      rest.RemoteHook
}

// addObserver records an operation hook and registers it on every open datasource.
func (a *App) addObserver(o observer) {
	a.observers = append(a.observers, o)
	for _, st := range a.stores {
		st.Observe(o.model, o.hook, o.fn)
	}
}

// registerObservers registers the hooks recorded before the datasources were opened.
func (a *App) registerObservers(st *store.Store) {
	for _, o := range a.observers {
		st.Observe(o.model, o.hook, o.fn)
	}
}

// addRemoteHook records a remote hook and registers it when the REST server exists.
func (a *App) addRemoteHook(h remoteHook) {
	a.remoteHooks = append(a.remoteHooks, h)
	if a.rest != nil {
		a.registerRemoteHook(h)
	}
}

func (a *App) registerRemoteHook(h remoteHook) {
	switch h.kind {
	case "before":
		a.rest.BeforeRemote(h.pattern, h.fn)
	case "after":
		a.rest.AfterRemote(h.pattern, h.fn)
	default:
		a.rest.AfterRemoteError(h.pattern, h.fn)
	}
}

// BeforeRemote registers an app-wide remote hook ("**", "*.create", "Note.prototype.*").
func (a *App) BeforeRemote(pattern string, fn rest.RemoteHook) {
	a.addRemoteHook(remoteHook{kind: "before", pattern: pattern, fn: fn})
}

// AfterRemote registers an app-wide remote hook after successful methods.
func (a *App) AfterRemote(pattern string, fn rest.RemoteHook) {
	a.addRemoteHook(remoteHook{kind: "after", pattern: pattern, fn: fn})
}

// AfterRemoteError registers an app-wide remote hook after failed methods.
func (a *App) AfterRemoteError(pattern string, fn rest.RemoteHook) {
	a.addRemoteHook(remoteHook{kind: "error", pattern: pattern, fn: fn})
}

func errNotAttached(model string) error {
	return fmt.Errorf("model %s is not attached to a datasource (add it to model-config.yaml) or the app is not set up yet", model)
}
