// Package signing implements the three HMAC signatures of Trustly's North American REST API
// (the former PayWithMyBank API), byte for byte, for both the paybridge Trustly REST adapter
// and its simulator.
//
// All three are keyed with the merchant's accessKey and are HMAC-SHA1 by default, Base64
// (standard alphabet, padded). Where Trustly has been configured for the alternative HMAC-SHA512
// algorithm, the Base64 value carries the prefix "HmacSHA512:".
//
//   - Request signature (requestSignature in establish data and POST /establish). The message
//     is a canonical string built from the establish data: the fixed list of signed keys
//     (see [SignedKeys]), each present one emitted as key=value in that order, joined with
//     '&', with raw, unencoded values. See [Canonical], [RequestSignature] and
//     [VerifyRequestSignature].
//
//   - Notification signature (webhooks). Trustly POSTs a form-encoded body with the header
//     "Authorization: Basic base64(accessId:signature)". The message is the whole body
//     form-decoded ('+' to space, %XX to a byte) as one string, with its '&' and '='
//     structure kept. See [VerifyNotification] and [SignNotification].
//
//   - Redirect signature (returnUrl and cancelUrl). The browser arrives with the transaction
//     in the query string and a requestSignature parameter. The message is the full URL as
//     received with that parameter removed; the parameter's value is percent-decoded before
//     comparison. See [VerifyRedirect], [CheckMerchantReference] and [SignRedirect].
//
// Ordinary API calls use HTTP Basic authentication with accessId and accessKey; see
// [BasicAuthorization] and [ParseBasicAuthorization].
//
// Verifiers compare signatures and credentials in constant time, and their errors never contain
// an accessKey, a received signature or a received credential.
package signing
