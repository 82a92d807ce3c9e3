// Package wire implements the byte-exact wire format of Trustly's signed JSON-RPC 1.1 API
// ("api/1"): the plaintext serialization that is signed, RSA-SHA1 signing and verification,
// key parsing, and the request, response, error, notification and notification-reply
// envelopes. It is shared by the Trustly adapter (merchant side) and the Trustly simulator
// (Trustly side), so every encoder has a matching decoder.
//
// # Signature
//
// Every signed message carries a method name, a UUID and a data value. The signature is the
// standard Base64 (with padding) encoding of an RSASSA-PKCS1-v1_5 signature over the SHA-1
// digest of the UTF-8 plaintext
//
//	method + uuid + S(data)
//
// PKCS#1 v1.5 is deterministic, so the same key and message always give the same signature.
//
// # Serialization rules
//
// S is defined on JSON values as follows:
//
//   - object: for each key in byte-order (ASCIIbetical, case-sensitive: "IP" sorts before
//     "IntegrationModule") sorted keys, the key followed by S(value);
//   - array: S of each element in array order, with no indices, separators or sorting;
//   - null: the empty string; inside an object the key is still emitted, so
//     {"Attributes":null} serializes to "Attributes" (and so does {"Attributes":{}});
//   - string: the decoded text as is (no quotes, no escaping);
//   - number: its JSON text exactly as written ("616", "5.00000000000000000000"); numbers are
//     carried as [encoding/json.Number] and never go through float64;
//   - boolean: no serialization is defined. Trustly's own clients disagree ("true", "True",
//     "1") and Trustly never sends booleans, so serializing a boolean is an error. Outgoing
//     data must use the strings "1"/"0". Incoming data containing a boolean fails
//     verification (closed) with an error matching both [ErrBadSignature] and
//     [ErrUnserializable].
//
// Data values are the types produced by decoding JSON with [encoding/json.Decoder.UseNumber]
// into an interface value (map[string]any, []any, string, json.Number, nil). For outgoing
// data the encoders also accept, through [Normalize], other maps with string keys, slices,
// arrays, pointers, named string types and Go integers. float32/float64 values are rejected
// (their text is not stable), as are []byte and any other type.
//
// # Verification
//
// Verification always runs over the raw decoded JSON tree of the received body, never over
// typed structs: a typed decode would drop unknown members and could not tell a null member
// from an absent one, and both change the plaintext. The decoders in this package return
// that same verified tree to the caller.
//
// # Incoming bodies
//
// Decoders accept a complete body as bytes. They reject bodies larger than
// [DefaultMaxBodySize] (see [WithMaxBodySize]), bodies that are not valid UTF-8, invalid
// JSON, trailing data after the JSON value, nesting deeper than [DefaultMaxDepth] (see
// [WithMaxDepth]) and objects with duplicate member names anywhere in the body (different
// JSON parsers resolve duplicates differently, so such a body has no single meaning; Trustly
// never sends one). Member names are case-sensitive. A "version" member, when present, must
// be "1.1" (string or number).
//
// # Large responses
//
// [StreamArrayResult] and [StreamStringResult] read a response from an io.Reader instead,
// for answers too large to hold (AccountLedger, ViewAutomaticSettlementDetailsCSV). They
// apply the same checks and hash the data into the signature's digest as they decode it,
// holding at most [MaxStreamValueSize] of it at a time, and verify the signature at the
// end: what they hand over while decoding is authenticated only when they return nil.
// [Signer] and [ResultWriter] produce such responses piece by piece.
package wire
