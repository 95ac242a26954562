package rest

import (
	"crypto/rand"
	"encoding/hex"
	"sync/atomic"
)

// requestIDs makes X-Request-Id values: 32 hex digits, a random prefix drawn once per process
// (so that instances sharing a log do not collide) and a counter, one allocation per id.
type requestIDs struct {
	prefix [16]byte
	next   atomic.Uint64
}

// newRequestIDs returns a generator with a fresh random prefix.
func newRequestIDs() *requestIDs {
	var seed [8]byte
	_, _ = rand.Read(seed[:]) // crypto/rand.Read never fails on supported platforms
	g := &requestIDs{}
	hex.Encode(g.prefix[:], seed[:])
	var n [8]byte
	_, _ = rand.Read(n[:])
	// start the counter at a random point too, so ids do not reveal how many requests came before
	g.next.Store(uint64(n[0])<<56 | uint64(n[1])<<48 | uint64(n[2])<<40 | uint64(n[3])<<32 |
		uint64(n[4])<<24 | uint64(n[5])<<16 | uint64(n[6])<<8 | uint64(n[7]))
	return g
}

// id returns the next request id.
func (g *requestIDs) id() string {
	const digits = "0123456789abcdef"
	var b [32]byte
	copy(b[:16], g.prefix[:])
	n := g.next.Add(1)
	for i := 31; i >= 16; i-- {
		b[i] = digits[n&0xf]
		n >>= 4
	}
	return string(b[:])
}
