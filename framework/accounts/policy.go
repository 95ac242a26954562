package accounts

import (
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn/frequency"

	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/schema"
)

// DefaultPasswordMinLength is the shortest new password accepted, in characters, when a user
// model sets no passwordMinLength (ASVS 6.2.1).
const DefaultPasswordMinLength = 8

// Validation codes and messages of the password policy, on property "password".
const (
	// CodeTooShort is the code of a password shorter than the policy's minimum.
	CodeTooShort = "length.min"
	// CodeCommon is the code of a password on the common-password list.
	CodeCommon = "common"
	// msgCommon is the message of CodeCommon.
	msgCommon = "is too common: choose a less common password"
)

// PasswordPolicy is what a new password must meet besides ValidatePassword's checks: a minimum
// length and, optionally, not being a common password. There are no composition rules.
type PasswordPolicy struct {
	MinLength   int  // in characters (Unicode code points); <= 1 = any non-empty password
	CheckCommon bool // reject passwords of the common-password list (case-insensitively)
}

// PolicyOf returns the password policy of a user model: settings passwordMinLength (default 8)
// and passwordCheckCommon (default true).
func PolicyOf(m *schema.Model) PasswordPolicy { return SettingsOf(m).Password }

// Check validates a new password of a model named model: ValidatePassword's 422 errors first
// (INVALID_PASSWORD, PASSWORD_TOO_LONG), then the policy, whose failures are one 422
// ValidationError on property "password" with codes "length.min" and/or "common".
func (p PasswordPolicy) Check(model string, plain any) error {
	if err := ValidatePassword(plain); err != nil {
		return err
	}
	s, _ := plain.(string)
	verr := apierr.NewValidation(model)
	if n := utf8.RuneCountInString(s); n < p.MinLength {
		verr.Add("password", CodeTooShort, fmt.Sprintf("is too short (minimum is %d characters)", p.MinLength), nil)
	}
	if p.CheckCommon && IsCommonPassword(s) {
		verr.Add("password", CodeCommon, msgCommon, nil)
	}
	return verr.Err()
}

// commonPasswords is the lower-cased set of the 30,000 most frequent passwords of the zxcvbn
// frequency lists (github.com/trustelem/zxcvbn/frequency), built on first use.
var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	list := frequency.FrequencyLists["passwords"]
	set := make(map[string]struct{}, len(list))
	for _, w := range list {
		set[strings.ToLower(w)] = struct{}{}
	}
	return set
})

// IsCommonPassword reports whether s, lower-cased, is on the common-password list.
func IsCommonPassword(s string) bool {
	_, ok := commonPasswords()[strings.ToLower(s)]
	return ok
}
