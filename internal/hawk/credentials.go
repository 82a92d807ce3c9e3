package hawk

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"hash"
	"log/slog"
	"sync"
)

// Redacted is what a [Key] prints as.
const Redacted = "[redacted]"

// Key is a Hawk shared secret, used as raw bytes. It prints as [Redacted] under every fmt
// verb, in log/slog output and in JSON or text encodings; convert it to []byte to use it.
type Key []byte

// String returns [Redacted].
func (Key) String() string { return Redacted }

// GoString returns a redacted Go-syntax form.
func (Key) GoString() string { return "hawk.Key(" + Redacted + ")" }

// Format writes [Redacted] (or the GoString form for %#v) whatever the verb and flags.
func (k Key) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = f.Write([]byte(k.GoString()))
		return
	}
	_, _ = f.Write([]byte(Redacted))
}

// LogValue returns [Redacted] as a slog value.
func (Key) LogValue() slog.Value { return slog.StringValue(Redacted) }

// MarshalJSON returns the JSON string [Redacted].
func (Key) MarshalJSON() ([]byte, error) { return []byte(`"` + Redacted + `"`), nil }

// MarshalText returns [Redacted].
func (Key) MarshalText() ([]byte, error) { return []byte(Redacted), nil }

// Credentials identify a Hawk client: the key identifier sent in the header and the shared
// key. The ID is not secret; the key never appears in printed or logged output.
type Credentials struct {
	// ID is the Hawk key identifier (for Trustist, the public key / merchant GUID).
	ID string
	// Key is the shared secret.
	Key Key

	macs *macPool // keyed HMAC states for reuse, from Prepared
}

// Prepared returns c keeping keyed HMAC states for reuse, so that signing and verifying
// with it do not set the key up again for every request. It copies the key: later changes
// to c.Key do not reach the result. The result is safe for concurrent use.
func (c Credentials) Prepared() Credentials {
	key := append(Key(nil), c.Key...)
	c.Key = key
	c.macs = &macPool{}
	c.macs.New = func() any { return &macState{h: hmac.New(sha256.New, key), buf: make([]byte, 0, 512)} }
	return c
}

// macPool holds *macState values keyed with one key.
type macPool struct{ sync.Pool }

// macState is a keyed HMAC-SHA256 with room for the message and the sum, so that a MAC
// made with it allocates only its base64 text.
type macState struct {
	h   hash.Hash
	buf []byte
	sum [sha256.Size]byte
}

// mac returns the base64 HMAC-SHA256 of msg with c's key.
func (c Credentials) mac(msg []byte) string {
	if c.macs == nil {
		return macOf(c.Key, msg)
	}
	m := c.macs.Get().(*macState)
	defer c.macs.Put(m)
	return m.base64MAC(msg)
}

// base64MAC returns the base64 MAC of msg.
func (m *macState) base64MAC(msg []byte) string {
	m.h.Reset()
	m.h.Write(msg)
	return base64.StdEncoding.EncodeToString(m.h.Sum(m.sum[:0]))
}

// String returns the credentials with the key redacted.
func (c Credentials) String() string {
	return fmt.Sprintf("Credentials{ID: %q, Key: %s}", c.ID, Redacted)
}

// GoString returns a Go-syntax form with the key redacted.
func (c Credentials) GoString() string {
	return fmt.Sprintf("hawk.Credentials{ID:%q, Key:%s}", c.ID, Key(nil).GoString())
}

// Format writes the credentials with the key redacted whatever the verb and flags.
func (c Credentials) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = f.Write([]byte(c.GoString()))
		return
	}
	_, _ = f.Write([]byte(c.String()))
}

// LogValue returns a slog group with the id and a redacted key.
func (c Credentials) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", c.ID), slog.String("key", Redacted))
}
