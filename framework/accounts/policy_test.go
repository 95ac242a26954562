package accounts

import (
	"context"
	"strings"
	"testing"

	"github.com/loopgo/loopgo/framework/schema"
)

func TestPasswordPolicyCheck(t *testing.T) {
	def := PasswordPolicy{MinLength: 8, CheckCommon: true}
	tests := []struct {
		name   string
		policy PasswordPolicy
		in     any
		code   string   // an *apierr.Error code, or ""
		vcodes []string // ValidationError codes on password, or nil
	}{
		{"ok", def, "correct horse 1", "", nil},
		{"8 characters", def, "zq8#Lm2!", "", nil},
		{"7 characters", def, "zq8#Lm2", "", []string{"length.min"}},
		{"8 runes of 2 bytes count as 8", def, strings.Repeat("é", 8), "", nil},
		{"7 runes of 2 bytes are too short", def, strings.Repeat("é", 7), "", []string{"length.min"}},
		{"common: password", def, "password", "", []string{"common"}},
		{"common: 123456789", def, "123456789", "", []string{"common"}},
		{"common: qwertyuiop", def, "qwertyuiop", "", []string{"common"}},
		{"common: iloveyou", def, "iloveyou", "", []string{"common"}},
		{"common, any case", def, "PassWord1", "", []string{"common"}},
		{"short and common", def, "123456", "", []string{"length.min", "common"}},
		{"no composition rules: spaces only", def, strings.Repeat(" ", 9), "", nil},
		{"72 bytes", def, strings.Repeat("ab", 36), "", nil},
		{"73 bytes", def, strings.Repeat("a", 73), "PASSWORD_TOO_LONG", nil},
		{"empty", def, "", "INVALID_PASSWORD", nil},
		{"not a string", def, 12345678.0, "INVALID_PASSWORD", nil},
		{"common list off", PasswordPolicy{MinLength: 8}, "password", "", nil},
		{"longer minimum", PasswordPolicy{MinLength: 12, CheckCommon: true}, "correct horse", "", nil},
		{"longer minimum, too short", PasswordPolicy{MinLength: 12, CheckCommon: true}, "correcthors", "", []string{"length.min"}},
		{"no minimum", PasswordPolicy{}, "x", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.policy.Check("User", tc.in)
			switch {
			case tc.code != "":
				wantAPIError(t, err, 422, tc.code, map[string]string{
					"PASSWORD_TOO_LONG": "The password entered was too long. Max length is 72 (entered 73)",
					"INVALID_PASSWORD":  "Invalid password.",
				}[tc.code])
			case tc.vcodes != nil:
				wantValidation(t, err, "password", tc.vcodes...)
			case err != nil:
				t.Fatalf("Check = %v, want nil", err)
			}
		})
	}
}

func TestPasswordPolicyMessages(t *testing.T) {
	err := PasswordPolicy{MinLength: 10, CheckCommon: true}.Check("Customer", "password")
	want := "The `Customer` instance is not valid. Details: `password` is too short (minimum is 10 characters) and " +
		"is too common: choose a less common password (value: undefined)."
	if err == nil || err.Error() != want {
		t.Fatalf("message = %v\nwant      %s", err, want)
	}
}

func TestPolicyOf(t *testing.T) {
	tests := []struct {
		settings map[string]any
		want     PasswordPolicy
	}{
		{nil, PasswordPolicy{MinLength: 8, CheckCommon: true}},
		{map[string]any{"passwordMinLength": 15}, PasswordPolicy{MinLength: 15, CheckCommon: true}},
		{map[string]any{"passwordCheckCommon": false}, PasswordPolicy{MinLength: 8}},
	}
	for _, tc := range tests {
		if got := PolicyOf(&schema.Model{Settings: tc.settings}); got != tc.want {
			t.Errorf("PolicyOf(%v) = %+v, want %+v", tc.settings, got, tc.want)
		}
	}
	if !IsCommonPassword("Dragon") || IsCommonPassword("correct horse 1") {
		t.Fatal("IsCommonPassword is wrong on Dragon or on a long passphrase")
	}
}

func TestCreateAppliesPolicy(t *testing.T) {
	t.Parallel()
	e := newEnv(t, map[string]any{"passwordMinLength": 10})
	ctx := context.Background()
	tests := []struct {
		name     string
		password any
		vcodes   []string
	}{
		{"short", "abcdefg12", []string{"length.min"}},
		{"common", "1234567890", []string{"common"}},
		{"a bcrypt hash skips the policy (seeding)", knownHash, nil},
		{"long enough", "a long passphrase", nil},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.st.Create(ctx, e.user, map[string]any{"email": "p" + string(rune('a'+i)) + "@example.com", "password": tc.password})
			if tc.vcodes == nil {
				if err != nil {
					t.Fatalf("Create = %v", err)
				}
				return
			}
			wantValidation(t, err, "password", tc.vcodes...)
		})
	}
}
