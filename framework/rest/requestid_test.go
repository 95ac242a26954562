package rest

import (
	"strings"
	"testing"
)

func TestRequestIDsAreDistinctHexOfEchoLength(t *testing.T) {
	g := newRequestIDs()
	other := newRequestIDs()
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		id := g.id()
		if len(id) != 32 || strings.Trim(id, "0123456789abcdef") != "" {
			t.Fatalf("id %q: want 32 hex digits", id)
		}
		if seen[id] {
			t.Fatalf("id %q made twice", id)
		}
		seen[id] = true
	}
	if a, b := g.id(), other.id(); a[:16] == b[:16] {
		t.Fatalf("two generators share the prefix %q", a[:16])
	}
}
