package accounts

import (
	"context"
	"fmt"
	"strings"

	"golang.org/x/crypto/bcrypt"

	"github.com/loopgo/loopgo/framework/apierr"
)

// MaxPasswordBytes is the longest password accepted, in UTF-8 bytes: bcrypt's input limit.
// Longer passwords are rejected (422 PASSWORD_TOO_LONG), never truncated.
const MaxPasswordBytes = 72

// DefaultSaltWorkFactor is the bcrypt cost used when a user model sets no saltWorkFactor.
const DefaultSaltWorkFactor = 10

// MinSaltWorkFactor is the ASVS floor for bcrypt's cost. An explicit saltWorkFactor below it
// (down to bcrypt's own minimum, 4) is honoured, as LoopBack does, and the framework warns about
// it at start-up; tests use it to keep bcrypt cheap under the race detector.
const MinSaltWorkFactor = 10

// hashLength is the length of a bcrypt hash in its modular crypt format.
const hashLength = 60

// ValidatePassword checks a password as LoopBack's User.validatePassword does: a non-string or
// empty value is 422 INVALID_PASSWORD, more than 72 UTF-8 bytes is 422 PASSWORD_TOO_LONG.
func ValidatePassword(plain any) error {
	s, ok := plain.(string)
	if !ok || s == "" {
		return apierr.Unprocessable("INVALID_PASSWORD", "Invalid password.")
	}
	if n := len(s); n > MaxPasswordBytes {
		return apierr.Unprocessable("PASSWORD_TOO_LONG",
			"The password entered was too long. Max length is %d (entered %d)", MaxPasswordBytes, n)
	}
	return nil
}

// IsHash reports whether s is already a bcrypt hash ($2a$, $2b$ or $2y$, 60 characters); such a
// value is stored verbatim instead of being hashed again, as LoopBack does.
func IsHash(s string) bool {
	if len(s) != hashLength {
		return false
	}
	return strings.HasPrefix(s, "$2a$") || strings.HasPrefix(s, "$2b$") || strings.HasPrefix(s, "$2y$")
}

// EffectiveCost returns the bcrypt cost used for a saltWorkFactor: 0 (unset) means
// DefaultSaltWorkFactor, values below bcrypt's minimum are raised to it.
func EffectiveCost(saltWorkFactor int) int {
	switch {
	case saltWorkFactor == 0:
		return DefaultSaltWorkFactor
	case saltWorkFactor < bcrypt.MinCost:
		return bcrypt.MinCost
	}
	return saltWorkFactor
}

// HashPassword validates plain and returns its bcrypt hash at cost (clamped by EffectiveCost).
// It waits for a slot of the shared bcrypt pool without a deadline; request code should prefer
// Hash, which honours the request's context.
func HashPassword(plain string, cost int) (string, error) {
	return Hash(context.Background(), plain, cost)
}

// CheckPassword reports whether plain matches the bcrypt hash; false when either is empty, the
// hash is malformed or plain is longer than MaxPasswordBytes.
func CheckPassword(hash, plain string) bool {
	ok, err := Compare(context.Background(), hash, plain)
	return err == nil && ok
}

// Hash validates plain and returns its bcrypt hash at cost (clamped by EffectiveCost), computed
// in the shared bcrypt pool; it fails with ctx's error when ctx ends before a slot is free.
func Hash(ctx context.Context, plain string, cost int) (string, error) {
	if err := ValidatePassword(plain); err != nil {
		return "", err
	}
	var out []byte
	err := pool.run(ctx, func() error {
		var err error
		out, err = bcrypt.GenerateFromPassword([]byte(plain), EffectiveCost(cost))
		return err
	})
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(out), nil
}

// Compare reports whether plain matches the bcrypt hash, computed in the shared bcrypt pool.
// Every call spends one bcrypt computation, also when the answer is known beforehand (empty
// values, malformed hash, plain over MaxPasswordBytes), so the timing does not tell these cases
// apart. The error is non-nil only when ctx ends before a slot is free.
func Compare(ctx context.Context, hash, plain string) (bool, error) {
	cost, err := bcrypt.Cost([]byte(hash))
	if err != nil {
		cost = DefaultSaltWorkFactor
	}
	if err != nil || plain == "" || len(plain) > MaxPasswordBytes {
		return false, DummyCompare(ctx, plain, cost)
	}
	var match bool
	err = pool.run(ctx, func() error {
		match = bcrypt.CompareHashAndPassword([]byte(hash), []byte(plain)) == nil
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("compare password: %w", err)
	}
	return match, nil
}
