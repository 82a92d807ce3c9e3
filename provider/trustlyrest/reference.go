package trustlyrest

import (
	"crypto/sha256"
	"encoding/base32"
	"strings"
)

// Trustly's merchantReference is its idempotency mechanism: it must be unique per merchant
// for Pay, Authorize, Capture and Deposit transactions once they reach Authorized, Processed
// or Completed, and a duplicate is refused with error 210
// (https://amer.developers.trustly.com/payments/docs/idempotency). The adapter
// therefore builds every merchantReference it sends from the call's idempotency key, and
// keeps the caller's own reference in front of it so that it stays readable in Trustly's
// portal, notifications and redirects:
//
//	<caller's MerchantReference>.pb<10 base32 characters of SHA-256(operation, idempotency key)>
//	pb<10 characters>                 when the caller gave no reference (refunds, verifications)
//	<payment's reference>.c           the capture of a payment captured automatically: one per
//	                                  payment, so a repeated capture is recognised
//	<...>.pb<10 characters>.m         a payment made with CaptureManual: the suffix tells every
//	                                  process, from Trustly's data alone, not to capture it
//	<...>.pb<10 characters>.x         a mandate made with a MaxAmount: Charge refuses to
//	                                  charge it when the cap cannot be read back
//	<...>.pb<10 characters>.p         the Disbursement authorization of an interactive payout:
//	                                  the suffix tells every process to deposit its amount
//	                                  once the payee authorizes it
//	<payout's reference>.d            the deposit of an interactive payout: one per payout,
//	                                  so a repeated deposit is recognised
//
// [I] Trustly documents no maximum length for merchantReference; the longest reference built
// here is 64 + 13 + 2 characters.

// refSuffixLen is the length of ".pb" + 10 digest characters.
const refSuffixLen = 3 + 10

// refEncoding is base32 with a lower-case alphabet, so the digest needs no case change.
var refEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// reference returns the merchantReference for an operation ("pay", "refund", "payout",
// "verify") with the caller's reference and idempotency key.
func reference(op, callerRef, key string) string {
	var in [256]byte
	msg := append(in[:0], op...)
	msg = append(msg, 0)
	sum := sha256.Sum256(append(msg, key...))
	var digits [12]byte
	refEncoding.Encode(digits[:], sum[:7]) // 7 bytes make 12 characters; the first 10 are kept
	b := make([]byte, 0, len(callerRef)+refSuffixLen)
	if callerRef != "" {
		b = append(append(b, callerRef...), '.')
	}
	b = append(b, "pb"...)
	return string(append(b, digits[:10]...))
}

// PaymentReference returns the merchantReference the adapter sent to Trustly for a payment
// made with the given MerchantReference and idempotency key (Payment.MerchantReference and
// Payment.IdempotencyKey). Pass it to VerifyRedirect.
func PaymentReference(merchantReference, idempotencyKey string) string {
	return reference("pay", merchantReference, idempotencyKey)
}

// ManualPaymentReference returns the merchantReference the adapter sent to Trustly for a
// payment made with CaptureManual (PaymentRequest.Capture or Config.Capture), given its
// MerchantReference and idempotency key. Pass it to VerifyRedirect.
func ManualPaymentReference(merchantReference, idempotencyKey string) string {
	return PaymentReference(merchantReference, idempotencyKey) + manualSuffix
}

// manualSuffix ends the merchantReference of a payment made with CaptureManual.
const manualSuffix = ".m"

// cappedSuffix ends the merchantReference of a mandate made with a MaxAmount: Charge then
// knows, from Trustly's data alone, that the mandate has a cap to enforce, and refuses to
// charge when the cap cannot be read back.
const cappedSuffix = ".x"

// payoutPageSuffix ends the merchantReference of an interactive payout's Disbursement
// authorization (see InteractivePayoutReference).
const payoutPageSuffix = ".p"

// InteractivePayoutReference returns the merchantReference the adapter sent to Trustly for
// the Disbursement authorization of an interactive payout (a Payout without AccountID),
// given its MerchantReference and idempotency key. Pass it to VerifyRedirect.
func InteractivePayoutReference(merchantReference, idempotencyKey string) string {
	return reference("payout", merchantReference, idempotencyKey) + payoutPageSuffix
}

// depositReference returns the merchantReference of the deposit the adapter makes for an
// interactive payout whose authorization carries payoutRef.
func depositReference(payoutRef string) string { return payoutRef + ".d" }

// captureReference returns the merchantReference of an automatically captured payment's
// capture.
func captureReference(paymentRef string) string { return paymentRef + ".c" }

// callerReference recovers the caller's reference from a merchantReference built by
// reference, ManualPaymentReference, InteractivePayoutReference, captureReference or
// depositReference. Other references are returned unchanged.
func callerReference(ref string) string {
	ref = strings.TrimSuffix(strings.TrimSuffix(ref, ".c"), ".d")
	ref = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(ref, manualSuffix), cappedSuffix), payoutPageSuffix)
	if isDigest(ref) {
		return ""
	}
	if len(ref) > refSuffixLen && ref[len(ref)-refSuffixLen] == '.' && isDigest(ref[len(ref)-refSuffixLen+1:]) {
		return ref[:len(ref)-refSuffixLen]
	}
	return ref
}

// isDigest reports whether s is "pb" followed by ten lower-case base32 characters.
func isDigest(s string) bool {
	if len(s) != 12 || !strings.HasPrefix(s, "pb") {
		return false
	}
	for i := 2; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '2' && c <= '7') {
			return false
		}
	}
	return true
}
