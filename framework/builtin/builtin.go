// Package builtin holds Loopgo's built-in models (User, AccessToken, ACL, Role, RoleMapping) as
// embedded YAML, and the Go logic behind them: passwords (bcrypt, a length and common-password
// policy), access tokens and sessions, login with throttling, logout, email verification,
// password reset and change, and the operation hooks that keep tokens consistent with
// credential changes and disabled accounts.
//
// User settings read here, with their defaults (LoopBack's unless marked):
//
//	ttl 1209600, maxTTL 31556926, allowEternalTokens false, caseSensitiveEmail true,
//	emailVerificationRequired false, realmRequired false, realmDelimiter "", saltWorkFactor 10,
//	resetPasswordTokenTTL 900,
//	rejectPasswordChangesViaPatchOrReplace true (LoopBack: false),
//	restrictResetPasswordTokenScope true (LoopBack: false),
//	passwordMinLength 8, passwordCheckCommon true, verificationTokenTTL 86400 (Loopgo's own),
//	loginThrottle, mailThrottle (Loopgo's own; see LoginThrottleOf and MailThrottleOf).
package builtin

import "embed"

// FS holds the built-in model definitions.
//
//go:embed models/*.yaml
var FS embed.FS
