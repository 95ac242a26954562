package acl

// All is the wildcard for a model, property or access type.
const All = "*"

// Access types of an ACL entry or a request.
const (
	READ      = "READ"      // READ is reading data.
	WRITE     = "WRITE"     // WRITE is changing data.
	EXECUTE   = "EXECUTE"   // EXECUTE is invoking a method that is neither READ nor WRITE.
	REPLICATE = "REPLICATE" // REPLICATE is pulling changes (replication).
)

// Permissions of an ACL entry, in increasing order (see PermissionOrder).
const (
	DEFAULT = "DEFAULT" // DEFAULT is "not specified": the model's defaultPermission decides.
	ALLOW   = "ALLOW"   // ALLOW grants access.
	ALARM   = "ALARM"   // ALARM grants access (LoopBack: and raises an alarm).
	AUDIT   = "AUDIT"   // AUDIT grants access (LoopBack: and records it).
	DENY    = "DENY"    // DENY refuses access.
)

// Principal types of an ACL entry. A user model name (e.g. "Customer") is also accepted for users.
const (
	USER        = "USER"  // USER is a user, by id.
	APP         = "APP"   // APP is a client application, by id.
	APPLICATION = APP     // APPLICATION is LoopBack's other name for APP.
	ROLE        = "ROLE"  // ROLE is a role, by name.
	SCOPE       = "SCOPE" // SCOPE is an OAuth scope principal; requests never carry one, so it never matches.
)

// Built-in role names.
const (
	RoleOwner           = "$owner"           // RoleOwner is the owner of the target instance.
	RoleRelated         = "$related"         // RoleRelated is a placeholder with no resolver (static lookup only).
	RoleAuthenticated   = "$authenticated"   // RoleAuthenticated is any request with a user or app id.
	RoleUnauthenticated = "$unauthenticated" // RoleUnauthenticated is any request without one.
	RoleEveryone        = "$everyone"        // RoleEveryone is every request.
)

// DefaultScope is the scope a token or a method has when it declares none.
const DefaultScope = "DEFAULT"

// PermissionOrder returns a permission's rank: DEFAULT 0, ALLOW 1, ALARM 2, AUDIT 3, DENY 4.
// An unknown permission ranks as DENY, so a malformed rule can only refuse, never grant.
func PermissionOrder(p string) int {
	switch p {
	case DEFAULT:
		return 0
	case ALLOW:
		return 1
	case ALARM:
		return 2
	case AUDIT:
		return 3
	}
	return 4
}

// ValidAccessType reports whether s is READ, WRITE, EXECUTE, REPLICATE or "*".
func ValidAccessType(s string) bool {
	switch s {
	case READ, WRITE, EXECUTE, REPLICATE, All:
		return true
	}
	return false
}

// ValidPermission reports whether s is DEFAULT, ALLOW, ALARM, AUDIT or DENY.
func ValidPermission(s string) bool {
	switch s {
	case DEFAULT, ALLOW, ALARM, AUDIT, DENY:
		return true
	}
	return false
}

// canonicalPrincipalType maps "APPLICATION" to APP and leaves every other type as written.
func canonicalPrincipalType(t string) string {
	if t == "APPLICATION" {
		return APP
	}
	return t
}

// resolvedPermission is what a winning rule's permission resolves to: "" is DEFAULT (as LoopBack),
// an unknown value is DENY (fail closed).
func resolvedPermission(p string) string {
	if p == "" {
		return DEFAULT
	}
	if !ValidPermission(p) {
		return DENY
	}
	return p
}
