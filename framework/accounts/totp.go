package accounts

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1" // #nosec G505 -- RFC 6238 TOTP is defined over HMAC-SHA1; authenticator apps expect it.
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"strings"
	"time"

	"github.com/loopgo/loopgo/framework/schema"
)

// TOTP parameters (RFC 6238 with the values every authenticator app supports).
const (
	// TOTPPeriod is the length of one TOTP time step.
	TOTPPeriod = 30 * time.Second
	// TOTPDigits is the number of digits of a one-time code.
	TOTPDigits = 6
	// TOTPSecretBytes is the size of a TOTP secret (the HMAC-SHA1 block of RFC 4226's advice).
	TOTPSecretBytes = 20
	// TOTPSkew is how many steps before and after the current one a code may belong to.
	TOTPSkew = 1
)

// secretEncoding is the base32 alphabet of RFC 4648 without padding, as otpauth URLs carry it.
var secretEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// digitsModulus holds 10^n for the code lengths hotp accepts (1 to 9 digits).
var digitsModulus = [...]uint32{1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000}

// NewTOTPSecret returns a new TOTP secret: TOTPSecretBytes bytes from crypto/rand, base32
// without padding (32 characters).
func NewTOTPSecret() (string, error) {
	b := make([]byte, TOTPSecretBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("totp secret: %w", err)
	}
	return secretEncoding.EncodeToString(b), nil
}

// decodeSecret decodes a base32 secret as users type it: case, spaces and padding ignored.
func decodeSecret(secret string) ([]byte, error) {
	s := strings.ToUpper(strings.Join(strings.Fields(secret), ""))
	b, err := secretEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil || len(b) == 0 {
		return nil, fmt.Errorf("totp secret is not base32")
	}
	return b, nil
}

// TOTPCode returns the one-time code (TOTPDigits digits) of a base32 secret at time t, as an
// authenticator app shows it: for clients, tests and tools.
func TOTPCode(secret string, t time.Time) (string, error) {
	key, err := decodeSecret(secret)
	if err != nil {
		return "", err
	}
	return hotp(key, totpStep(t), TOTPDigits), nil
}

// totpStep returns the RFC 6238 time step of t: whole TOTPPeriods since the Unix epoch.
func totpStep(t time.Time) int64 {
	return t.Unix() / int64(TOTPPeriod/time.Second)
}

// hotp returns RFC 4226's HOTP value of key at counter, as a zero-padded decimal string of
// digits digits (1 to 9): HMAC-SHA1 of the big-endian counter, dynamically truncated.
func hotp(key []byte, counter int64, digits int) string {
	mac := hmac.New(sha1.New, key)
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(counter))
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%0*d", digits, bin%digitsModulus[digits])
}

// normalizeCode reads a one-time code given by a client: a string of TOTPDigits digits
// (spaces allowed, as apps show "123 456") or a whole number below 10^TOTPDigits (a JSON client
// sending it as a number; leading zeros restored). ok is false for anything else.
func normalizeCode(v any) (string, bool) {
	var s string
	switch x := v.(type) {
	case string:
		s = strings.Join(strings.Fields(x), "")
	default:
		f, isNum := schema.ParseNumber(v)
		if !isNum || f < 0 || f >= float64(digitsModulus[TOTPDigits]) || f != float64(int64(f)) {
			return "", false
		}
		s = fmt.Sprintf("%0*d", TOTPDigits, int64(f))
	}
	if len(s) != TOTPDigits {
		return "", false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return "", false
		}
	}
	return s, true
}

// matchTOTP returns the step, within TOTPSkew of now's and after lastStep, whose code is code
// (the earliest when several match); ok is false when none does. Every candidate is computed
// and compared in constant time.
func matchTOTP(key []byte, code string, now time.Time, lastStep int64) (step int64, ok bool) {
	current := totpStep(now)
	for s := current - TOTPSkew; s <= current+TOTPSkew; s++ {
		hit := subtle.ConstantTimeCompare([]byte(hotp(key, s, TOTPDigits)), []byte(code)) == 1
		if hit && s > lastStep && !ok {
			step, ok = s, true
		}
	}
	return step, ok
}
