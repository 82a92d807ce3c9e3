package paybridge_test

import (
	"encoding/json"
	"testing"

	"github.com/paybridge/paybridge"
)

// The journal fingerprints a write by its request's JSON, and refuses a repeat whose
// fingerprint differs (ErrDuplicate). During a rolling upgrade a repeat may be made by a
// newer release than the first attempt: a field a release adds must therefore leave the
// JSON of every request that does not set it unchanged (omitempty or omitzero), or every
// such repeat is refused. This test holds the JSON of each journaled request with no
// field set to what it was; it changes only when a field that is always written is added,
// renamed or removed, which breaks repeats across the upgrade.
func TestFingerprintedRequestsKeepTheirJSON(t *testing.T) {
	for _, c := range []struct {
		name string
		req  any
		want string
	}{
		{"PaymentRequest", paybridge.PaymentRequest{},
			`{"amount":null,"merchantReference":"","returnUrl":"","payer":{}}`},
		{"RefundRequest", paybridge.RefundRequest{}, `{"paymentId":"","amount":null}`},
		{"PayoutRequest", paybridge.PayoutRequest{}, `{"amount":null,"payee":{},"merchantReference":""}`},
		{"VerifyAccountRequest", paybridge.VerifyAccountRequest{}, `{"holder":{},"account":{}}`},
		{"CaptureRequest", paybridge.CaptureRequest{}, `{"paymentId":"","amount":null}`},
		{"VoidRequest", paybridge.VoidRequest{}, `{"paymentId":""}`},
		{"MandateRequest", paybridge.MandateRequest{}, `{"payer":{},"currency":"","merchantReference":"","returnUrl":""}`},
		{"ChargeRequest", paybridge.ChargeRequest{}, `{"mandateId":"","amount":null,"merchantReference":""}`},
		{"CancelMandateRequest", paybridge.CancelMandateRequest{}, `{"mandateId":""}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			b, err := json.Marshal(c.req)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != c.want {
				t.Errorf("an empty %s is fingerprinted as\n%s\nwant\n%s\n(a new request field needs omitempty or omitzero: "+
					"a repeat made by another release must fingerprint as the first attempt did)", c.name, b, c.want)
			}
		})
	}
}
