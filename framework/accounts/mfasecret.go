package accounts

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/loopgo/loopgo/framework/schema"
)

// sealedPrefix starts a TOTP secret stored encrypted (base32 secrets never contain ':').
const sealedPrefix = "v1:"

// minMFAKeyLength is the shortest mfaSecretKey accepted (characters).
const minMFAKeyLength = 16

// errNoMFAKey reports a secret stored encrypted while the model has no mfaSecretKey.
var errNoMFAKey = errors.New("mfa secret is encrypted but the model has no mfaSecretKey setting")

// mfaAEAD returns the AES-256-GCM cipher keyed by SHA-256 of m's mfaSecretKey setting, or nil
// when the setting is absent or empty (secrets are then stored as base32 in clear).
func mfaAEAD(m *schema.Model) (cipher.AEAD, error) {
	key := SettingsOf(m).MFASecretKey
	if key == "" {
		return nil, nil
	}
	if len(key) < minMFAKeyLength {
		return nil, fmt.Errorf("mfaSecretKey of %s is shorter than %d characters", m.Name, minMFAKeyLength)
	}
	sum := sha256.Sum256([]byte(key))
	block, err := aes.NewCipher(sum[:])
	if err != nil {
		return nil, fmt.Errorf("mfa secret cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("mfa secret cipher: %w", err)
	}
	return aead, nil
}

// secretAAD binds a sealed secret to its user, so that a row's secret copied to another user
// does not open.
func secretAAD(userID any) []byte { return fmt.Appendf(nil, "loopgo-mfa\x00%v", userID) }

// sealSecret returns the stored form of a base32 TOTP secret of user userID: "v1:" and the
// base64url AES-GCM nonce and ciphertext when m has an mfaSecretKey, the secret itself
// otherwise.
func sealSecret(m *schema.Model, userID any, secret string) (string, error) {
	aead, err := mfaAEAD(m)
	if err != nil || aead == nil {
		return secret, err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("mfa secret nonce: %w", err)
	}
	out := aead.Seal(nonce, nonce, []byte(secret), secretAAD(userID))
	return sealedPrefix + base64.RawURLEncoding.EncodeToString(out), nil
}

// openSecret returns the TOTP key of a stored secret of user userID (see sealSecret). A secret
// stored in clear opens with or without a key, so that adding a key later keeps existing
// enrolments working.
func openSecret(m *schema.Model, userID any, stored string) ([]byte, error) {
	rest, sealed := strings.CutPrefix(stored, sealedPrefix)
	if !sealed {
		return decodeSecret(stored)
	}
	aead, err := mfaAEAD(m)
	if err != nil {
		return nil, err
	}
	if aead == nil {
		return nil, errNoMFAKey
	}
	raw, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil || len(raw) < aead.NonceSize() {
		return nil, errors.New("mfa secret: malformed ciphertext")
	}
	plain, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], secretAAD(userID))
	if err != nil {
		return nil, errors.New("mfa secret: cannot decrypt (wrong mfaSecretKey, or the row was altered)")
	}
	return decodeSecret(string(plain))
}
