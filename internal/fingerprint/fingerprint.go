// Package fingerprint identifies a request for in-process idempotency: it tells a key
// reused for a different request from a repeat of the same one.
//
// A fingerprint is a 64-bit keyed hash (hash/maphash, seeded once per process) of a
// request's parts, each preceded by its length so that no two lists of parts hash the
// same bytes. With a seed no one outside the process knows, two different requests share
// a fingerprint with a probability of 2^-64.
package fingerprint

import (
	"encoding/binary"
	"hash/maphash"
)

// Strings returns the fingerprint of parts.
func Strings(parts ...string) uint64 {
	var h maphash.Hash
	h.SetSeed(seed)
	for _, p := range parts {
		writeLen(&h, len(p))
		_, _ = h.WriteString(p)
	}
	return h.Sum64()
}

// Bytes returns the fingerprint of parts; the same parts as strings have the same one.
func Bytes(parts ...[]byte) uint64 {
	var h maphash.Hash
	h.SetSeed(seed)
	for _, p := range parts {
		writeLen(&h, len(p))
		_, _ = h.Write(p)
	}
	return h.Sum64()
}

func writeLen(h *maphash.Hash, n int) {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(n))
	_, _ = h.Write(b[:])
}

var seed = maphash.MakeSeed()
