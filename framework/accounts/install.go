package accounts

import (
	"github.com/loopgo/loopgo/framework/rest"
	"github.com/loopgo/loopgo/framework/store"
)

// Method is a remote method of the User model (inherited by its subclasses), declared in
// User.yaml and implemented here: Name is "login" (static) or "prototype.verify".
type Method struct {
	Name string
	Fn   rest.Func
}

// Remote hook phases of RemoteHook.When.
const (
	BeforeRemote = "before"
	AfterRemote  = "after"
)

// RemoteHook is an app-wide remote hook ("**") of the account layer.
type RemoteHook struct {
	Name string // what it does, for tests and logs
	When string // BeforeRemote or AfterRemote
	Fn   rest.RemoteHook
}

// OperationHook is an operation hook of user models, registered on "User".
type OperationHook struct {
	Name string // store hook name: "access", "before save", ...
	Fn   store.Hook
}

// Methods returns the User model's remote methods implemented by the account layer, for the
// application to bind on "User".
func (s *Service) Methods() []Method {
	return []Method{
		{"login", s.remoteLogin},
		{"logout", s.remoteLogout},
		{"prototype.verify", s.remoteVerify},
		{"confirm", s.remoteConfirm},
		{"resetPassword", s.remoteResetPassword},
		{"changePassword", s.remoteChangePassword},
		{"setPassword", s.remoteSetPassword},
		{"prototype.sessions", s.remoteSessions},
		{"prototype.revokeSession", s.remoteRevokeSession},
		{"prototype.revokeOtherSessions", s.remoteRevokeOtherSessions},
		{"prototype.revokeAllSessions", s.remoteRevokeAllSessions},
		{"revokeEverySession", s.remoteRevokeEverySession},
		{"prototype.mfaEnroll", s.remoteMFAEnroll},
		{"prototype.mfaActivate", s.remoteMFAActivate},
		{"prototype.mfaDisable", s.remoteMFADisable},
		{"prototype.mfaReset", s.remoteMFAReset},
	}
}

// RemoteHooks returns the account layer's remote hooks in the order they must be registered:
// the sign-up throttle first (every sign-up attempt counts, even one refused later), then
// Cache-Control, the server-owned user fields, the application's owner stamp (ownerStamp, the
// `ownerFromToken` hook; skipped when nil), the recent-login guards of email changes and of
// the session methods; after the method, the change notice and the verification mail.
func (s *Service) RemoteHooks(ownerStamp rest.RemoteHook) []RemoteHook {
	hooks := []RemoteHook{
		{"throttleRegistration", BeforeRemote, s.throttleRegistration},
		{"noStoreForUsers", BeforeRemote, noStoreForUsers},
		{"guardServerOwnedFields", BeforeRemote, s.guardServerOwnedFields},
	}
	if ownerStamp != nil {
		hooks = append(hooks, RemoteHook{"stampOwner", BeforeRemote, ownerStamp})
	}
	return append(hooks,
		RemoteHook{"guardEmailChange", BeforeRemote, s.guardEmailChange},
		RemoteHook{"guardSessions", BeforeRemote, s.guardSessions},
		RemoteHook{"notifyEmailChange", AfterRemote, s.notifyEmailChange},
		RemoteHook{"verifyAfterCreate", AfterRemote, s.verifyAfterCreate},
	)
}

// TokenCacheClear is the "after delete" hook of AccessToken that empties the token cache: any
// token deletion through this application is seen at once.
func (s *Service) TokenCacheClear() store.Hook { return s.tokens.clear }

// OperationHooks returns the operation hooks of user models in registration order: the access
// hook (email case), before save (password policy and hashing, password changes by patch
// refused, MFA properties kept to the MFA methods, which users lose their tokens), after save
// (token revocation) and before delete (tokens of deleted users). Settings are read from the
// model being saved, so one registration on "User" serves every user model on the store.
func (u *Users) OperationHooks() []OperationHook {
	return []OperationHook{
		{"access", u.normalizeEmailQuery},
		{"before save", u.beforeSave},
		{"after save", u.afterSave},
		{"before delete", u.beforeDelete},
	}
}
