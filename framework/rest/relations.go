package rest

import (
	"github.com/loopgo/loopgo/framework/filter"
	"github.com/loopgo/loopgo/framework/schema"
	"github.com/loopgo/loopgo/framework/store"
)

// StoreOf returns the datasource a model is attached to, or nil.
type StoreOf func(model string) *store.Store

// RelationMethods returns the REST methods of m's relations (spec 6.3): __get__rel, __create__rel,
// ... with LoopBack's routes under /:id/rel.
func RelationMethods(m *schema.Model, st *store.Store, models filter.Models, stores StoreOf) []*Method {
	return nil
}
