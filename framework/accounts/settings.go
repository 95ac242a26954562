package accounts

import (
	"time"

	"github.com/loopgo/loopgo/framework/schema"
	"github.com/loopgo/loopgo/framework/throttle"
)

// Setting names of the User model read by this package (lb3.md 1.2, and Loopgo's own). Every
// account setting is read in SettingsOf, and nowhere else.
const (
	SettingTTL                 = "ttl"
	SettingMaxTTL              = "maxTTL"
	SettingAllowEternal        = "allowEternalTokens"
	SettingCaseSensitiveEmail  = "caseSensitiveEmail"
	SettingVerificationReq     = "emailVerificationRequired"
	SettingRealmRequired       = "realmRequired"
	SettingRealmDelimiter      = "realmDelimiter"
	SettingSaltWorkFactor      = "saltWorkFactor"
	SettingPasswordMinLength   = "passwordMinLength"
	SettingPasswordCheckCommon = "passwordCheckCommon"
	SettingRejectPasswordPatch = "rejectPasswordChangesViaPatchOrReplace"
	SettingRestrictResetScope  = "restrictResetPasswordTokenScope"
	SettingResetTTL            = "resetPasswordTokenTTL"
	SettingVerificationTTL     = "verificationTokenTTL"
	SettingLoginThrottle       = "loginThrottle"
	SettingMailThrottle        = "mailThrottle"
	SettingRegisterThrottle    = "registerThrottle"
	SettingMFAIssuer           = "mfaIssuer"
	SettingMFASecretKey        = "mfaSecretKey"
	SettingInactivityTimeout   = "inactivityTimeout"
	SettingReauthenticate      = "reauthenticateWithin"
	SettingNotifyChanges       = "notifyChanges"
)

// Defaults of the User settings (LoopBack's unless marked).
const (
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
	// DefaultReauthenticateWithin is how recent in seconds a login must be for an email change,
	// the session methods and MFA enrolment or disabling (Loopgo's own; 0 = off).
	DefaultReauthenticateWithin = 900
)

// DefaultRegisterThrottle is the default limit of sign-up attempts per client address (setting
// registerThrottle: {max, window} in seconds, or false).
var DefaultRegisterThrottle = throttle.Rule{Name: "register-addr", Max: 20, Window: time.Hour}

// ResetPasswordScope is the scope of password-reset tokens (restrictResetPasswordTokenScope):
// such a token is good for setPassword only.
const ResetPasswordScope = "reset-password"

// Settings are the account settings of one user model, with their defaults applied.
type Settings struct {
	TTL                       int64  // ttl: token lifetime in seconds (0 = DefaultTTL)
	MaxTTL                    int64  // maxTTL: cap on a requested lifetime
	AllowEternalTokens        bool   // allowEternalTokens: ttl -1 accepted
	CaseSensitiveEmail        bool   // caseSensitiveEmail (default true)
	EmailVerificationRequired bool   // emailVerificationRequired: no login before verification
	RealmRequired             bool   // realmRequired, or implied by realmDelimiter
	RealmDelimiter            string // realmDelimiter
	SaltWorkFactor            int    // saltWorkFactor as written (see Cost)
	Cost                      int    // the bcrypt cost used: EffectiveCost(SaltWorkFactor)

	RejectPasswordPatch bool   // rejectPasswordChangesViaPatchOrReplace (Loopgo default true)
	RestrictResetScope  bool   // restrictResetPasswordTokenScope (Loopgo default true)
	ResetTTL            int64  // resetPasswordTokenTTL in seconds
	VerificationTTL     int64  // verificationTokenTTL in seconds
	InactivityTimeout   int64  // inactivityTimeout in seconds; 0 = off
	MFAIssuer           string // mfaIssuer
	MFASecretKey        string // mfaSecretKey; "" = TOTP secrets stored in clear

	Password             PasswordPolicy // passwordMinLength, passwordCheckCommon
	LoginThrottle        LoginThrottle  // loginThrottle
	MailThrottle         MailThrottle   // mailThrottle
	RegisterThrottle     *throttle.Rule // registerThrottle; nil = off
	ReauthenticateWithin int            // reauthenticateWithin in seconds; 0 = off
	NotifyChanges        bool           // notifyChanges: security notices by mail (default true)
}

// SettingsOf reads m's account settings with their defaults (LoopBack's, Loopgo's where it
// differs: rejectPasswordChangesViaPatchOrReplace and restrictResetPasswordTokenScope default
// to true); realmDelimiter implies realmRequired as in LoopBack's login. It reads them on every
// call, since boot functions may change settings after New.
func SettingsOf(m *schema.Model) Settings {
	s := Settings{
		TTL:                       int64(m.IntSetting(SettingTTL, DefaultTTL)),
		MaxTTL:                    int64(m.IntSetting(SettingMaxTTL, DefaultMaxTTL)),
		AllowEternalTokens:        m.BoolSetting(SettingAllowEternal, false),
		CaseSensitiveEmail:        m.BoolSetting(SettingCaseSensitiveEmail, true),
		EmailVerificationRequired: m.BoolSetting(SettingVerificationReq, false),
		RealmDelimiter:            m.StringSetting(SettingRealmDelimiter, ""),
		SaltWorkFactor:            m.IntSetting(SettingSaltWorkFactor, DefaultSaltWorkFactor),

		RejectPasswordPatch: m.BoolSetting(SettingRejectPasswordPatch, true),
		RestrictResetScope:  m.BoolSetting(SettingRestrictResetScope, true),
		ResetTTL:            int64(m.IntSetting(SettingResetTTL, DefaultResetTTL)),
		VerificationTTL:     int64(m.IntSetting(SettingVerificationTTL, DefaultVerificationTTL)),
		InactivityTimeout:   int64(m.IntSetting(SettingInactivityTimeout, DefaultInactivityTimeout)),
		MFAIssuer:           m.StringSetting(SettingMFAIssuer, DefaultMFAIssuer),
		MFASecretKey:        m.StringSetting(SettingMFASecretKey, ""),

		Password: PasswordPolicy{
			MinLength:   m.IntSetting(SettingPasswordMinLength, DefaultPasswordMinLength),
			CheckCommon: m.BoolSetting(SettingPasswordCheckCommon, true),
		},
		LoginThrottle:        loginThrottleOf(m),
		MailThrottle:         mailThrottleOf(m),
		RegisterThrottle:     registerThrottleOf(m),
		ReauthenticateWithin: m.IntSetting(SettingReauthenticate, DefaultReauthenticateWithin),
		NotifyChanges:        m.BoolSetting(SettingNotifyChanges, true),
	}
	s.Cost = EffectiveCost(s.SaltWorkFactor)
	s.RealmRequired = m.BoolSetting(SettingRealmRequired, false) || s.RealmDelimiter != ""
	if s.TTL == 0 {
		s.TTL = DefaultTTL
	}
	if s.ResetTTL <= 0 {
		s.ResetTTL = DefaultResetTTL
	}
	if s.VerificationTTL <= 0 {
		s.VerificationTTL = DefaultVerificationTTL
	}
	s.InactivityTimeout = max(s.InactivityTimeout, 0)
	if s.MFAIssuer == "" {
		s.MFAIssuer = DefaultMFAIssuer
	}
	return s
}

// loginThrottleOf reads the loginThrottle setting: absent = DefaultLoginThrottle, false = off
// (zero rules), or a mapping overriding some of {accountAddressMax, accountAddressWindow,
// addressMax, addressWindow, accountMax, accountWindow, trustedWindow} (windows in seconds; a
// Max of 0 turns that rule off, a trustedWindow of 0 trusts no address).
func loginThrottleOf(m *schema.Model) LoginThrottle {
	t := DefaultLoginThrottle
	v, ok := m.Setting(SettingLoginThrottle)
	if !ok {
		return t
	}
	if b, isBool := v.(bool); isBool {
		if !b {
			return LoginThrottle{}
		}
		return t
	}
	o, _ := v.(map[string]any)
	override(&t.AccountAddress, o, "accountAddress")
	override(&t.Address, o, "address")
	override(&t.Account, o, "account")
	if n, ok := schema.ParseNumber(o["trustedWindow"]); ok {
		t.Trusted = time.Duration(n * float64(time.Second))
	}
	return t
}

// mailThrottleOf reads the mailThrottle setting: absent = DefaultMailThrottle, false = off, or
// a mapping overriding some of {emailMax, emailWindow, addressMax, addressWindow} (windows in
// seconds).
func mailThrottleOf(m *schema.Model) MailThrottle {
	t := DefaultMailThrottle
	v, ok := m.Setting(SettingMailThrottle)
	if !ok {
		return t
	}
	if b, isBool := v.(bool); isBool {
		if !b {
			return MailThrottle{}
		}
		return t
	}
	o, _ := v.(map[string]any)
	override(&t.Email, o, "email")
	override(&t.Address, o, "address")
	return t
}

// override sets r's Max and Window from o[prefix+"Max"] and o[prefix+"Window"] (seconds) when
// they are numbers.
func override(r *throttle.Rule, o map[string]any, prefix string) {
	if n, ok := schema.ParseNumber(o[prefix+"Max"]); ok {
		r.Max = int(n)
	}
	if n, ok := schema.ParseNumber(o[prefix+"Window"]); ok {
		r.Window = time.Duration(n * float64(time.Second))
	}
}

// registerThrottleOf reads the registerThrottle setting: absent or true =
// DefaultRegisterThrottle, false = off (nil), or {max, window} (window in seconds) overriding
// the default; only YAML or Go numbers count (not numeric strings).
func registerThrottleOf(m *schema.Model) *throttle.Rule {
	rule := DefaultRegisterThrottle
	switch v := m.Settings[SettingRegisterThrottle].(type) {
	case bool:
		if !v {
			return nil
		}
	case map[string]any:
		if n, ok := plainNumber(v["max"]); ok {
			rule.Max = int(n)
		}
		if w, ok := plainNumber(v["window"]); ok {
			rule.Window = time.Duration(w * float64(time.Second))
		}
	}
	return &rule
}

// plainNumber reads a YAML or Go number setting (int, int64 or float64).
func plainNumber(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}
