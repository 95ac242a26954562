package filter

// Limits that guard the parser against abusive queries. They are fixed (LoopBack's REST defaults
// where LoopBack has one) so that every Loopgo application refuses the same inputs.
const (
	// MaxDepth is the deepest nesting accepted in a filter or where object, counted in keys and
	// array indexes from its root (LoopBack's REST maxDepthOfQuery); it also bounds bracket keys.
	MaxDepth = 12
	// MaxWhereNodes is the most conditions (comparisons plus and/or nodes) one filter may hold.
	MaxWhereNodes = 1000
	// MaxListItems is the most values an inq or nin list may hold.
	MaxListItems = 1000
	// MaxIncludes is the most relations (at every nesting level together) one filter may include.
	MaxIncludes = 100
	// MaxRelatedDepth is how many relations deep a where condition may reach ("owner.team.name"
	// is 2 deep); each level is a nested subquery.
	MaxRelatedDepth = 4
	// MaxArrayIndex is the highest bracket index that builds an array (qs's arrayLimit); keys
	// above it build an object with string keys instead.
	MaxArrayIndex = 20
)
