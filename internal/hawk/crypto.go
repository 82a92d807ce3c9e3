package hawk

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"hash"
	"strconv"
	"strings"
)

// Normalised-string types accepted by [MAC].
const (
	// TypeHeader is the MAC type of a request's Authorization header.
	TypeHeader = "header"
	// TypeResponse is the MAC type of a response's Server-Authorization header.
	TypeResponse = "response"
)

// Artifacts are the values a Hawk MAC covers. A client produces them with
// [RequestHeader]; a server recovers them from the request in [Server.Authenticate].
type Artifacts struct {
	// Method is the HTTP method; it is upper-cased in the normalised string.
	Method string
	// Resource is the request target as sent: escaped path plus "?" and query, if any.
	Resource string
	// Host is the host name without port; it is lower-cased in the normalised string.
	Host string
	// Port is the TCP port, explicit or the scheme's default.
	Port int
	// Timestamp is the request time in Unix seconds.
	Timestamp int64
	// Nonce is the client's random per-request string.
	Nonce string
	// Hash is the payload hash (see [PayloadHash]), or "" when the payload is not covered.
	Hash string
	// Ext is application-specific data, or "".
	Ext string
}

// NormalizeContentType returns the media type of a Content-Type value the way Hawk
// hashes it: parameters removed, surrounding white space trimmed, lower-cased.
func NormalizeContentType(contentType string) string {
	if i := strings.IndexByte(contentType, ';'); i >= 0 {
		contentType = contentType[:i]
	}
	return strings.ToLower(strings.TrimSpace(contentType))
}

// PayloadHash returns the Hawk payload hash of a body sent with the given Content-Type:
// base64(SHA-256("hawk.1.payload\n" + media type + "\n" + payload + "\n")).
func PayloadHash(contentType string, payload []byte) string {
	var buf [1024]byte
	msg := append(buf[:0], "hawk.1.payload\n"...)
	msg = append(msg, NormalizeContentType(contentType)...)
	msg = append(msg, '\n')
	msg = append(msg, payload...)
	msg = append(msg, '\n')
	sum := sha256.Sum256(msg)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// appendNormalized appends the Hawk normalised string of type typ for a to dst.
func appendNormalized(dst []byte, typ string, a Artifacts) []byte {
	dst = append(dst, "hawk.1."...)
	dst = append(dst, typ...)
	dst = append(dst, '\n')
	dst = strconv.AppendInt(dst, a.Timestamp, 10)
	dst = append(dst, '\n')
	dst = append(dst, a.Nonce...)
	dst = append(dst, '\n')
	dst = appendUpper(dst, a.Method)
	dst = append(dst, '\n')
	dst = append(dst, a.Resource...)
	dst = append(dst, '\n')
	dst = appendLower(dst, a.Host)
	dst = append(dst, '\n')
	dst = strconv.AppendInt(dst, int64(a.Port), 10)
	dst = append(dst, '\n')
	dst = append(dst, a.Hash...)
	dst = append(dst, '\n')
	// The reference implementation escapes backslashes and line feeds in ext.
	for i := 0; i < len(a.Ext); i++ {
		switch c := a.Ext[i]; c {
		case '\\':
			dst = append(dst, '\\', '\\')
		case '\n':
			dst = append(dst, '\\', 'n')
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '\n')
}

func appendUpper(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

func appendLower(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// MAC returns the base64 HMAC-SHA256, keyed with the raw bytes of key, of the Hawk
// normalised string of type typ ([TypeHeader] or [TypeResponse]) for a:
//
//	hawk.1.<typ>\n<ts>\n<nonce>\n<METHOD>\n<resource>\n<host>\n<port>\n<hash>\n<ext>\n
//
// Backslashes and line feeds in ext are escaped as \\ and \n.
func MAC(key []byte, typ string, a Artifacts) string {
	var buf [512]byte
	return macOf(key, appendNormalized(buf[:0], typ, a))
}

// macOfArtifacts is MAC with c's key, reusing its keyed state when c is Prepared.
func (c Credentials) macOfArtifacts(typ string, a Artifacts) string {
	if c.macs == nil {
		var buf [512]byte
		return macOf(c.Key, appendNormalized(buf[:0], typ, a))
	}
	m := c.macs.Get().(*macState)
	defer c.macs.Put(m)
	m.buf = appendNormalized(m.buf[:0], typ, a)
	return m.base64MAC(m.buf)
}

// TimestampMAC returns the tsm a server sends with its current time ts in a
// stale-timestamp reply: base64(HMAC-SHA256(key, "hawk.1.ts\n" + ts + "\n")).
func TimestampMAC(key []byte, ts int64) string {
	return Credentials{Key: key}.timestampMAC(ts)
}

// timestampMAC is TimestampMAC with c's key.
func (c Credentials) timestampMAC(ts int64) string {
	var buf [64]byte
	b := append(buf[:0], "hawk.1.ts\n"...)
	b = strconv.AppendInt(b, ts, 10)
	return c.mac(append(b, '\n'))
}

func macOf(key, msg []byte) string {
	return sumOf(hmac.New(sha256.New, key), msg)
}

// sumOf writes msg to the keyed hash m and returns the base64 MAC.
func sumOf(m hash.Hash, msg []byte) string {
	m.Write(msg)
	var sum [sha256.Size]byte
	return base64.StdEncoding.EncodeToString(m.Sum(sum[:0]))
}

// equal compares two MACs or hashes in time independent of their content.
func equal(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
