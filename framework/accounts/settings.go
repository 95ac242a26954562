package accounts

import "github.com/loopgo/loopgo/framework/schema"

// Setting names and defaults of the User model read by this package (lb3.md 1.2).
const (
	settingTTL                = "ttl"
	settingMaxTTL             = "maxTTL"
	settingAllowEternal       = "allowEternalTokens"
	settingCaseSensitiveEmail = "caseSensitiveEmail"
	settingVerificationReq    = "emailVerificationRequired"
	settingRealmRequired      = "realmRequired"
	settingRealmDelimiter     = "realmDelimiter"
	settingSaltWorkFactor     = "saltWorkFactor"

	settingPasswordMinLength   = "passwordMinLength"
	settingPasswordCheckCommon = "passwordCheckCommon"
	settingRejectPasswordPatch = "rejectPasswordChangesViaPatchOrReplace"
	settingRestrictResetScope  = "restrictResetPasswordTokenScope"
	settingResetTTL            = "resetPasswordTokenTTL"
	settingVerificationTTL     = "verificationTokenTTL"
	settingLoginThrottle       = "loginThrottle"
	settingMailThrottle        = "mailThrottle"
	settingMFAIssuer           = "mfaIssuer"
	settingMFASecretKey        = "mfaSecretKey"
	settingInactivityTimeout   = "inactivityTimeout"

	// DefaultTTL is the default access token lifetime in seconds (two weeks).
	DefaultTTL = 1209600
	// DefaultMaxTTL is the default cap on a requested token lifetime in seconds (one year).
	DefaultMaxTTL = 31556926
	// DefaultResetTTL is the default lifetime of a password-reset token in seconds (15 minutes).
	DefaultResetTTL = 900
	// DefaultVerificationTTL is the default lifetime of an email verification token in seconds
	// (one day).
	DefaultVerificationTTL = 86400
	// DefaultMFAIssuer is the issuer named in the otpauth URL of an MFA enrolment.
	DefaultMFAIssuer = "Loopgo"
	// DefaultInactivityTimeout is how long in seconds an access token may go unused before it
	// stops working (seven days).
	DefaultInactivityTimeout = 604800
)

// ResetPasswordScope is the scope of password-reset tokens (restrictResetPasswordTokenScope):
// such a token is good for setPassword only.
const ResetPasswordScope = "reset-password"

// userSettings are the User settings of one model, read once.
type userSettings struct {
	ttl                int64
	maxTTL             int64
	allowEternal       bool
	caseSensitiveEmail bool
	verificationReq    bool
	realmRequired      bool
	realmDelimiter     string
	cost               int

	rejectPasswordPatch bool  // rejectPasswordChangesViaPatchOrReplace (Loopgo default true)
	restrictResetScope  bool  // restrictResetPasswordTokenScope (Loopgo default true)
	resetTTL            int64 // resetPasswordTokenTTL in seconds
	verificationTTL     int64 // verificationTokenTTL in seconds
	inactivityTimeout   int64 // inactivityTimeout in seconds; 0 = off
	mfaIssuer           string
}

// settingsOf reads m's User settings with LoopBack's defaults (Loopgo's where it differs:
// rejectPasswordChangesViaPatchOrReplace and restrictResetPasswordTokenScope default to true);
// realmDelimiter implies realmRequired as in LoopBack's login.
func settingsOf(m *schema.Model) userSettings {
	s := userSettings{
		ttl:                int64(m.IntSetting(settingTTL, DefaultTTL)),
		maxTTL:             int64(m.IntSetting(settingMaxTTL, DefaultMaxTTL)),
		allowEternal:       m.BoolSetting(settingAllowEternal, false),
		caseSensitiveEmail: m.BoolSetting(settingCaseSensitiveEmail, true),
		verificationReq:    m.BoolSetting(settingVerificationReq, false),
		realmDelimiter:     m.StringSetting(settingRealmDelimiter, ""),
		cost:               EffectiveCost(m.IntSetting(settingSaltWorkFactor, DefaultSaltWorkFactor)),

		rejectPasswordPatch: m.BoolSetting(settingRejectPasswordPatch, true),
		restrictResetScope:  m.BoolSetting(settingRestrictResetScope, true),
		resetTTL:            int64(m.IntSetting(settingResetTTL, DefaultResetTTL)),
		verificationTTL:     int64(m.IntSetting(settingVerificationTTL, DefaultVerificationTTL)),
		inactivityTimeout:   int64(m.IntSetting(settingInactivityTimeout, DefaultInactivityTimeout)),
		mfaIssuer:           m.StringSetting(settingMFAIssuer, DefaultMFAIssuer),
	}
	s.realmRequired = m.BoolSetting(settingRealmRequired, false) || s.realmDelimiter != ""
	if s.ttl == 0 {
		s.ttl = DefaultTTL
	}
	if s.resetTTL <= 0 {
		s.resetTTL = DefaultResetTTL
	}
	if s.verificationTTL <= 0 {
		s.verificationTTL = DefaultVerificationTTL
	}
	s.inactivityTimeout = max(s.inactivityTimeout, 0)
	if s.mfaIssuer == "" {
		s.mfaIssuer = DefaultMFAIssuer
	}
	return s
}
