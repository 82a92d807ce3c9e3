package signing

import (
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxNotificationBody is the largest notification body VerifyNotification accepts, in bytes.
// Trustly's notifications are a few hundred bytes of form fields; 64 KiB leaves ample room
// while bounding the work an unauthenticated request can cause.
const MaxNotificationBody = 64 << 10

// maxAuthorizationHeader bounds the Authorization header read by the verifiers. A Trustly
// header is under 200 bytes even with an HMAC-SHA512 signature.
const maxAuthorizationHeader = 4 << 10

// VerifyNotification authenticates a webhook notification from Trustly and returns its
// parameters in order.
//
// accessID and accessKey are the merchant's own credentials; authorization is the request's
// Authorization header and rawBody the request body exactly as received (at most
// MaxNotificationBody bytes). The check follows Trustly's documented procedure:
//
//  1. form-decode the whole body as one string ('+' to space, %XX to a byte, read as UTF-8),
//     keeping the parameter order and the '&' and '=' separators;
//  2. compute Base64(HMAC-SHA1(accessKey, decoded body)), or HMAC-SHA512 when the received
//     signature carries SHA512Prefix;
//  3. read "Basic base64(accessId:signature)" from the header, splitting at the first ':';
//  4. compare the signature and the accessId with ours, both in constant time.
//
// Errors: ErrNoCredentials (empty accessID or accessKey), ErrMissingAuthorization,
// ErrBadAuthorization, ErrMalformedBody (empty, too large, or — also wrapping
// ErrMalformedForm — an invalid percent-encoding, invalid UTF-8, an empty or repeated
// parameter name), ErrWrongAccessID, and ErrBadSignature. When both the accessId and the
// signature are wrong, ErrWrongAccessID is returned.
func VerifyNotification(accessID string, accessKey []byte, authorization string, rawBody []byte) (Form, error) {
	if accessID == "" || len(accessKey) == 0 {
		return nil, ErrNoCredentials
	}
	authorization = strings.TrimSpace(authorization)
	if authorization == "" {
		return nil, ErrMissingAuthorization
	}
	gotID, gotSig, err := parseBasic(authorization)
	if err != nil {
		return nil, err
	}
	if gotSig == "" {
		return nil, fmt.Errorf("%w: no signature after the accessId", ErrBadAuthorization)
	}
	decoded, err := decodeNotificationBody(rawBody)
	if err != nil {
		return nil, err
	}
	form, err := DecodeForm(string(rawBody))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformedBody, err)
	}
	sigOK := verifyValue(accessKey, decoded, gotSig)
	idOK := ConstantTimeEqual([]byte(gotID), []byte(accessID))
	if !idOK {
		return nil, ErrWrongAccessID
	}
	if !sigOK {
		return nil, ErrBadSignature
	}
	return form, nil
}

// decodeNotificationBody returns the string a notification signature covers: the whole body
// form-decoded, with the '&' and '=' separators left in place.
func decodeNotificationBody(rawBody []byte) ([]byte, error) {
	if len(rawBody) == 0 {
		return nil, fmt.Errorf("%w: empty body", ErrMalformedBody)
	}
	if len(rawBody) > MaxNotificationBody {
		return nil, fmt.Errorf("%w: body larger than %d bytes", ErrMalformedBody, MaxNotificationBody)
	}
	decoded, err := appendUnescaped(make([]byte, 0, len(rawBody)), rawBody, 0, true)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformedBody, err)
	}
	if !utf8.Valid(decoded) {
		return nil, fmt.Errorf("%w: %w: invalid UTF-8", ErrMalformedBody, ErrMalformedForm)
	}
	return decoded, nil
}

// SignNotification returns the Authorization header Trustly would send with rawBody:
// "Basic " + Base64(accessID + ":" + signature), where signature is the Base64 HMAC of the
// form-decoded body (see VerifyNotification), prefixed with SHA512Prefix for HMACSHA512.
// It fails with ErrMalformedBody when the body is empty, too large or not decodable, and with
// ErrNoCredentials or ErrUnknownAlgorithm on bad arguments.
func SignNotification(accessID string, accessKey []byte, rawBody []byte, alg Algorithm) (string, error) {
	if accessID == "" || len(accessKey) == 0 {
		return "", ErrNoCredentials
	}
	if !alg.valid() {
		return "", ErrUnknownAlgorithm
	}
	decoded, err := decodeNotificationBody(rawBody)
	if err != nil {
		return "", err
	}
	return basicHeader(accessID, signatureValue(alg, accessKey, decoded)), nil
}

// basicHeader returns "Basic " + Base64(user + ":" + pass).
func basicHeader(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

// parseBasic reads an HTTP Basic Authorization header value. The scheme name is matched
// without regard to case; the credentials must be standard, padded Base64 of "user:pass"
// with a non-empty user, split at the first ':'.
func parseBasic(h string) (user, pass string, err error) {
	if len(h) > maxAuthorizationHeader {
		return "", "", fmt.Errorf("%w: longer than %d bytes", ErrBadAuthorization, maxAuthorizationHeader)
	}
	scheme, cred, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Basic") {
		return "", "", fmt.Errorf("%w: not Basic authorization", ErrBadAuthorization)
	}
	raw, err := base64.StdEncoding.Strict().DecodeString(strings.TrimLeft(cred, " "))
	if err != nil {
		return "", "", fmt.Errorf("%w: credentials are not Base64", ErrBadAuthorization)
	}
	user, pass, ok = strings.Cut(string(raw), ":")
	if !ok || user == "" {
		return "", "", fmt.Errorf("%w: credentials are not id:secret", ErrBadAuthorization)
	}
	return user, pass, nil
}
