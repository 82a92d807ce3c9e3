package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
)

var scenarios = []Scenario{
	{"Capabilities", "every operation Capabilities excludes returns ErrNotSupported, before anything is sent", capabilitiesScenario},
	{"As", "Gateway.As reaches the adapter's own types and errors.As the adapter's errors beneath the Gateway's, as Harness.As declares; neither sets a target of another type", asScenario},
	{"PayApproved", "pay, the end user approves, the payment succeeds with the amount asked for", payApproved},
	{"PayDeclined", "pay, the bank declines, the payment ends declined or failed", payDeclined},
	{"PayAbandoned", "pay, the end user leaves, the payment ends canceled or expired", payAbandoned},
	{"PayIdempotent", "the same Pay repeated with one idempotency key creates one payment", payIdempotent},
	{"GetPaymentNotFound", "an unknown payment id returns ErrNotFound", getPaymentNotFound},
	{"RefundPartialAndMultiple", "partial and repeated refunds of a succeeded payment", refundPartialAndMultiple},
	{"RefundOverCaptured", "a refund above what remains refundable is refused with ErrInvalidRequest", refundOverCaptured},
	{"RefundIdempotent", "the same Refund repeated with one idempotency key refunds once", refundIdempotent},
	{"CaptureFull", "a payment with manual capture is authorized when approved, and captured in full it succeeds with capture.succeeded", captureFull},
	{"CapturePartial", "an authorized payment captured in part, then (where allowed) captured again up to its amount", capturePartial},
	{"CaptureOverAuthorized", "a capture above what remains authorized is refused with ErrInvalidRequest", captureOverAuthorized},
	{"VoidThenCapture", "a voided authorization is canceled and can no longer be captured; a payment captured in full cannot be voided", voidThenCapture},
	{"CaptureIdempotent", "the same Capture repeated with one idempotency key captures once", captureIdempotent},
	{"VerifyAccount", "bank details are verified into an account id; bad details are not", verifyAccount},
	{"VerifyAccountInteractive", "the holder confirms an account on the provider's page", verifyAccountInteractive},
	{"PayoutToVerifiedAccount", "a payout to a verified account", payoutToVerifiedAccount},
	{"PayoutIdempotent", "the same Payout repeated with one idempotency key pays once", payoutIdempotent},
	{"PayoutInteractive", "a payout without an account is pending with a page where the payee chooses the account; once they do, it succeeds, its notifications reach the application, and a repeat with its key returns the same payout", payoutInteractive},
	{"MandateCharge", "the payer approves a mandate; a charge under it succeeds and its payment notification names the mandate", mandateCharge},
	{"ChargeCanceledMandate", "a canceled mandate can no longer be charged", chargeCanceledMandate},
	{"ChargeIdempotent", "the same Charge repeated with one idempotency key charges once", chargeIdempotent},
	{"Ledger", "the ledger between two times holds the run's payment and refund with their signed amounts and ids; an empty range holds nothing", ledgerScenario},
	{"RestartResolves", "a money move whose answer was lost, repeated with its key from a new Gateway on the same journal, moves money once", restartResolves},
	{"TwoInstancesOneMovement", "two Gateways on one journal making the same call at once move money once", twoInstancesOneMovement},
	{"ForeignNotificationRejected", "correctly signed notifications about payments this merchant's Gateway did not make, or with another amount than it asked for, never reach the application", foreignNotificationRejected},
	{"UncertainNeverExpires", "a money move whose answer was lost is never sent again blindly, even 400 days later", uncertainNeverExpires},
	{"Customers", "customer create, get, update (set and clear), list", customers},
	{"BadCredentials", "wrong credentials return ErrUnauthenticated without revealing them", badCredentials},
	{"InvalidRequestRejectedBeforeSending", "bad fields and amounts with too many decimals are refused, naming the field, before anything is sent", invalidRequests},
	{"RequestFields", "every optional request field the provider does not carry is refused by name before anything is sent; those it carries are accepted", requestFields},
	{"BeforeSend", "a Pay's BeforeSend hook that fails refuses the call before sending; its as function and Payment.As reach the targets Harness.As declares and nothing else", beforeSend},
	{"UnsupportedCurrencyRejected", "a currency outside Capabilities is refused before anything is sent", unsupportedCurrency},
	{"NotificationVerifiedDedupedReplied", "a notification is verified, delivered once, acknowledged; a redelivery gets the same reply without a second callback", notificationDeduped},
	{"NotificationTamperedRejected", "tampered, unsigned and oversized notifications are rejected and never reach the application", notificationTampered},
	{"NotificationRetriedAfterCallbackFailure", "when the application fails, the notification is not acknowledged and is delivered again", notificationRetried},
	{"NotificationFloodRejected", "thousands of malformed copies of a notification never reach the application, and the handler keeps serving valid ones", notificationFlood},
	{"SecretsAbsentFromLogs", "no credential appears in any log line or error message of the run", secretsAbsent},
}

func expectCode(t T, s *suite, err error, want error) {
	t.Helper()
	s.noteErr(err)
	if err == nil {
		t.Fatalf("got no error, want %v", want)
	}
	if !errors.Is(err, want) {
		t.Fatalf("got error %v (code %s), want %v", err, paybridge.CodeOf(err), want)
	}
}

func must(t T, s *suite, what string, err error) {
	t.Helper()
	s.noteErr(err)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func capabilitiesScenario(ctx context.Context, t T, s *suite) {
	if !s.caps.Supports(paybridge.OpPay) {
		t.Fatal("every provider must support pay")
	}
	calls := map[paybridge.Operation]func() error{
		paybridge.OpGetPayment: func() error { _, err := s.gw.GetPayment(ctx, "x-1"); return err },
		paybridge.OpRefund: func() error {
			_, err := s.gw.Refund(ctx, paybridge.RefundRequest{PaymentID: "x-1", Amount: s.amount(t, "1.00")})
			return err
		},
		paybridge.OpGetRefund: func() error { _, err := s.gw.GetRefund(ctx, "x-1"); return err },
		paybridge.OpPayout: func() error {
			_, err := s.gw.Payout(ctx, paybridge.PayoutRequest{Amount: s.amount(t, "1.00"), AccountID: "x-1", Payee: s.h.Payer, MerchantReference: newRef("po")})
			return err
		},
		paybridge.OpPayoutInteractive: func() error {
			_, err := s.gw.Payout(ctx, paybridge.PayoutRequest{Amount: s.amount(t, "1.00"), Payee: s.h.Payer, MerchantReference: newRef("po"),
				ReturnURL: "https://merchant.example.com/r"})
			return err
		},
		paybridge.OpGetPayout: func() error { _, err := s.gw.GetPayout(ctx, "x-1"); return err },
		paybridge.OpVerifyAccount: func() error {
			_, err := s.gw.VerifyAccount(ctx, paybridge.VerifyAccountRequest{Holder: s.h.Payer, Account: paybridge.BankAccount{IBAN: "GB33BUKB20201555555555"}})
			return err
		},
		paybridge.OpVerifyAccountInteractive: func() error {
			_, err := s.gw.VerifyAccount(ctx, paybridge.VerifyAccountRequest{Holder: s.h.Payer, ReturnURL: "https://merchant.example.com/r"})
			return err
		},
		paybridge.OpGetAccountVerification: func() error { _, err := s.gw.GetAccountVerification(ctx, "x-1"); return err },
		paybridge.OpCustomers: func() error {
			_, err := s.gw.CreateCustomer(ctx, paybridge.Customer{FirstName: "A"})
			return err
		},
		paybridge.OpNotifications: func() error {
			_, err := s.gw.NotificationHandler(func(context.Context, notify.Event) error { return nil })
			return err
		},
		paybridge.OpCapture: func() error {
			_, err := s.gw.Capture(ctx, paybridge.CaptureRequest{PaymentID: "x-1", Amount: s.amount(t, "1.00")})
			return err
		},
		paybridge.OpGetCapture: func() error { _, err := s.gw.GetCapture(ctx, "x-1"); return err },
		paybridge.OpVoid: func() error {
			_, err := s.gw.Void(ctx, paybridge.VoidRequest{PaymentID: "x-1"})
			return err
		},
		paybridge.OpCreateMandate: func() error {
			_, err := s.gw.CreateMandate(ctx, paybridge.MandateRequest{Payer: paybridge.Person{ID: "payer-1"}, Currency: s.h.Currency,
				MerchantReference: newRef("mandate"), ReturnURL: "https://merchant.example.com/r"})
			return err
		},
		paybridge.OpGetMandate: func() error { _, err := s.gw.GetMandate(ctx, "x-1"); return err },
		paybridge.OpCancelMandate: func() error {
			_, err := s.gw.CancelMandate(ctx, paybridge.CancelMandateRequest{MandateID: "x-1"})
			return err
		},
		paybridge.OpCharge: func() error {
			_, err := s.gw.Charge(ctx, paybridge.ChargeRequest{MandateID: "x-1", Amount: s.amount(t, "1.00"), MerchantReference: newRef("charge")})
			return err
		},
		paybridge.OpLedger: func() error {
			var first error
			for _, err := range s.gw.Ledger(ctx, paybridge.LedgerRequest{From: time.Now().Add(-time.Hour), To: time.Now()}) {
				if first == nil {
					first = err
				}
			}
			return first
		},
	}
	checked := 0
	sent := s.sentNothing(ctx, func() {
		checked = 0
		for op, call := range calls {
			if s.caps.Supports(op) {
				continue
			}
			checked++
			err := call()
			s.noteErr(err)
			if !errors.Is(err, paybridge.ErrNotSupported) {
				t.Errorf("%s is not in Capabilities but returned %v, want ErrNotSupported", op, err)
			}
		}
	})
	if sent != 0 {
		t.Errorf("unsupported operations sent %d requests to the provider", sent)
	}
	t.Logf("%d operations supported, %d unsupported checked", len(s.caps.Operations), checked)
}

func (s *suite) requests() int64 {
	if s.h.Requests == nil {
		return 0
	}
	return s.h.Requests()
}

// startPayment pays value and checks the immediate result.
func (s *suite) startPayment(ctx context.Context, t T, value string) (*paybridge.Payment, paybridge.PaymentRequest) {
	t.Helper()
	req := s.paymentRequest(t, value)
	p, err := s.gw.Pay(ctx, req)
	must(t, s, "Pay", err)
	if p.ID == "" {
		t.Fatal("Pay returned no ID")
	}
	if !p.Amount.Equal(req.Amount) {
		t.Fatalf("Pay reported amount %v, asked for %v", p.Amount, req.Amount)
	}
	if p.Status != paybridge.PaymentRequiresAction {
		t.Fatalf("new payment has status %q, want %q", p.Status, paybridge.PaymentRequiresAction)
	}
	if u, err := url.Parse(p.RedirectURL); err != nil || !u.IsAbs() {
		t.Fatalf("RedirectURL %q is not an absolute URL", p.RedirectURL)
	}
	if p.IdempotencyKey == "" {
		t.Error("Payment.IdempotencyKey is empty; the Gateway must fill it in")
	}
	return p, req
}

// finalPayment waits until the payment is final, by polling or, where the provider has
// no status call, from notifications.
func (s *suite) finalPayment(ctx context.Context, t T, id string) paybridge.PaymentStatus {
	t.Helper()
	if s.caps.Supports(paybridge.OpGetPayment) {
		var last *paybridge.Payment
		err := s.poll(ctx, func() (bool, error) {
			p, err := s.gw.GetPayment(ctx, id)
			if err != nil {
				return false, err
			}
			last = p
			return p.Status.Final(), nil
		})
		must(t, s, "waiting for the payment to end", err)
		if last.ID != id {
			t.Fatalf("GetPayment(%q) returned payment %q", id, last.ID)
		}
		return last.Status
	}
	if s.srv == nil {
		t.Skip("provider has no payment status call and notifications cannot reach this machine")
	}
	e, err := s.waitEvent(ctx, func(e notify.Event) bool {
		return e.PaymentID == id && (e.Kind == notify.PaymentSucceeded || e.Kind == notify.PaymentFailed || e.Kind == notify.PaymentCanceled)
	})
	must(t, s, "waiting for the payment's final notification", err)
	switch e.Kind {
	case notify.PaymentSucceeded:
		return paybridge.PaymentSucceeded
	case notify.PaymentCanceled:
		return paybridge.PaymentCanceled
	}
	return paybridge.PaymentFailed
}

// paidPayment returns a succeeded payment of value.
func (s *suite) paidPayment(ctx context.Context, t T, value string) *paybridge.Payment {
	t.Helper()
	s.requireEndUser(t)
	p, _ := s.startPayment(ctx, t, value)
	must(t, s, "EndUser.Approve", s.h.EndUser.Approve(ctx, p.RedirectURL))
	if st := s.finalPayment(ctx, t, p.ID); st != paybridge.PaymentSucceeded {
		t.Fatalf("approved payment ended %q, want succeeded", st)
	}
	return p
}

func payApproved(ctx context.Context, t T, s *suite) {
	p := s.paidPayment(ctx, t, "12.34")
	if s.caps.Supports(paybridge.OpGetPayment) {
		got, err := s.gw.GetPayment(ctx, p.ID)
		must(t, s, "GetPayment", err)
		if !got.Amount.Equal(p.Amount) {
			t.Errorf("GetPayment amount %v, want %v", got.Amount, p.Amount)
		}
		if got.ProviderStatus == "" {
			t.Error("GetPayment carries no ProviderStatus")
		}
	}
}

func payDeclined(ctx context.Context, t T, s *suite) {
	s.requireEndUser(t)
	p, _ := s.startPayment(ctx, t, "4.00")
	must(t, s, "EndUser.Decline", s.h.EndUser.Decline(ctx, p.RedirectURL))
	if st := s.finalPayment(ctx, t, p.ID); st != paybridge.PaymentDeclined && st != paybridge.PaymentFailed {
		t.Fatalf("declined payment ended %q, want declined or failed", st)
	}
}

func payAbandoned(ctx context.Context, t T, s *suite) {
	s.requireEndUser(t)
	p, _ := s.startPayment(ctx, t, "4.50")
	must(t, s, "EndUser.Abandon", s.h.EndUser.Abandon(ctx, p.RedirectURL))
	if st := s.finalPayment(ctx, t, p.ID); st != paybridge.PaymentCanceled && st != paybridge.PaymentExpired {
		t.Fatalf("abandoned payment ended %q, want canceled or expired", st)
	}
}

func payIdempotent(ctx context.Context, t T, s *suite) {
	req := s.paymentRequest(t, "7.00")
	req.IdempotencyKey = newRef("idem")
	first, err := s.gw.Pay(ctx, req)
	must(t, s, "first Pay", err)
	second, err := s.gw.Pay(ctx, req)
	must(t, s, "repeated Pay", err)
	if first.ID != second.ID {
		t.Fatalf("repeating Pay with idempotency key %s created payment %s and then %s", req.IdempotencyKey, first.ID, second.ID)
	}
	if second.IdempotencyKey != req.IdempotencyKey {
		t.Errorf("Payment.IdempotencyKey = %q, want %q", second.IdempotencyKey, req.IdempotencyKey)
	}
	other := s.paymentRequest(t, "7.00")
	third, err := s.gw.Pay(ctx, other)
	must(t, s, "Pay with a new key", err)
	if third.ID == first.ID {
		t.Fatal("a new idempotency key returned the earlier payment")
	}
}

func getPaymentNotFound(ctx context.Context, t T, s *suite) {
	s.requireCap(t, paybridge.OpGetPayment)
	// Numeric, as several providers' ids are, so it passes any id-format check and
	// reaches the provider.
	_, err := s.gw.GetPayment(ctx, "999999999999")
	expectCode(t, s, err, paybridge.ErrNotFound)
}

func (s *suite) refund(ctx context.Context, t T, paymentID, value, key string) *paybridge.Refund {
	t.Helper()
	r, err := s.gw.Refund(ctx, paybridge.RefundRequest{PaymentID: paymentID, Amount: s.amount(t, value),
		Reason: s.carried("RefundRequest.Reason", "conformance"), IdempotencyKey: key})
	must(t, s, "Refund "+value, err)
	if r.ID == "" || r.PaymentID != paymentID {
		t.Fatalf("Refund returned id %q for payment %q, want a refund of %q", r.ID, r.PaymentID, paymentID)
	}
	if !r.Amount.Equal(s.amount(t, value)) {
		t.Fatalf("Refund reported %v, asked for %s", r.Amount, value)
	}
	if r.Status == paybridge.RefundFailed || r.Status == paybridge.RefundCanceled {
		t.Fatalf("refund ended %q", r.Status)
	}
	return r
}

func refundPartialAndMultiple(ctx context.Context, t T, s *suite) {
	s.requireCap(t, paybridge.OpRefund, paybridge.OpPartialRefund)
	p := s.paidPayment(ctx, t, "10.00")
	first := s.refund(ctx, t, p.ID, "3.00", "")
	if s.caps.Supports(paybridge.OpMultipleRefunds) {
		second := s.refund(ctx, t, p.ID, "2.50", "")
		if second.ID == first.ID {
			t.Fatal("two refunds share one id")
		}
	}
	if s.caps.Supports(paybridge.OpGetRefund) {
		got, err := s.gw.GetRefund(ctx, first.ID)
		must(t, s, "GetRefund", err)
		if got.ID != first.ID || !got.Amount.Equal(first.Amount) {
			t.Fatalf("GetRefund = %+v, want the refund %s of %v", got, first.ID, first.Amount)
		}
	}
}

func refundOverCaptured(ctx context.Context, t T, s *suite) {
	s.requireCap(t, paybridge.OpRefund)
	p := s.paidPayment(ctx, t, "5.00")
	_, err := s.gw.Refund(ctx, paybridge.RefundRequest{PaymentID: p.ID, Amount: s.amount(t, "5.01")})
	expectCode(t, s, err, paybridge.ErrInvalidRequest)
	if s.caps.Supports(paybridge.OpPartialRefund) && s.caps.Supports(paybridge.OpMultipleRefunds) {
		s.refund(ctx, t, p.ID, "3.00", "")
		_, err = s.gw.Refund(ctx, paybridge.RefundRequest{PaymentID: p.ID, Amount: s.amount(t, "2.01")})
		expectCode(t, s, err, paybridge.ErrInvalidRequest)
		s.refund(ctx, t, p.ID, "2.00", "")
	}
}

func refundIdempotent(ctx context.Context, t T, s *suite) {
	s.requireCap(t, paybridge.OpRefund, paybridge.OpPartialRefund, paybridge.OpMultipleRefunds)
	p := s.paidPayment(ctx, t, "6.00")
	key := newRef("refund")
	a := s.refund(ctx, t, p.ID, "1.00", key)
	b := s.refund(ctx, t, p.ID, "1.00", key)
	if a.ID != b.ID {
		t.Fatalf("repeating Refund with one key made refunds %s and %s", a.ID, b.ID)
	}
	// Had the repeat refunded again, only 4.00 would remain and this would be refused.
	s.refund(ctx, t, p.ID, "5.00", "")
}

// verifiedAccount returns the id of an account payouts can be sent to: verified from the
// harness's bank details, or through the hosted page.
func (s *suite) verifiedAccount(ctx context.Context, t T) string {
	t.Helper()
	if s.caps.Supports(paybridge.OpVerifyAccount) && !s.h.Account.IsZero() && !s.h.PayoutAccountInteractive {
		return s.detailsAccount(ctx, t)
	}
	if s.caps.Supports(paybridge.OpVerifyAccountInteractive) && s.h.EndUser != nil {
		return s.interactiveAccount(ctx, t)
	}
	t.Skip("no way to obtain an account for payouts: the harness has no Account, or the provider cannot verify one")
	return ""
}

// detailsAccount verifies the harness's bank details without interaction.
func (s *suite) detailsAccount(ctx context.Context, t T) string {
	t.Helper()
	v, err := s.gw.VerifyAccount(ctx, paybridge.VerifyAccountRequest{Holder: s.h.Payer, Account: s.h.Account,
		Currency: s.h.Currency, MerchantReference: newRef("verify"), NotificationURL: s.notifyURL})
	must(t, s, "VerifyAccount", err)
	return s.settledAccount(ctx, t, v)
}

// settledAccount waits for a verification to finish and returns the account id.
func (s *suite) settledAccount(ctx context.Context, t T, v *paybridge.AccountVerification) string {
	t.Helper()
	if !v.Status.Final() && s.caps.Supports(paybridge.OpGetAccountVerification) {
		err := s.poll(ctx, func() (bool, error) {
			got, err := s.gw.GetAccountVerification(ctx, v.ID)
			if err == nil {
				v = got
			}
			return err == nil && v.Status.Final(), err
		})
		must(t, s, "waiting for the verification", err)
	}
	if !v.Status.Final() && s.srv != nil {
		e, err := s.waitEvent(ctx, func(e notify.Event) bool {
			return e.Kind == notify.AccountVerified && (v.AccountID == "" || e.AccountID == v.AccountID)
		})
		must(t, s, "waiting for the account notification", err)
		v.Status, v.AccountID = paybridge.VerificationVerified, e.AccountID
	}
	if v.Status != paybridge.VerificationVerified || v.AccountID == "" {
		t.Fatalf("verification ended %q with account id %q, want verified with an id", v.Status, v.AccountID)
	}
	return v.AccountID
}

func (s *suite) interactiveAccount(ctx context.Context, t T) string {
	t.Helper()
	v, err := s.gw.VerifyAccount(ctx, paybridge.VerifyAccountRequest{Holder: s.h.Payer, Currency: s.h.Currency,
		MerchantReference: newRef("verify"), ReturnURL: "https://merchant.example.com/verified", NotificationURL: s.notifyURL})
	must(t, s, "VerifyAccount (interactive)", err)
	if v.Status != paybridge.VerificationRequiresAction || v.RedirectURL == "" {
		t.Fatalf("interactive verification has status %q and URL %q, want requires_action with a URL", v.Status, v.RedirectURL)
	}
	must(t, s, "EndUser.Approve", s.h.EndUser.Approve(ctx, v.RedirectURL))
	return s.settledAccount(ctx, t, v)
}

func verifyAccount(ctx context.Context, t T, s *suite) {
	s.requireCap(t, paybridge.OpVerifyAccount)
	if s.h.Account.IsZero() {
		t.Skip("harness has no test bank Account")
	}
	id := s.detailsAccount(ctx, t)
	for _, number := range []string{s.h.Account.AccountNumber, s.h.Account.IBAN} {
		if len(number) > 4 && strings.Contains(id, number) {
			t.Error("the account id embeds the full account number")
		}
	}
	if s.h.RejectedAccount.IsZero() {
		return
	}
	v, err := s.gw.VerifyAccount(ctx, paybridge.VerifyAccountRequest{Holder: s.h.Payer, Account: s.h.RejectedAccount,
		Currency: s.h.Currency, MerchantReference: newRef("verify")})
	s.noteErr(err)
	switch {
	case err != nil:
		if !errors.Is(err, paybridge.ErrInvalidRequest) && !errors.Is(err, paybridge.ErrDeclined) {
			t.Fatalf("rejected account returned %v, want a failed verification or ErrInvalidRequest/ErrDeclined", err)
		}
	case v.Status == paybridge.VerificationVerified:
		t.Fatal("an account the provider must reject was verified")
	}
}

func verifyAccountInteractive(ctx context.Context, t T, s *suite) {
	s.requireCap(t, paybridge.OpVerifyAccountInteractive)
	s.requireEndUser(t)
	if id := s.interactiveAccount(ctx, t); id == "" {
		t.Fatal("no account id")
	}
}

func (s *suite) payout(ctx context.Context, t T, account, value, key string) *paybridge.Payout {
	t.Helper()
	ref := newRef("payout")
	if key != "" {
		ref = key // a retry repeats the whole request, reference included
	}
	po, err := s.gw.Payout(ctx, paybridge.PayoutRequest{Amount: s.amount(t, value), AccountID: account, Payee: s.person("PayoutRequest.Payee"),
		MerchantReference: ref, Description: s.carried("PayoutRequest.Description", "conformance payout"), NotificationURL: s.notifyURL, IdempotencyKey: key})
	must(t, s, "Payout", err)
	if po.ID == "" || !po.Amount.Equal(s.amount(t, value)) {
		t.Fatalf("Payout returned id %q amount %v, want an id and %s", po.ID, po.Amount, value)
	}
	if po.Status == paybridge.PayoutFailed || po.Status == paybridge.PayoutCanceled {
		t.Fatalf("payout ended %q", po.Status)
	}
	return po
}

func payoutToVerifiedAccount(ctx context.Context, t T, s *suite) {
	s.requireCap(t, paybridge.OpPayout)
	account := s.verifiedAccount(ctx, t)
	po := s.payout(ctx, t, account, "2.00", "")
	if s.caps.Supports(paybridge.OpGetPayout) {
		got, err := s.gw.GetPayout(ctx, po.ID)
		must(t, s, "GetPayout", err)
		if got.ID != po.ID || !got.Amount.Equal(po.Amount) {
			t.Fatalf("GetPayout = %+v, want payout %s of %v", got, po.ID, po.Amount)
		}
	}
}

func payoutIdempotent(ctx context.Context, t T, s *suite) {
	s.requireCap(t, paybridge.OpPayout)
	account := s.verifiedAccount(ctx, t)
	key := newRef("payout")
	a := s.payout(ctx, t, account, "1.50", key)
	b := s.payout(ctx, t, account, "1.50", key)
	if a.ID != b.ID {
		t.Fatalf("repeating Payout with one key made payouts %s and %s", a.ID, b.ID)
	}
}

// payoutInteractive makes a payout whose payee chooses the account on the provider's
// page. Where the provider asks whether the amount may be paid (notify.PayoutRequested),
// the suite's callback answers Continue.
func payoutInteractive(ctx context.Context, t T, s *suite) {
	s.requireCap(t, paybridge.OpPayout, paybridge.OpPayoutInteractive)
	s.requireEndUser(t)
	if !s.caps.Supports(paybridge.OpGetPayout) {
		s.requireNotifications(t) // the only way to learn the outcome
	}
	key := newRef("payout")
	want := s.amount(t, "3.00")
	req := paybridge.PayoutRequest{Amount: want, Payee: s.person("PayoutRequest.Payee"), MerchantReference: key,
		Description: s.carried("PayoutRequest.Description", "conformance payout"), ReturnURL: "https://merchant.example.com/paid-out",
		NotificationURL: s.notifyURL, IdempotencyKey: key}
	po, err := s.gw.Payout(ctx, req)
	must(t, s, "Payout (interactive)", err)
	if po.ID == "" || !po.Amount.Equal(want) || po.Status != paybridge.PayoutPending || po.RedirectURL == "" {
		t.Fatalf("interactive Payout returned id %q, amount %v, status %q, URL %q; want an id, %v, pending and a URL",
			po.ID, po.Amount, po.Status, po.RedirectURL, want)
	}
	again, err := s.gw.Payout(ctx, req)
	must(t, s, "Payout (interactive, repeated)", err)
	if again.ID != po.ID || again.RedirectURL != po.RedirectURL {
		t.Fatalf("repeating the interactive Payout with its key returned payout %q (URL %q), want %q (URL %q)",
			again.ID, again.RedirectURL, po.ID, po.RedirectURL)
	}
	must(t, s, "EndUser.Approve", s.h.EndUser.Approve(ctx, po.RedirectURL))
	if s.srv != nil {
		e, err := s.waitEvent(ctx, func(e notify.Event) bool {
			return e.PayoutID == po.ID && (e.Kind == notify.PayoutSucceeded || e.Kind == notify.PayoutFailed)
		})
		must(t, s, "waiting for the payout's notification", err)
		if e.Kind != notify.PayoutSucceeded || (e.Amount.IsValid() && !e.Amount.Equal(want)) {
			t.Fatalf("the payout's notification is %s of %v, want %s of %v", e.Kind, e.Amount, notify.PayoutSucceeded, want)
		}
	}
	if s.caps.Supports(paybridge.OpGetPayout) {
		var got *paybridge.Payout
		err := s.poll(ctx, func() (bool, error) {
			var err error
			got, err = s.gw.GetPayout(ctx, po.ID)
			return err == nil && got.Status.Final(), err
		})
		must(t, s, "waiting for the payout", err)
		if got.Status != paybridge.PayoutSucceeded || !got.Amount.Equal(want) {
			t.Fatalf("GetPayout = %s of %v, want succeeded of %v", got.Status, got.Amount, want)
		}
	}
}

func customers(ctx context.Context, t T, s *suite) {
	s.requireCap(t, paybridge.OpCustomers)
	stores := s.caps.StoresCustomerField
	ext := newRef("cust")
	in := paybridge.Customer{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com"}
	for name, set := range map[string]func(){
		"ExternalID":  func() { in.ExternalID = ext },
		"Phone":       func() { in.Phone = "+447700900123" },
		"DateOfBirth": func() { in.DateOfBirth = "1990-12-10" },
		"Group":       func() { in.Group = "conformance" },
		"Address": func() {
			in.Address = &paybridge.Address{Line1: "1 Test Street", City: "London", PostalCode: "N1 1AA", Country: "GB"}
		},
	} {
		if stores(name) {
			set()
		}
	}
	c, err := s.gw.CreateCustomer(ctx, in)
	must(t, s, "CreateCustomer", err)
	if c.ID == "" || c.Email != "ada@example.com" || (stores("FirstName") && c.FirstName != "Ada") {
		t.Fatalf("CreateCustomer returned %+v", c)
	}
	got, err := s.gw.GetCustomer(ctx, c.ID)
	must(t, s, "GetCustomer", err)
	if got.ID != c.ID || (stores("LastName") && got.LastName != "Lovelace") || got.Email != "ada@example.com" {
		t.Fatalf("GetCustomer returned %+v", got)
	}
	if stores("Address") && (got.Address == nil || got.Address.City != "London") {
		t.Fatalf("GetCustomer lost the address: %+v", got)
	}
	if stores("ExternalID") && got.ExternalID != ext {
		t.Fatalf("GetCustomer ExternalID = %q, want %q", got.ExternalID, ext)
	}

	// Update: set one field, clear another, keep the rest.
	u := paybridge.CustomerUpdate{Email: paybridge.Set("augusta@example.com")}
	cleared := ""
	switch {
	case stores("Phone"):
		u.Phone, cleared = paybridge.Clear[string](), "Phone"
	case stores("DateOfBirth"):
		u.DateOfBirth, cleared = paybridge.Clear[string](), "DateOfBirth"
	case stores("Address"):
		u.Address, cleared = paybridge.Clear[*paybridge.Address](), "Address"
	}
	upd, err := s.gw.UpdateCustomer(ctx, c.ID, u)
	must(t, s, "UpdateCustomer", err)
	check := func(what string, c *paybridge.Customer) {
		t.Helper()
		if c.Email != "augusta@example.com" {
			t.Fatalf("%s: Email = %q, want the updated value", what, c.Email)
		}
		if stores("LastName") && c.LastName != "Lovelace" {
			t.Fatalf("%s: LastName = %q; an update must keep fields it does not name", what, c.LastName)
		}
		if (cleared == "Phone" && c.Phone != "") || (cleared == "DateOfBirth" && c.DateOfBirth != "") || (cleared == "Address" && c.Address != nil) {
			t.Fatalf("%s: %s was not cleared: %+v", what, cleared, c)
		}
	}
	check("UpdateCustomer", upd)
	got, err = s.gw.GetCustomer(ctx, c.ID)
	must(t, s, "GetCustomer after update", err)
	check("GetCustomer after update", got)

	// List: by the most selective filter the provider stores.
	var filter paybridge.ListCustomersRequest
	switch {
	case stores("ExternalID"):
		filter.ExternalID = ext
	case stores("Group"):
		filter.Group = "conformance"
	}
	found := false
	for cu, err := range s.gw.ListCustomers(ctx, filter) {
		must(t, s, "ListCustomers", err)
		if filter.ExternalID != "" && cu.ExternalID != ext {
			t.Fatalf("ListCustomers by ExternalID returned customer %s with ExternalID %q", cu.ID, cu.ExternalID)
		}
		found = found || cu.ID == c.ID
	}
	if !found {
		t.Fatalf("ListCustomers(%+v) did not return customer %s", filter, c.ID)
	}

	_, err = s.gw.GetCustomer(ctx, "unknown"+ext)
	expectCode(t, s, err, paybridge.ErrNotFound)
	_, err = s.gw.CreateCustomer(ctx, paybridge.Customer{Email: "not-an-email"})
	expectFields(t, s, err, "Email")
	for _, name := range []string{"ExternalID", "Phone", "Group"} {
		if stores(name) {
			continue
		}
		bad := paybridge.Customer{Email: "x@example.com", ExternalID: "e", Phone: "+1", Group: "g"}
		_, err = s.gw.CreateCustomer(ctx, bad)
		expectFields(t, s, err, name)
	}
}

func badCredentials(ctx context.Context, t T, s *suite) {
	if s.h.NewGatewayBadCredentials == nil {
		t.Skip("harness cannot make a Gateway with bad credentials")
	}
	gw := s.h.NewGatewayBadCredentials(ctx, t, s.opts...)
	defer gw.Close()
	_, err := gw.Pay(ctx, s.paymentRequest(t, "1.00"))
	expectCode(t, s, err, paybridge.ErrUnauthenticated)
}

func expectFields(t T, s *suite, err error, fields ...string) {
	t.Helper()
	expectCode(t, s, err, paybridge.ErrInvalidRequest)
	var pe *paybridge.Error
	if !errors.As(err, &pe) {
		t.Fatalf("error %v is not a *paybridge.Error", err)
	}
	for _, f := range fields {
		if !slices.ContainsFunc(pe.Fields, func(fe paybridge.FieldError) bool { return fe.Field == f }) {
			t.Errorf("error %q does not name field %s", err, f)
		}
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error message %q does not name field %s", err, f)
		}
	}
}

func invalidRequests(ctx context.Context, t T, s *suite) {
	sent := s.sentNothing(ctx, func() { sendInvalidRequests(ctx, t, s) })
	if s.h.Requests == nil {
		t.Log("harness has no request counter: checked the errors only")
		return
	}
	if sent != 0 {
		t.Fatalf("invalid requests sent %d requests to the provider", sent)
	}
}

func sendInvalidRequests(ctx context.Context, t T, s *suite) {
	req := s.paymentRequest(t, "1.00")
	req.Amount = money.Amount{}
	_, err := s.gw.Pay(ctx, req)
	expectFields(t, s, err, "Amount")

	req = s.paymentRequest(t, "1.00")
	req.Amount = s.amount(t, "-1.00")
	_, err = s.gw.Pay(ctx, req)
	expectFields(t, s, err, "Amount")

	req = s.paymentRequest(t, "1.00")
	req.ReturnURL = ""
	req.Payer.Email = "not an e-mail"
	_, err = s.gw.Pay(ctx, req)
	expectFields(t, s, err, "ReturnURL", "Payer.Email")

	req = s.paymentRequest(t, "1.00")
	req.ReturnURL = "javascript:alert(1)"
	_, err = s.gw.Pay(ctx, req)
	expectFields(t, s, err, "ReturnURL")

	// One decimal place more than the currency has can never become an Amount.
	exp := s.h.Currency.Exponent()
	tooPrecise := "1." + strings.Repeat("0", exp) + "1"
	if _, err := money.NewCurrency(tooPrecise, s.h.Currency); !errors.Is(err, money.ErrPrecision) {
		t.Fatalf("money.NewCurrency(%q, %s) = %v, want ErrPrecision", tooPrecise, s.h.Currency, err)
	}
	body := fmt.Sprintf(`{"amount":{"value":%q,"currency":%q},"merchantReference":"r1","returnUrl":"https://m.example.com/r"}`, tooPrecise, s.h.Currency)
	var decoded paybridge.PaymentRequest
	if err := json.Unmarshal([]byte(body), &decoded); !errors.Is(err, money.ErrPrecision) {
		t.Fatalf("decoding a request for %s %s gave %v, want ErrPrecision", tooPrecise, s.h.Currency, err)
	}

	_, err = s.gw.Refund(ctx, paybridge.RefundRequest{PaymentID: "", Amount: s.amount(t, "0")})
	if s.caps.Supports(paybridge.OpRefund) {
		expectFields(t, s, err, "PaymentID", "Amount")
	}
}

func unsupportedCurrency(ctx context.Context, t T, s *suite) {
	if len(s.caps.Currencies) == 0 {
		t.Skip("provider lists no currency restriction")
	}
	var other money.Currency
	for _, code := range []string{"JPY", "KWD", "CHF", "GBP", "EUR", "USD", "SEK", "CLF"} {
		c := money.MustCurrency(code)
		if !s.caps.SupportsCurrency(c) {
			other = c
			break
		}
	}
	req := s.paymentRequest(t, "1.00")
	a, err := money.FromDecimal(req.Amount.Decimal().Truncate(0), other)
	must(t, s, "amount", err)
	req.Amount = a
	sent := s.sentNothing(ctx, func() {
		_, err = s.gw.Pay(ctx, req)
	})
	expectCode(t, s, err, paybridge.ErrNotSupported)
	if sent != 0 {
		t.Fatal("an unsupported currency was sent to the provider")
	}
}

// deliveredPayment pays, approves and waits for the success notification.
func (s *suite) deliveredPayment(ctx context.Context, t T, value string, failFirst int) (*paybridge.Payment, notify.Event) {
	t.Helper()
	s.requireNotifications(t)
	s.requireEndUser(t)
	p, req := s.startPayment(ctx, t, value)
	if failFirst > 0 {
		s.mu.Lock()
		s.failNext[p.ID] = failFirst
		s.mu.Unlock()
	}
	must(t, s, "EndUser.Approve", s.h.EndUser.Approve(ctx, p.RedirectURL))
	e, err := s.waitEvent(ctx, func(e notify.Event) bool { return e.PaymentID == p.ID && e.Kind == notify.PaymentSucceeded })
	must(t, s, "waiting for payment.succeeded", err)
	if e.Provider != s.gw.Provider() {
		t.Errorf("event provider %q, want %q", e.Provider, s.gw.Provider())
	}
	if e.Amount.IsValid() && !e.Amount.Equal(req.Amount) {
		t.Errorf("event amount %v, want %v", e.Amount, req.Amount)
	}
	if e.MerchantReference != "" && e.MerchantReference != req.MerchantReference {
		t.Errorf("event merchant reference %q, want %q", e.MerchantReference, req.MerchantReference)
	}
	if len(e.Raw) == 0 {
		t.Fatal("event carries no Raw body")
	}
	return p, e
}

// replay sends a captured notification to the suite's handler again.
func (s *suite) replay(ctx context.Context, t T, body []byte, h http.Header) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.notifyURL, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range h {
		if k != "Content-Length" {
			req.Header[k] = v
		}
	}
	resp, err := s.srv.Client().Do(req)
	if err != nil {
		t.Fatalf("replaying notification: %v", err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	return resp.StatusCode, buf.Bytes()
}

func notificationDeduped(ctx context.Context, t T, s *suite) {
	_, e := s.deliveredPayment(ctx, t, "8.00", 0)
	ex, ok := s.exchangeFor(ctx, e.Raw)
	if !ok {
		t.Fatal("the delivered notification was not seen by the suite's server")
	}
	if ex.status < 200 || ex.status > 299 {
		t.Fatalf("processed notification answered HTTP %d", ex.status)
	}
	calls := s.callCount(e.ID)
	if calls != 1 {
		t.Fatalf("callback ran %d times for notification %s", calls, e.ID)
	}
	var odd *stranger
	if e.As(&odd) || odd != nil {
		t.Error("Event.As set a target of a type the adapter does not know")
	}
	for i, target := range s.h.As.Event {
		v := asTarget(t, "Harness.As.Event", i, target, false)
		if !e.As(target) {
			t.Errorf("Event.As(%T) reported false on a %s event", target, e.Kind)
		} else if v.IsZero() {
			t.Errorf("Event.As(%T) reported true but left the target zero", target)
		}
	}
	status, body := s.replay(ctx, t, ex.body, ex.header)
	if status != ex.status || !bytes.Equal(body, ex.respBody) {
		t.Fatalf("redelivery answered %d %q, first delivery %d %q", status, body, ex.status, ex.respBody)
	}
	if got := s.callCount(e.ID); got != calls {
		t.Fatalf("redelivery reached the application (%d calls)", got)
	}
}

func notificationTampered(ctx context.Context, t T, s *suite) {
	_, e := s.deliveredPayment(ctx, t, "9.00", 0)
	ex, ok := s.exchangeFor(ctx, e.Raw)
	if !ok {
		t.Fatal("the delivered notification was not seen by the suite's server")
	}
	calls := s.callCount(e.ID)
	tb, th := s.h.Tamper(ex.body, ex.header)
	if bytes.Equal(tb, ex.body) && fmt.Sprint(th) == fmt.Sprint(ex.header) {
		t.Fatal("Tamper left the notification unchanged")
	}
	cases := map[string]struct {
		body []byte
		h    http.Header
	}{
		"tampered":  {tb, th},
		"unsigned":  {ex.body, http.Header{"Content-Type": ex.header.Values("Content-Type")}},
		"not json":  {[]byte("{not a notification"), ex.header},
		"empty":     {nil, ex.header},
		"oversized": {bytes.Repeat([]byte("a"), notify.DefaultMaxBodyBytes+1), ex.header},
	}
	for name, c := range cases {
		status, _ := s.replay(ctx, t, c.body, c.h)
		if name == "unsigned" && bytes.Equal(c.body, ex.body) && status >= 200 && status < 300 {
			// A provider that does not sign its notifications may accept an unsigned
			// redelivery of a genuine one; it is answered from the dedupe store.
			continue
		}
		if status >= 200 && status < 300 {
			t.Errorf("%s notification was acknowledged with HTTP %d", name, status)
		}
	}
	if got := s.callCount(e.ID); got != calls {
		t.Fatalf("rejected notifications reached the application (%d calls for %s, want %d)", got, e.ID, calls)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ev := range s.events {
		for name, c := range cases {
			if name != "unsigned" && len(c.body) > 0 && bytes.Equal(ev.Raw, c.body) {
				t.Fatalf("the %s notification reached the application", name)
			}
		}
	}
}

func notificationRetried(ctx context.Context, t T, s *suite) {
	p, e := s.deliveredPayment(ctx, t, "11.00", 1)
	if got := s.callCount(e.ID); got != 2 {
		t.Fatalf("callback ran %d times for notification %s of payment %s, want 2 (one failure, one success)", got, e.ID, p.ID)
	}
}

func secretsAbsent(_ context.Context, t T, s *suite) {
	if len(s.h.Secrets) == 0 {
		t.Fatal("Harness.Secrets is empty: list the credentials so the suite can check they never leak")
	}
	logs := s.logs.String()
	if logs == "" {
		t.Fatal("the Gateway wrote no log lines at debug level; the check would prove nothing")
	}
	s.mu.Lock()
	texts := append([]string{logs, fmt.Sprintf("%+v", s.caps)}, s.errTexts...)
	s.mu.Unlock()
	for _, sec := range s.h.Secrets {
		if len(sec) < 4 {
			t.Fatalf("secret %d is shorter than 4 characters; give the real value", len(sec))
		}
		for _, txt := range texts {
			if strings.Contains(txt, sec) {
				t.Fatalf("a credential (%d characters, starting %q) appears in the run's logs or errors", len(sec), sec[:2])
			}
		}
	}
	t.Logf("checked %d secrets against %d bytes of logs and %d error texts", len(s.h.Secrets), len(logs), len(texts)-2)
}

// floodSize is how many malformed notifications NotificationFloodRejected sends.
const floodSize = 2000

// floodSeed makes the malformed notifications the same on every run, so a failure can be
// replayed.
const floodSeed = 20261123

// mutate returns a malformed copy of body: a byte changed, inserted or removed, the body
// cut short, a piece repeated, or random bytes.
func mutate(r *rand.Rand, body []byte) []byte {
	out := append([]byte(nil), body...)
	switch r.IntN(6) {
	case 0:
		if len(out) > 0 {
			i := r.IntN(len(out))
			out[i] ^= byte(1 + r.IntN(255))
		}
	case 1:
		i := r.IntN(len(out) + 1)
		out = append(out[:i], append([]byte{byte(r.IntN(256))}, out[i:]...)...)
	case 2:
		if len(out) > 0 {
			i := r.IntN(len(out))
			out = append(out[:i], out[i+1:]...)
		}
	case 3:
		out = out[:r.IntN(len(out)+1)]
	case 4:
		if len(out) > 1 {
			i := r.IntN(len(out) - 1)
			j := i + 1 + r.IntN(len(out)-i-1)
			out = append(out[:j], append(append([]byte(nil), out[i:j]...), out[j:]...)...)
		}
	default:
		out = make([]byte, r.IntN(2*len(body)+1))
		for i := range out {
			out[i] = byte(r.IntN(256))
		}
	}
	return out
}

func notificationFlood(ctx context.Context, t T, s *suite) {
	_, e := s.deliveredPayment(ctx, t, "13.00", 0)
	ex, ok := s.exchangeFor(ctx, e.Raw)
	if !ok {
		t.Fatal("the delivered notification was not seen by the suite's server")
	}
	calls := s.callCount(e.ID)
	r := rand.New(rand.NewPCG(floodSeed, floodSeed))
	sent := map[string]bool{}
	for len(sent) < floodSize {
		body := mutate(r, ex.body)
		if bytes.Equal(body, ex.body) || sent[string(body)] {
			continue
		}
		sent[string(body)] = true
		s.replay(ctx, t, body, ex.header)
	}
	if got := s.callCount(e.ID); got != calls {
		t.Fatalf("malformed copies reached the application: %d calls for notification %s, want %d", got, e.ID, calls)
	}
	s.mu.Lock()
	for _, ev := range s.events {
		if sent[string(ev.Raw)] {
			s.mu.Unlock()
			t.Fatalf("a malformed notification reached the application as %s %s", ev.Kind, ev.ID)
		}
	}
	s.mu.Unlock()
	// The handler still serves a genuine notification after the flood.
	s.deliveredPayment(ctx, t, "13.50", 0)
	t.Logf("%d malformed notifications (seed %d) rejected or answered without a callback", len(sent), floodSeed)
}
