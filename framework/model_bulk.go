package framework

import (
	"context"

	"github.com/loopgo/loopgo/framework/filter"
)

// UpdateAll applies data to every record matching a where object (nil = all) and returns how
// many matched (LoopBack's updateAll), firing the operation hooks as the REST method does.
func (m *Model) UpdateAll(ctx context.Context, rawWhere any, data map[string]any) (int64, error) {
	d, st, err := m.def()
	if err != nil {
		return 0, err
	}
	w, err := filter.ParseWhereIn(rawWhere, d, m.app.reg)
	if err != nil {
		return 0, err
	}
	return st.UpdateAll(ctx, d, w, data)
}

// DeleteAll deletes the records matching a where object (nil = all) and returns how many were
// deleted (LoopBack's destroyAll).
func (m *Model) DeleteAll(ctx context.Context, rawWhere any) (int64, error) {
	d, st, err := m.def()
	if err != nil {
		return 0, err
	}
	w, err := filter.ParseWhereIn(rawWhere, d, m.app.reg)
	if err != nil {
		return 0, err
	}
	return st.DeleteAll(ctx, d, w)
}
