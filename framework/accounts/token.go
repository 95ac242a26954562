package accounts

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// TokenIDLength is the length of a raw access token id.
const TokenIDLength = 64

// tokenAlphabet is the character set of raw token ids.
const tokenAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// acceptBelow is the largest multiple of len(tokenAlphabet) not above 256: random bytes at or
// above it are rejected so that every character is equally likely.
const acceptBelow = 256 - 256%len(tokenAlphabet)

// NewTokenID returns a raw access token id: 64 characters drawn uniformly from A-Za-z0-9 with
// crypto/rand (rejection sampling, no modulo bias), about 381 bits of entropy.
func NewTokenID() (string, error) {
	out := make([]byte, 0, TokenIDLength)
	buf := make([]byte, TokenIDLength+TokenIDLength/4)
	for len(out) < TokenIDLength {
		if _, err := rand.Read(buf); err != nil {
			return "", fmt.Errorf("token id: %w", err)
		}
		for _, b := range buf {
			if int(b) >= acceptBelow {
				continue
			}
			out = append(out, tokenAlphabet[int(b)%len(tokenAlphabet)])
			if len(out) == TokenIDLength {
				break
			}
		}
	}
	return string(out), nil
}

// Digest returns the SHA-256 hex digest of a raw token id: the AccessToken id stored in the
// database, so that a leaked database leaks no usable token.
func Digest(raw string) string {
	sum := sha256.Sum256([]byte(raw))
	return hex.EncodeToString(sum[:])
}
