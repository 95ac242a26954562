package builtin

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

	// DefaultTTL is the default access token lifetime in seconds (two weeks).
	DefaultTTL = 1209600
	// DefaultMaxTTL is the default cap on a requested token lifetime in seconds (one year).
	DefaultMaxTTL = 31556926
)

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
}

// settingsOf reads m's User settings with LoopBack's defaults; realmDelimiter implies
// realmRequired as in LoopBack's login.
func settingsOf(m *schema.Model) userSettings {
	s := userSettings{
		ttl:                int64(m.IntSetting(settingTTL, DefaultTTL)),
		maxTTL:             int64(m.IntSetting(settingMaxTTL, DefaultMaxTTL)),
		allowEternal:       m.BoolSetting(settingAllowEternal, false),
		caseSensitiveEmail: m.BoolSetting(settingCaseSensitiveEmail, true),
		verificationReq:    m.BoolSetting(settingVerificationReq, false),
		realmDelimiter:     m.StringSetting(settingRealmDelimiter, ""),
		cost:               EffectiveCost(m.IntSetting(settingSaltWorkFactor, DefaultSaltWorkFactor)),
	}
	s.realmRequired = m.BoolSetting(settingRealmRequired, false) || s.realmDelimiter != ""
	if s.ttl == 0 {
		s.ttl = DefaultTTL
	}
	return s
}
