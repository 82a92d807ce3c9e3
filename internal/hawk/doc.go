// Package hawk implements the parts of the Hawk HTTP authentication scheme
// (https://github.com/mozilla/hawk, reference implementation @hapi/hawk) that the Trustist
// Ecommerce API uses, for both sides of the wire.
//
// Supported:
//
//   - Request authentication with the Authorization header, sha256 only: [RequestHeader]
//     signs a request (optionally with a payload hash and an ext string) and
//     [Server.Authenticate] verifies one, checking the MAC, the payload hash, nonce replay
//     and timestamp skew in the same order as the reference server.
//   - Response authentication with the Server-Authorization header: [ResponseHeader] and
//     [VerifyResponse].
//   - Timestamp synchronisation: a server answers a stale timestamp with
//     WWW-Authenticate: Hawk ts="…", tsm="…", error="Stale timestamp"; [VerifyStaleTimestamp]
//     checks the tsm and [Clock.Sync] adjusts the client's clock offset.
//   - A strict parser for the three Hawk header forms ([ParseHeader]) that is safe to run on
//     untrusted input.
//
// Not supported: bewits (URL authorisation), the app and dlg (Oz delegation) attributes,
// message authentication (authenticateMessage), and any algorithm other than sha256.
//
// Keys are used as raw bytes (the secret string's bytes, never base64-decoded), as Hawk
// specifies. Keys held in [Credentials] print as [redacted] in fmt, log/slog and JSON.
package hawk
