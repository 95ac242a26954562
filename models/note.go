package models

import (
	"context"

	"github.com/loopgo/loopgo/framework"
)

// Register binds the Go side of the ready app's models (remote methods, hooks) to app.
func Register(app *framework.App) {
	notes := app.Model("Note")
	notes.Method("prototype.publish", func(ctx context.Context, c *framework.Call) (any, error) {
		rec, err := notes.PatchByID(ctx, c.InstanceID, map[string]any{"published": true})
		if err != nil {
			return nil, err
		}
		return notes.Instance(rec), nil
	})
	notes.Method("stats", func(ctx context.Context, c *framework.Call) (any, error) {
		total, err := notes.Count(ctx, nil)
		if err != nil {
			return nil, err
		}
		published, err := notes.Count(ctx, map[string]any{"published": true})
		if err != nil {
			return nil, err
		}
		return map[string]any{"count": total, "published": published}, nil
	})
}
