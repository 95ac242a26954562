package filter

import (
	"regexp"
	"strings"

	"github.com/loopgo/loopgo/framework/schema"
)

// orderSeparator splits "a DESC, b" into its keys, as LoopBack's /(?:\s*,\s*)+/ does.
var orderSeparator = regexp.MustCompile(`(?:\s*,\s*)+`)

// parseOrder reads `order`: "prop", "prop ASC|DESC" (any case), "a DESC, b", or a list of such.
// Loopgo is stricter than LoopBack: a key must name a visible declared property (LoopBack passes
// unknown names to the database), and words after the direction are refused, not ignored.
func parseOrder(raw any, m *schema.Model) ([]Order, error) {
	var items []any
	switch x := raw.(type) {
	case nil:
		return nil, nil
	case []any:
		items = x
	default:
		items = []any{x}
	}
	var out []Order
	for _, item := range items {
		s, ok := item.(string)
		if !ok {
			return nil, badRequest("The order %s is not valid", jsonText(item))
		}
		for _, token := range orderSeparator.Split(s, -1) {
			token = strings.TrimSpace(token)
			if token == "" {
				continue
			}
			o, err := orderKey(token, m)
			if err != nil {
				return nil, err
			}
			out = append(out, o)
		}
	}
	return out, nil
}

// orderKey parses one "prop [ASC|DESC]" token.
func orderKey(token string, m *schema.Model) (Order, error) {
	parts := strings.Fields(token)
	o := Order{Property: parts[0]}
	if len(parts) > 2 {
		return Order{}, badRequest("The order %s has invalid direction", jsonText(token))
	}
	if len(parts) == 2 {
		switch strings.ToUpper(parts[1]) {
		case "ASC":
		case "DESC":
			o.Desc = true
		default:
			return Order{}, badRequest("The order %s has invalid direction", jsonText(token))
		}
	}
	if visibleProperty(m, o.Property) == nil {
		return Order{}, badRequest("The order property %s is not valid", jsonText(o.Property))
	}
	return o, nil
}
