package filter

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/schema"
)

// Error codes of the filter layer (LoopBack's; every other filter error is a 400 without a code).
const (
	// CodeOperatorNotAllowed marks a where clause using MongoDB-style `$` operators.
	CodeOperatorNotAllowed = "OPERATOR_NOT_ALLOWED_IN_QUERY"
	// CodeTooDeep marks a query nested deeper than MaxDepth.
	CodeTooDeep = "QUERY_OBJECT_TOO_DEEP"
	// CodeCircular marks a query object that contains itself.
	CodeCircular = "QUERY_OBJECT_IS_CIRCULAR"
)

// maxRendered caps how much of a client's value is echoed back in an error message.
const maxRendered = 200

// badRequest returns a 400 error without a code; args are always formatted, so a message built
// from client input can never be read as a format string.
func badRequest(format string, args ...any) *apierr.Error {
	return apierr.BadRequest("", "%s", fmt.Sprintf(format, args...))
}

// errTooDeep is LoopBack's QUERY_OBJECT_TOO_DEEP error.
func errTooDeep() *apierr.Error {
	return apierr.BadRequest(CodeTooDeep, "The query object exceeds maximum depth %d", MaxDepth)
}

// errCircular is LoopBack's QUERY_OBJECT_IS_CIRCULAR error.
func errCircular() *apierr.Error {
	return apierr.BadRequest(CodeCircular, "%s", "The query object is circular")
}

// errOperators is LoopBack's OPERATOR_NOT_ALLOWED_IN_QUERY error for the given `$` keys.
func errOperators(ops []string) *apierr.Error {
	e := apierr.BadRequest(CodeOperatorNotAllowed, "Operators \"%s\" are not allowed in query", strings.Join(ops, ", "))
	e.Details = map[string]any{"operators": ops}
	return e
}

// errClause is LoopBack's "The <p> property has invalid clause <json>: <reason>".
func errClause(key string, clause any, reason string) *apierr.Error {
	return badRequest("The %s property has invalid clause %s: %s", key, jsonText(clause), reason)
}

// errCoerce reports a where value that does not fit its property's type.
func errCoerce(key string, clause, value any, err error) *apierr.Error {
	msg := err.Error()
	var ce *schema.CoerceError
	if errors.As(err, &ce) {
		msg = ce.Msg
	}
	return errClause(key, clause, jsonText(value)+" "+msg).WithCause(err)
}

// internal wraps a server-side problem (a broken model definition, a nil model) as a 500.
func internal(format string, args ...any) *apierr.Error {
	return apierr.Internal(fmt.Errorf("filter: "+format, args...))
}

// jsonText renders v as JavaScript's %j would (JSON without HTML escaping), shortened for messages.
func jsonText(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "(unprintable value)"
	}
	s := strings.TrimSuffix(buf.String(), "\n")
	if len(s) > maxRendered {
		s = truncateUTF8(s, maxRendered-3) + "..."
	}
	return s
}

// truncateUTF8 cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
