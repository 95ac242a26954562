// Package accounts is Loopgo's account layer: the built-in models (User, AccessToken, ACL,
// Role, RoleMapping) as embedded YAML, and the Go logic behind user models: passwords (bcrypt,
// a length and common-password policy), access tokens and sessions (with an inactivity
// timeout, and a short in-memory cache of resolved tokens), login with throttling (a soft
// lockout that trusts the owner's usual addresses) and multi-factor authentication (TOTP, RFC
// 6238), logout, email verification, password reset and change, security notices by mail, the
// sign-up throttle and the recent-login guards, and the operation hooks that keep tokens
// consistent with credential changes and disabled accounts.
//
// Users is the Go API of one user model. Service is the layer an application installs: New
// takes its dependencies (Config: registry, datasources, logger, an admin check, mail), and
// the application binds what it returns: Methods (User's remote methods), RemoteHooks (in their
// order), TokenCacheClear, and, at start-up, Setup's operation hooks. The package does not
// import the root framework package.
//
// User settings, with their defaults (LoopBack's unless marked), are all read by SettingsOf
// (settings.go), which names them:
//
//	ttl 1209600, maxTTL 31556926, allowEternalTokens false, caseSensitiveEmail true,
//	emailVerificationRequired false, realmRequired false, realmDelimiter "", saltWorkFactor 10,
//	resetPasswordTokenTTL 900,
//	rejectPasswordChangesViaPatchOrReplace true (LoopBack: false),
//	restrictResetPasswordTokenScope true (LoopBack: false),
//	passwordMinLength 8, passwordCheckCommon true, verificationTokenTTL 86400 (Loopgo's own),
//	loginThrottle, mailThrottle (Loopgo's own; see LoginThrottleOf and MailThrottleOf),
//	registerThrottle {max: 20, window: 3600} (Loopgo's own; false = off),
//	inactivityTimeout 604800 (Loopgo's own; seconds, 0 = off),
//	reauthenticateWithin 900, notifyChanges true (Loopgo's own),
//	mfaIssuer "Loopgo", mfaSecretKey "" (Loopgo's own; see MFAEnroll).
//
// MFA secrets: TOTP needs the secret itself, so it cannot be stored hashed. It lives in the
// hidden mfaSecret column (mfaPendingSecret during enrolment), never in a response, a log line
// or an error message, and only the MFA methods can write it. With the mfaSecretKey setting
// (16 characters or more, kept out of the database, e.g. set from the environment by a boot
// function) secrets are stored sealed with AES-256-GCM, bound to their user's id, so that a
// reader of the database alone cannot compute codes; secrets stored before the key was set
// keep working in clear until re-enrolment. There is no key rotation: changing the key breaks
// the sealed secrets (an admin's MFAReset and a new enrolment recover an account).
package accounts

import "embed"

// FS holds the built-in model definitions.
//
//go:embed models/*.yaml
var FS embed.FS
