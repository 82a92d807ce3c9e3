package trustly

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/google/uuid"
)

// uuidSpace is the namespace of the request UUIDs derived from idempotency keys.
var uuidSpace = uuid.MustParse("6f1d7a52-3c0e-4b8e-9a61-2f4c8d0b7e15")

// requestUUID derives the request UUID of method for an idempotency key: a name-based
// (version 5) UUID of the username, method and key, so a retry sends the same UUID.
func (c *Client) requestUUID(method, key string) string {
	return uuid.NewSHA1(uuidSpace, []byte(c.s.username+"\x00"+method+"\x00"+key)).String()
}

// derivedMessageID makes a MessageID from an idempotency key for requests that need one
// when the caller gave no MerchantReference.
func derivedMessageID(prefix, key string) string {
	h := sha256.Sum256([]byte(key))
	return prefix + hex.EncodeToString(h[:12])
}
