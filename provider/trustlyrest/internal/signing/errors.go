package signing

import "errors"

// Errors returned by this package. They are sentinels to test with errors.Is; returned errors
// may wrap them with a short description of the fault. No returned error contains an
// accessKey, a received signature or a received credential.
var (
	// ErrNoCredentials reports an empty accessId or accessKey passed to a signer or verifier.
	// An empty key would make every signature public, so it is never used.
	ErrNoCredentials = errors.New("signing: accessId or accessKey is empty")

	// ErrUnknownAlgorithm reports an Algorithm value other than HMACSHA1 or HMACSHA512.
	ErrUnknownAlgorithm = errors.New("signing: unknown signature algorithm")

	// ErrInvalidEstablishData reports establish data that cannot be signed unambiguously:
	// a floating-point or non-integer number, an object or array where a signed key expects
	// a scalar, a scalar where a signed key expects an object, an unsupported Go type, or the
	// same dotted key given twice.
	ErrInvalidEstablishData = errors.New("signing: establish data cannot be signed")

	// ErrMissingAuthorization reports a notification without an Authorization header.
	ErrMissingAuthorization = errors.New("signing: missing Authorization header")

	// ErrBadAuthorization reports an Authorization header that is not
	// "Basic base64(accessId:signature)".
	ErrBadAuthorization = errors.New("signing: malformed Authorization header")

	// ErrWrongAccessID reports a notification whose Authorization header names an accessId
	// other than the configured one.
	ErrWrongAccessID = errors.New("signing: notification is for another accessId")

	// ErrBadSignature reports a signature that does not match the message.
	ErrBadSignature = errors.New("signing: signature mismatch")

	// ErrMalformedForm reports a form-encoded string that DecodeForm rejects: an invalid
	// percent-encoding, invalid UTF-8 after decoding, an empty parameter name or a repeated
	// parameter name.
	ErrMalformedForm = errors.New("signing: malformed form encoding")

	// ErrMalformedBody reports a notification body that is empty, larger than
	// MaxNotificationBody or not valid form encoding (then ErrMalformedForm is wrapped too).
	ErrMalformedBody = errors.New("signing: malformed notification body")

	// ErrMalformedRedirect reports a redirect URL that is not absolute, is longer than
	// MaxRedirectURL, has a fragment, has invalid query encoding, or repeats requestSignature.
	ErrMalformedRedirect = errors.New("signing: malformed redirect URL")

	// ErrMissingSignature reports a redirect URL without a requestSignature value.
	ErrMissingSignature = errors.New("signing: redirect has no requestSignature")

	// ErrReferenceMismatch reports a redirect whose merchantReference is absent or differs
	// from the one the merchant sent.
	ErrReferenceMismatch = errors.New("signing: merchantReference mismatch")
)
