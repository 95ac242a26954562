package accounts

import (
	"strings"
	"testing"
)

func TestNewTokenIDShape(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		id, err := NewTokenID()
		if err != nil {
			t.Fatalf("NewTokenID: %v", err)
		}
		if len(id) != 64 {
			t.Fatalf("len = %d, want 64: %q", len(id), id)
		}
		if i := strings.IndexFunc(id, func(r rune) bool { return !strings.ContainsRune(tokenAlphabet, r) }); i >= 0 {
			t.Fatalf("id %q has %q outside A-Za-z0-9", id, id[i])
		}
		if seen[id] {
			t.Fatalf("duplicate id %q", id)
		}
		seen[id] = true
	}
}

func TestNewTokenIDUniform(t *testing.T) {
	if acceptBelow != 248 || len(tokenAlphabet) != 62 {
		t.Fatalf("acceptBelow = %d over %d characters, want 248 over 62", acceptBelow, len(tokenAlphabet))
	}
	counts := map[rune]int{}
	const n = 2000 // 128000 characters: about 2065 per character
	for range n {
		id, err := NewTokenID()
		if err != nil {
			t.Fatalf("NewTokenID: %v", err)
		}
		for _, r := range id {
			counts[r]++
		}
	}
	if len(counts) != 62 {
		t.Fatalf("%d distinct characters, want 62", len(counts))
	}
	// Chi-square with 61 degrees of freedom: mean 61, p = 1e-6 is about 130. A modulo-biased
	// generator (the first 8 characters 5/4 as likely) scores about 850 at this sample size.
	expected := float64(n*64) / 62
	chi := 0.0
	for _, c := range counts {
		d := float64(c) - expected
		chi += d * d / expected
	}
	if chi > 130 {
		t.Fatalf("chi-square = %.1f, characters are not uniform: %v", chi, counts)
	}
}

func TestDigest(t *testing.T) {
	tests := map[string]string{
		"abc": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		"":    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	}
	for in, want := range tests {
		if got := Digest(in); got != want {
			t.Errorf("Digest(%q) = %s, want %s", in, got, want)
		}
	}
}
