package accounts

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/loopgo/loopgo/framework/schema"
)

func TestSealSecret(t *testing.T) {
	withKey := func(key string) *schema.Model {
		return &schema.Model{Name: "User", Settings: map[string]any{"mfaSecretKey": key}}
	}
	plain := &schema.Model{Name: "User", Settings: map[string]any{}}
	keyed := withKey("0123456789abcdef-test-key")
	otherKey := withKey("another key, long enough")
	short := withKey("too short")

	// Without a key the row holds the base32 secret.
	stored, err := sealSecret(plain, int64(1), rfcSeedBase32)
	if err != nil || stored != rfcSeedBase32 {
		t.Fatalf("seal without key = %q, %v; want the secret itself", stored, err)
	}
	// With a key: sealed, a fresh nonce each time, no trace of the secret.
	sealed, err := sealSecret(keyed, int64(1), rfcSeedBase32)
	if err != nil || !strings.HasPrefix(sealed, "v1:") || strings.Contains(sealed, rfcSeedBase32) {
		t.Fatalf("seal with key = %q, %v", sealed, err)
	}
	altered := sealed[:len(sealed)-1] + "A"
	if strings.HasSuffix(sealed, "A") {
		altered = sealed[:len(sealed)-1] + "B"
	}
	again, _ := sealSecret(keyed, int64(1), rfcSeedBase32)
	if again == sealed {
		t.Fatal("two seals of one secret are equal: nonce reused")
	}
	if _, err := sealSecret(short, int64(1), rfcSeedBase32); err == nil {
		t.Fatal("a key of 9 characters was accepted")
	}

	tests := []struct {
		name    string
		m       *schema.Model
		userID  any
		stored  string
		wantErr error // nil = opens to rfcSeed
		anyErr  bool
	}{
		{"clear, no key", plain, int64(1), rfcSeedBase32, nil, false},
		{"clear, key added later", keyed, int64(1), rfcSeedBase32, nil, false},
		{"sealed, right key and user", keyed, int64(1), sealed, nil, false},
		{"sealed, key removed", plain, int64(1), sealed, errNoMFAKey, true},
		{"sealed, another key", otherKey, int64(1), sealed, nil, true},
		{"sealed, copied to another user", keyed, int64(2), sealed, nil, true},
		{"sealed, altered", keyed, int64(1), altered, nil, true},
		{"sealed, truncated", keyed, int64(1), "v1:AAAA", nil, true},
		{"sealed, short key", short, int64(1), sealed, nil, true},
	}
	for _, tc := range tests {
		key, err := openSecret(tc.m, tc.userID, tc.stored)
		if tc.anyErr {
			if err == nil || (tc.wantErr != nil && !errors.Is(err, tc.wantErr)) {
				t.Errorf("%s: openSecret = %q, %v; want error %v", tc.name, key, err, tc.wantErr)
			}
			continue
		}
		if err != nil || !bytes.Equal(key, []byte(rfcSeed)) {
			t.Errorf("%s: openSecret = %q, %v; want the RFC seed", tc.name, key, err)
		}
	}
}
