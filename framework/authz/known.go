package authz

import (
	"context"

	"github.com/loopgo/loopgo/framework/schema"
)

// knownInstanceKey carries a record the ACL's $owner check must use instead of loading it (the
// record of a change event: a removed one cannot be loaded).
type knownInstanceKey struct{}

type knownInstanceVal struct {
	model, id string
	rec       schema.Record
}

// WithKnownInstance returns ctx carrying the record of (model, id): IsOwner decides $owner on it
// instead of loading the record.
func WithKnownInstance(ctx context.Context, model, id string, rec schema.Record) context.Context {
	return context.WithValue(ctx, knownInstanceKey{}, knownInstanceVal{model: model, id: id, rec: rec})
}

// knownInstance returns the record ctx carries for (model, id), if any.
func knownInstance(ctx context.Context, model, id string) (schema.Record, bool) {
	v, ok := ctx.Value(knownInstanceKey{}).(knownInstanceVal)
	if !ok || v.model != model || v.id != id {
		return nil, false
	}
	return v.rec, true
}
