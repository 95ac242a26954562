package acl

import (
	"slices"
	"strings"
)

// Request is what is being accessed and by whom, as the framework knows it for one method call.
type Request struct {
	Model        string   // target model name
	Property     string   // canonical method name ("*" or "" for a programmatic wildcard check)
	Aliases      []string // other names of the method (e.g. "updateAttributes" for patchAttributes)
	AccessType   string   // READ, WRITE, EXECUTE, REPLICATE ("*" or "" for a wildcard check)
	UserID       string   // the token's user id; "" when anonymous
	UserModel    string   // the token's principal type when the app has several user models (e.g. "Customer"); "" = USER
	AppID        string   // the token's application id, if any
	TokenScopes  []string // the token's scopes; nil means ["DEFAULT"]
	MethodScopes []string // the method's accessScopes; nil means ["DEFAULT"]
	ModelID      string   // target instance id; "" when the method carries no id
	IsUserModel  bool     // the target model is User or extends it
}

// Principal is one identity of a request: a user or an application.
type Principal struct {
	Type string // USER, APP, or a user model name
	ID   string
}

// Principals returns the request's identities: the user id under USER, or under the user
// model's name when UserModel names one (apps with several user models, where ids of different
// models may be equal: as LoopBack, one or the other, never both); APP for the app id; none
// when anonymous.
func (r *Request) Principals() []Principal {
	var ps []Principal
	if r.UserID != "" {
		ps = append(ps, Principal{Type: r.userType(), ID: r.UserID})
	}
	if r.AppID != "" {
		ps = append(ps, Principal{Type: APP, ID: r.AppID})
	}
	return ps
}

// Authenticated reports whether the request carries a user id or an app id.
func (r *Request) Authenticated() bool { return r.UserID != "" || r.AppID != "" }

// IsWildcard reports whether the request's model, property or access type is "*" (programmatic
// checks only; REST calls are never wildcards).
func (r *Request) IsWildcard() bool {
	return orAll(r.Model) == All || orAll(r.Property) == All || orAll(r.AccessType) == All
}

// ScopeAllowed reports whether the token's scopes share one with the method's (spec 2.6).
func (r *Request) ScopeAllowed() bool {
	token := scopesOrDefault(r.TokenScopes)
	for _, s := range scopesOrDefault(r.MethodScopes) {
		if slices.Contains(token, s) {
			return true
		}
	}
	return false
}

// matchesPrincipal reports whether a USER, APP or user-model-typed entry names this request's
// user or application (ids compared as strings). ROLE entries are resolved by the Checker.
func (r *Request) matchesPrincipal(e *Entry) bool {
	t := canonicalPrincipalType(e.PrincipalType)
	switch {
	case t == r.userType() || (t == USER && r.userType() == USER):
		return r.UserID != "" && e.PrincipalID == r.UserID
	case t == APP:
		return r.AppID != "" && e.PrincipalID == r.AppID
	}
	return false
}

// cacheKey identifies everything a role resolver may look at, for the per-Checker role cache.
func (r *Request) cacheKey() string {
	user := "0"
	if r.IsUserModel {
		user = "1"
	}
	return strings.Join([]string{r.Model, r.ModelID, r.Property, r.AccessType, r.UserID,
		r.UserModel, r.AppID, user, strings.Join(r.Aliases, ",")}, "\x00")
}

// scopesOrDefault returns s, or ["DEFAULT"] when s is nil.
func scopesOrDefault(s []string) []string {
	if s == nil {
		return []string{DefaultScope}
	}
	return s
}

// userType is the principal type of the request's user: USER, or the user model's name.
func (r *Request) userType() string {
	if r.UserModel == "" || r.UserModel == USER {
		return USER
	}
	return r.UserModel
}
