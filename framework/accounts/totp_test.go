package accounts

import (
	"encoding/base32"
	"regexp"
	"testing"
	"time"
)

// rfcSeed is the HMAC-SHA1 key of the test vectors of RFC 4226 (appendix D) and RFC 6238
// (appendix B); rfcSeedBase32 is its base32 form.
const (
	rfcSeed       = "12345678901234567890"
	rfcSeedBase32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
)

func TestHOTPVectors(t *testing.T) {
	// RFC 4226 appendix D: counters 0 to 9, 6 digits.
	want := []string{"755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"}
	for counter, code := range want {
		if got := hotp([]byte(rfcSeed), int64(counter), 6); got != code {
			t.Errorf("HOTP(%d) = %s, want %s", counter, got, code)
		}
	}
}

func TestTOTPVectors(t *testing.T) {
	// RFC 6238 appendix B, SHA1 rows: 8 digits; the 6-digit code is their last 6 digits.
	tests := []struct {
		unix int64
		step int64
		code string
	}{
		{59, 0x1, "94287082"},
		{1111111109, 0x23523EC, "07081804"},
		{1111111111, 0x23523ED, "14050471"},
		{1234567890, 0x273EF07, "89005924"},
		{2000000000, 0x3F940AA, "69279037"},
		{20000000000, 0x27BC86AA, "65353130"},
	}
	for _, tc := range tests {
		at := time.Unix(tc.unix, 0).UTC()
		if got := totpStep(at); got != tc.step {
			t.Errorf("step(%d) = %X, want %X", tc.unix, got, tc.step)
		}
		if got := hotp([]byte(rfcSeed), totpStep(at), 8); got != tc.code {
			t.Errorf("TOTP-8(%d) = %s, want %s", tc.unix, got, tc.code)
		}
		got, err := TOTPCode(rfcSeedBase32, at)
		if err != nil || got != tc.code[2:] {
			t.Errorf("TOTPCode(%d) = %q, %v; want %s", tc.unix, got, err, tc.code[2:])
		}
	}
}

func TestTOTPSecrets(t *testing.T) {
	seen := map[string]bool{}
	for range 20 {
		s, err := NewTOTPSecret()
		if err != nil {
			t.Fatalf("NewTOTPSecret: %v", err)
		}
		if !regexp.MustCompile(`^[A-Z2-7]{32}$`).MatchString(s) || seen[s] {
			t.Fatalf("secret %q: want 32 new base32 characters without padding", s)
		}
		seen[s] = true
		b, err := base32.StdEncoding.DecodeString(s)
		if err != nil || len(b) != TOTPSecretBytes {
			t.Fatalf("secret %q decodes to %d bytes, %v", s, len(b), err)
		}
	}
	at := time.Unix(59, 0)
	decoding := []struct {
		name   string
		secret string
		ok     bool
	}{
		{"canonical", rfcSeedBase32, true},
		{"lower case with spaces, as typed", "gezd gnbv gy3t qojq gezd gnbv gy3t qojq", true},
		{"padded", rfcSeedBase32 + "====", true},
		{"not base32", "GEZDGNBVGY3TQOJ1", false},
		{"empty", "", false},
	}
	for _, tc := range decoding {
		code, err := TOTPCode(tc.secret, at)
		if tc.ok && (err != nil || code != "287082") {
			t.Errorf("%s: TOTPCode = %q, %v; want 287082", tc.name, code, err)
		}
		if !tc.ok && err == nil {
			t.Errorf("%s: TOTPCode = %q, want an error", tc.name, code)
		}
	}
}

func TestNormalizeCode(t *testing.T) {
	tests := []struct {
		in   any
		want string // "" = rejected
	}{
		{"287082", "287082"},
		{"287 082", "287082"},
		{" 012345 ", "012345"},
		{12345.0, "012345"},
		{287082, "287082"},
		{"28708", ""},
		{"2870821", ""},
		{"28708a", ""},
		{"２８７０８２", ""}, // full-width digits are not ASCII digits
		{-1.0, ""},
		{1e6, ""},
		{12.5, ""},
		{true, ""},
		{nil, ""},
		{[]any{"287082"}, ""},
	}
	for _, tc := range tests {
		got, ok := normalizeCode(tc.in)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("normalizeCode(%#v) = %q, %v; want %q", tc.in, got, ok, tc.want)
		}
	}
}

func TestMatchTOTP(t *testing.T) {
	key := []byte(rfcSeed)
	now := time.Unix(1111111111, 0) // step 0x23523ED, 1 s into it
	step := totpStep(now)
	code := func(s int64) string { return hotp(key, s, TOTPDigits) }
	tests := []struct {
		name     string
		code     string
		lastStep int64
		want     int64 // 0 = no match
	}{
		{"current step", code(step), -1, step},
		{"previous step (clock skew)", code(step - 1), -1, step - 1},
		{"next step (clock skew)", code(step + 1), -1, step + 1},
		{"two steps ago", code(step - 2), -1, 0},
		{"two steps ahead", code(step + 2), -1, 0},
		{"current step already used", code(step), step, 0},
		{"previous step, after a use of the current one", code(step - 1), step, 0},
		{"next step, after a use of the current one", code(step + 1), step, step + 1},
		{"current step, after a use of the previous one", code(step), step - 1, step},
		{"wrong code", "000000", -1, 0},
	}
	for _, tc := range tests {
		got, ok := matchTOTP(key, tc.code, now, tc.lastStep)
		if ok != (tc.want != 0) || got != tc.want {
			t.Errorf("%s: matchTOTP = %d, %v; want %d", tc.name, got, ok, tc.want)
		}
	}
}

func TestOTPAuthURL(t *testing.T) {
	tests := []struct {
		issuer, account, want string
	}{
		{"Loopgo", "alice@example.com",
			"otpauth://totp/Loopgo:alice%40example.com?secret=" + rfcSeedBase32 + "&issuer=Loopgo&algorithm=SHA1&digits=6&period=30"},
		{"My App & Co", "a+b:c@example.com",
			"otpauth://totp/My%20App%20%26%20Co:a%2Bb%3Ac%40example.com?secret=" + rfcSeedBase32 + "&issuer=My%20App%20%26%20Co&algorithm=SHA1&digits=6&period=30"},
	}
	for _, tc := range tests {
		if got := OTPAuthURL(tc.issuer, tc.account, rfcSeedBase32); got != tc.want {
			t.Errorf("OTPAuthURL(%q, %q) =\n %s\nwant\n %s", tc.issuer, tc.account, got, tc.want)
		}
	}
}
