package acl

import "strings"

// builtinAccessTypes are the access types LoopBack declares explicitly on built-in methods.
var builtinAccessTypes = map[string]string{
	"create":             WRITE,
	"patchOrCreate":      WRITE,
	"replaceOrCreate":    WRITE,
	"upsertWithWhere":    WRITE,
	"replaceById":        WRITE,
	"updateAll":          WRITE,
	"deleteById":         WRITE,
	"destroyAll":         WRITE,
	"patchAttributes":    WRITE,
	"find":               READ,
	"findOne":            READ,
	"findById":           READ,
	"exists":             READ,
	"count":              READ,
	"createChangeStream": READ,
	"checkpoint":         REPLICATE,
}

// relationAccessTypes are the access types of relation methods, by the operation in "__op__rel".
var relationAccessTypes = map[string]string{
	"get":         READ,
	"findById":    READ,
	"count":       READ,
	"exists":      READ,
	"create":      WRITE,
	"update":      WRITE,
	"destroy":     WRITE,
	"delete":      WRITE,
	"updateById":  WRITE,
	"destroyById": WRITE,
	"link":        WRITE,
	"unlink":      WRITE,
}

// derivedAccessTypes are LoopBack's name-based defaults for methods without an explicit type.
var derivedAccessTypes = map[string]string{
	"create":          WRITE,
	"updateOrCreate":  WRITE,
	"upsert":          WRITE,
	"upsertWithWhere": WRITE,
	"destroyById":     WRITE,
	"deleteById":      WRITE,
	"removeById":      WRITE,
	"exists":          READ,
	"findById":        READ,
	"find":            READ,
	"findOne":         READ,
	"count":           READ,
}

// AccessTypeOf returns a method's access type (spec 3.3): a valid explicit type wins (an invalid
// one is ignored; schema validation reports it), then the built-in and relation method table, then
// READ for a single GET or HEAD route, then LoopBack's name list, else EXECUTE.
// name may carry a "prototype." prefix; verbs are the HTTP verbs of the method's routes.
func AccessTypeOf(name string, explicit string, verbs []string) string {
	if t := strings.ToUpper(explicit); t != All && ValidAccessType(t) {
		return t
	}
	name = strings.TrimPrefix(name, "prototype.")
	if t, ok := builtinAccessTypes[name]; ok {
		return t
	}
	if op, ok := relationOp(name); ok {
		if t, ok := relationAccessTypes[op]; ok {
			return t
		}
	}
	if len(verbs) == 1 {
		switch strings.ToUpper(verbs[0]) {
		case "GET", "HEAD":
			return READ
		}
	}
	if t, ok := derivedAccessTypes[name]; ok {
		return t
	}
	return EXECUTE
}

// relationOp extracts "op" from a relation method name "__op__relation".
func relationOp(name string) (string, bool) {
	rest, ok := strings.CutPrefix(name, "__")
	if !ok {
		return "", false
	}
	op, rel, ok := strings.Cut(rest, "__")
	if !ok || op == "" || rel == "" {
		return "", false
	}
	return op, true
}
