package paybridge_test

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
)

// refundingFake is a fake that also implements provider.Refunder.
type refundingFake struct{ *fake }

func (r refundingFake) Refund(_ context.Context, req *provider.RefundRequest) (*provider.Refund, error) {
	r.calls.Add(1)
	return &provider.Refund{ID: "r1", PaymentID: req.PaymentID, Amount: req.Amount, Status: provider.RefundSucceeded}, nil
}
func (r refundingFake) GetRefund(context.Context, string) (*provider.Refund, error) {
	r.calls.Add(1)
	return nil, &provider.Error{Code: provider.NotFound}
}

// verifyingFake is a fake that also implements provider.AccountVerifier.
type verifyingFake struct{ *fake }

func (v verifyingFake) VerifyAccount(context.Context, *provider.VerifyAccountRequest) (*provider.AccountVerification, error) {
	v.calls.Add(1)
	return &provider.AccountVerification{ID: "v1", Status: provider.VerificationVerified, AccountID: "a1"}, nil
}
func (v verifyingFake) GetAccountVerification(context.Context, string) (*provider.AccountVerification, error) {
	v.calls.Add(1)
	return nil, &provider.Error{Code: provider.NotFound}
}

func TestOperationsFollowInterfaces(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    provider.Provider
		want []paybridge.Operation
	}{
		{"Provider alone", &fake{}, []paybridge.Operation{paybridge.OpPay, paybridge.OpGetPayment}},
		{"Refunder", refundingFake{&fake{}},
			[]paybridge.Operation{paybridge.OpPay, paybridge.OpGetPayment, paybridge.OpRefund, paybridge.OpGetRefund}},
		{"partial and repeated refunds", refundingFake{&fake{caps: provider.Capabilities{PartialRefunds: true, MultipleRefunds: true}}},
			[]paybridge.Operation{paybridge.OpPay, paybridge.OpGetPayment, paybridge.OpRefund, paybridge.OpPartialRefund,
				paybridge.OpMultipleRefunds, paybridge.OpGetRefund}},
		{"reads unavailable", refundingFake{&fake{caps: provider.Capabilities{PartialRefunds: true,
			Unavailable: []provider.Operation{provider.OpGetPayment, provider.OpGetRefund}}}},
			[]paybridge.Operation{paybridge.OpPay, paybridge.OpRefund, paybridge.OpPartialRefund}},
		{"interactive verification only", verifyingFake{&fake{caps: provider.Capabilities{InteractiveVerification: true,
			Unavailable: []provider.Operation{provider.OpVerifyAccount}}}},
			[]paybridge.Operation{paybridge.OpPay, paybridge.OpGetPayment, paybridge.OpVerifyAccountInteractive, paybridge.OpGetAccountVerification}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := provider.OperationsOf(tc.p); !slices.Equal(got, tc.want) {
				t.Errorf("OperationsOf = %v, want %v", got, tc.want)
			}
			caps := paybridge.New(tc.p).Capabilities()
			if !slices.Equal(caps.Operations, tc.want) {
				t.Errorf("Capabilities().Operations = %v, want %v", caps.Operations, tc.want)
			}
			for _, op := range provider.AllOperations {
				if caps.Supports(op) != slices.Contains(tc.want, op) {
					t.Errorf("Supports(%s) = %v", op, caps.Supports(op))
				}
			}
		})
	}
}

// TestMissingOperationsNotSupported calls every operation of an adapter that implements
// Provider alone, and one whose GetPayment the provider cannot serve: each returns
// ErrNotSupported, with the adapter's note, and the adapter is never called.
func TestMissingOperationsNotSupported(t *testing.T) {
	ctx := context.Background()
	f := &fake{pay: okPayment, caps: provider.Capabilities{Unavailable: []provider.Operation{provider.OpGetPayment},
		Notes: map[provider.Operation]string{provider.OpGetPayment: "no read-back call", provider.OpRefund: "no refund endpoint"}}}
	gw := paybridge.New(f)
	gbp := money.MustNew("1.00", "GBP")
	calls := map[string]func() error{
		"GetPayment": func() error { _, err := gw.GetPayment(ctx, "p1"); return err },
		"Refund": func() error {
			_, err := gw.Refund(ctx, paybridge.RefundRequest{PaymentID: "p1", Amount: gbp})
			return err
		},
		"GetRefund": func() error { _, err := gw.GetRefund(ctx, "r1"); return err },
		"Payout": func() error {
			_, err := gw.Payout(ctx, paybridge.PayoutRequest{AccountID: "a1", Amount: gbp, MerchantReference: "po-1"})
			return err
		},
		"GetPayout": func() error { _, err := gw.GetPayout(ctx, "po1"); return err },
		"VerifyAccount": func() error {
			_, err := gw.VerifyAccount(ctx, paybridge.VerifyAccountRequest{Account: paybridge.BankAccount{IBAN: "GB29NWBK60161331926819"}})
			return err
		},
		"VerifyAccount, interactive": func() error {
			_, err := gw.VerifyAccount(ctx, paybridge.VerifyAccountRequest{ReturnURL: "https://shop.example.com/r"})
			return err
		},
		"GetAccountVerification": func() error { _, err := gw.GetAccountVerification(ctx, "v1"); return err },
		"Capture": func() error {
			_, err := gw.Capture(ctx, paybridge.CaptureRequest{PaymentID: "p1", Amount: gbp})
			return err
		},
		"GetCapture": func() error { _, err := gw.GetCapture(ctx, "c1"); return err },
		"Void":       func() error { _, err := gw.Void(ctx, paybridge.VoidRequest{PaymentID: "p1"}); return err },
		"CreateMandate": func() error {
			_, err := gw.CreateMandate(ctx, paybridge.MandateRequest{Payer: paybridge.Person{ID: "u1"}, Currency: gbp.Currency(),
				MerchantReference: "m-1", ReturnURL: "https://shop.example.com/r"})
			return err
		},
		"GetMandate": func() error { _, err := gw.GetMandate(ctx, "m1"); return err },
		"Charge": func() error {
			_, err := gw.Charge(ctx, paybridge.ChargeRequest{MandateID: "m1", Amount: gbp, MerchantReference: "c-1"})
			return err
		},
		"CancelMandate": func() error {
			_, err := gw.CancelMandate(ctx, paybridge.CancelMandateRequest{MandateID: "m1"})
			return err
		},
		"Ledger": func() error {
			for _, err := range gw.Ledger(ctx, paybridge.LedgerRequest{From: time.Unix(0, 0), To: time.Now()}) {
				return err
			}
			return errors.New("Ledger yielded nothing")
		},
		"CreateCustomer":    func() error { _, err := gw.CreateCustomer(ctx, paybridge.Customer{FirstName: "Ada"}); return err },
		"GetCustomer":       func() error { _, err := gw.GetCustomer(ctx, "c1"); return err },
		"UpdateCustomer":    func() error { _, err := gw.UpdateCustomer(ctx, "c1", paybridge.CustomerUpdate{}); return err },
		"ListCustomersPage": func() error { _, err := gw.ListCustomersPage(ctx, paybridge.ListCustomersRequest{}); return err },
		"NotificationHandler": func() error {
			_, err := gw.NotificationHandler(func(context.Context, notify.Event) error { return nil })
			return err
		},
	}
	for name, call := range calls {
		err := call()
		if !errors.Is(err, paybridge.ErrNotSupported) {
			t.Errorf("%s: %v, want ErrNotSupported", name, err)
		}
	}
	if err := calls["GetPayment"](); !strings.Contains(err.Error(), "get_payment: no read-back call") {
		t.Errorf("GetPayment's error %q does not carry the note", err)
	}
	if err := calls["Refund"](); !strings.Contains(err.Error(), "refund: no refund endpoint") {
		t.Errorf("Refund's error %q does not carry the note", err)
	}
	if f.calls.Load() != 0 {
		t.Fatalf("the adapter was called %d times", f.calls.Load())
	}
	// The same Gateway's supported operation still reaches the adapter.
	if _, err := gw.Pay(ctx, validRequest()); err != nil || f.calls.Load() != 1 {
		t.Fatalf("Pay: %v after %d calls", err, f.calls.Load())
	}
}

// closeCounter counts Close calls, to show Open releases an adapter it refuses.
type closeCounter struct {
	provider.Provider
	closed *atomic.Int64
}

func (c closeCounter) Close() error { c.closed.Add(1); return nil }

var (
	refusedCaps   atomic.Pointer[provider.Capabilities]
	refusedClosed atomic.Int64
)

func init() {
	paybridge.Register("capcheck", paybridge.URLOpenerFunc(func(context.Context, *url.URL) (provider.Provider, error) {
		return closeCounter{&fake{caps: *refusedCaps.Load()}, &refusedClosed}, nil
	}))
}

func TestDisagreeingCapabilitiesRefusedWhenMade(t *testing.T) {
	for _, tc := range []struct {
		name string
		caps provider.Capabilities
		says []string
	}{
		{"refund flags without a Refunder", provider.Capabilities{PartialRefunds: true, MultipleRefunds: true},
			[]string{"PartialRefunds is set, but the adapter implements no provider.Refunder", "MultipleRefunds is set"}},
		{"interactive verification without an AccountVerifier", provider.Capabilities{InteractiveVerification: true},
			[]string{"InteractiveVerification is set, but the adapter implements no provider.AccountVerifier"}},
		{"repeatable write not implemented", provider.Capabilities{RepeatableWrites: []provider.Operation{provider.OpPay, provider.OpPayout}},
			[]string{"RepeatableWrites names payout, which the adapter does not implement"}},
		{"repeatable read", provider.Capabilities{RepeatableWrites: []provider.Operation{provider.OpGetPayment}},
			[]string{`RepeatableWrites names "get_payment", which is not a write`}},
		{"unavailable operation not implemented", provider.Capabilities{Unavailable: []provider.Operation{provider.OpCustomers}},
			[]string{"Unavailable names customers, which the adapter does not implement"}},
		{"unavailable flag", provider.Capabilities{Unavailable: []provider.Operation{provider.OpPartialRefund}},
			[]string{`Unavailable names "partial_refund", which no provider interface provides`}},
		{"customer fields without a CustomerManager", provider.Capabilities{CustomerFields: []string{"Email", "Nickname"}},
			[]string{"CustomerFields is set, but the adapter implements no provider.CustomerManager", `CustomerFields names "Nickname"`}},
		{"capture flags without a Capturer", provider.Capabilities{PartialCaptures: true, MultipleCaptures: true},
			[]string{"PartialCaptures is set, but the adapter implements no provider.Capturer", "MultipleCaptures is set"}},
		{"unknown request field", provider.Capabilities{RequestFields: []string{"PaymentRequest.Metadata", "PaymentRequest.Colour"}},
			[]string{`RequestFields names "PaymentRequest.Colour", which is not an optional request field`}},
		{"repeatable mandate write not implemented", provider.Capabilities{RepeatableWrites: []provider.Operation{provider.OpCharge}},
			[]string{"RepeatableWrites names charge, which the adapter does not implement"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := provider.CheckCapabilities(&fake{caps: tc.caps})
			if err == nil {
				t.Fatal("CheckCapabilities found nothing")
			}
			for _, s := range tc.says {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("CheckCapabilities: %q does not say %q", err, s)
				}
			}

			var panicked any
			func() {
				defer func() { panicked = recover() }()
				paybridge.New(&fake{caps: tc.caps})
			}()
			pe, ok := panicked.(*paybridge.Error)
			if !ok || pe.Code != paybridge.CodeInternal || pe.Op != "New" || pe.Provider != "fake" || !strings.Contains(pe.Error(), tc.says[0]) {
				t.Fatalf("New panicked with %#v, want an internal *paybridge.Error saying %q", panicked, tc.says[0])
			}

			refusedCaps.Store(&tc.caps)
			before := refusedClosed.Load()
			gw, err := paybridge.Open(context.Background(), "capcheck://x")
			if gw != nil || !errors.Is(err, paybridge.ErrInternal) || !strings.Contains(err.Error(), "Open: ") ||
				!strings.Contains(err.Error(), tc.says[0]) {
				t.Fatalf("Open = %v, %v; want the disagreement as an internal error", gw, err)
			}
			if refusedClosed.Load() != before+1 {
				t.Fatal("Open did not close the adapter it refused")
			}
		})
	}
}

func TestAgreeingCapabilitiesAccepted(t *testing.T) {
	for name, p := range map[string]provider.Provider{
		"refunds": refundingFake{&fake{caps: provider.Capabilities{PartialRefunds: true, MultipleRefunds: true,
			RepeatableWrites: []provider.Operation{provider.OpPay, provider.OpRefund}}}},
		"verification": verifyingFake{&fake{caps: provider.Capabilities{InteractiveVerification: true,
			Unavailable: []provider.Operation{provider.OpGetAccountVerification}}}},
	} {
		if err := provider.CheckCapabilities(p); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if gw := paybridge.New(p); gw.Provider() != "fake" {
			t.Errorf("%s: New made a Gateway for %q", name, gw.Provider())
		}
	}
	refusedCaps.Store(&provider.Capabilities{RepeatableWrites: []provider.Operation{provider.OpPay}})
	if gw, err := paybridge.Open(context.Background(), "capcheck://x"); err != nil || gw == nil {
		t.Fatalf("Open of a consistent adapter: %v", err)
	}
}
