package paybridge_test

import (
	"context"
	"errors"
	"iter"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
)

// capturingFake is a fake that also implements provider.Capturer and
// provider.MandateManager, answering with what the test sets.
type capturingFake struct {
	*fake
	capture func(*provider.CaptureRequest) (*provider.Capture, error)
	void    func(*provider.VoidRequest) (*provider.Payment, error)
	charge  func(*provider.ChargeRequest) (*provider.Payment, error)
	cancel  func(*provider.CancelMandateRequest) (*provider.Mandate, error)
}

func (c capturingFake) Capture(_ context.Context, r *provider.CaptureRequest) (*provider.Capture, error) {
	c.calls.Add(1)
	return c.capture(r)
}
func (c capturingFake) GetCapture(context.Context, string) (*provider.Capture, error) {
	c.calls.Add(1)
	return nil, &provider.Error{Code: provider.NotFound}
}
func (c capturingFake) Void(_ context.Context, r *provider.VoidRequest) (*provider.Payment, error) {
	c.calls.Add(1)
	return c.void(r)
}
func (c capturingFake) CreateMandate(_ context.Context, r *provider.MandateRequest) (*provider.Mandate, error) {
	c.calls.Add(1)
	return &provider.Mandate{ID: "m1", Status: provider.MandateRequiresAction, RedirectURL: "https://bank.example/m1",
		Currency: r.Currency}, nil
}
func (c capturingFake) GetMandate(context.Context, string) (*provider.Mandate, error) {
	c.calls.Add(1)
	return nil, &provider.Error{Code: provider.NotFound}
}
func (c capturingFake) Charge(_ context.Context, r *provider.ChargeRequest) (*provider.Payment, error) {
	c.calls.Add(1)
	return c.charge(r)
}
func (c capturingFake) CancelMandate(_ context.Context, r *provider.CancelMandateRequest) (*provider.Mandate, error) {
	c.calls.Add(1)
	return c.cancel(r)
}

func newCapturing(caps provider.Capabilities) (capturingFake, *paybridge.Gateway, journal.Journal) {
	f := capturingFake{fake: &fake{pay: okPayment, caps: caps},
		capture: func(r *provider.CaptureRequest) (*provider.Capture, error) {
			return &provider.Capture{ID: "cap-" + r.IdempotencyKey, PaymentID: r.PaymentID, Amount: r.Amount,
				Status: provider.CapturePending}, nil
		},
		void: func(r *provider.VoidRequest) (*provider.Payment, error) {
			return &provider.Payment{ID: r.PaymentID, Status: provider.PaymentCanceled}, nil
		},
		charge: func(r *provider.ChargeRequest) (*provider.Payment, error) {
			return &provider.Payment{ID: "ch-" + r.IdempotencyKey, Status: provider.PaymentPending, Amount: r.Amount,
				MandateID: r.MandateID}, nil
		},
		cancel: func(r *provider.CancelMandateRequest) (*provider.Mandate, error) {
			return &provider.Mandate{ID: r.MandateID, Status: provider.MandateCanceled}, nil
		},
	}
	j := journal.NewMemory()
	return f, paybridge.New(f, paybridge.WithJournal(j)), j
}

func TestCaptureOperationsFollowInterfaces(t *testing.T) {
	f, _, _ := newCapturing(provider.Capabilities{PartialCaptures: true})
	got := provider.OperationsOf(f)
	for _, op := range []provider.Operation{provider.OpCapture, provider.OpPartialCapture, provider.OpGetCapture, provider.OpVoid,
		provider.OpCreateMandate, provider.OpGetMandate, provider.OpCancelMandate, provider.OpCharge} {
		if !slices.Contains(got, op) {
			t.Errorf("OperationsOf lacks %s: %v", op, got)
		}
	}
	if slices.Contains(got, provider.OpMultipleCaptures) || slices.Contains(got, provider.OpLedger) {
		t.Errorf("OperationsOf = %v: multiple captures and the ledger were not offered", got)
	}
}

// A payment to be captured later is refused, before anything is sent, by a provider
// that cannot capture: it would take the money at once.
func TestManualCaptureNeedsACapturer(t *testing.T) {
	f := &fake{pay: okPayment}
	req := validRequest()
	req.Capture = paybridge.CaptureManual
	if _, err := paybridge.New(f).Pay(context.Background(), req); !errors.Is(err, paybridge.ErrNotSupported) ||
		!strings.Contains(err.Error(), "capture") || f.calls.Load() != 0 {
		t.Fatalf("Pay = %v after %d calls; want NotSupported before sending", err, f.calls.Load())
	}
	c, gw, _ := newCapturing(provider.Capabilities{})
	if p, err := gw.Pay(context.Background(), req); err != nil || p == nil || c.calls.Load() != 1 {
		t.Fatalf("Pay through a Capturer = %v", err)
	}
	req.Capture = "later"
	_, err := gw.Pay(context.Background(), req)
	expectFieldsNamed(t, err, "Capture")
}

// A capture is journaled like a refund: a repeat with its key returns the recorded
// capture without calling the adapter, and the journal ties it to its payment.
func TestCaptureJournaled(t *testing.T) {
	ctx := context.Background()
	f, gw, j := newCapturing(provider.Capabilities{PartialCaptures: true})
	req := paybridge.CaptureRequest{PaymentID: "p1", Amount: money.MustNew("4.00", "GBP"), IdempotencyKey: "cap-key"}
	first, err := gw.Capture(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if first.Provider != "fake" || first.IdempotencyKey != "cap-key" || first.ID != "cap-cap-key" {
		t.Fatalf("capture = %+v", first)
	}
	again, err := gw.Capture(ctx, req)
	if err != nil || again.ID != first.ID || f.calls.Load() != 1 {
		t.Fatalf("repeat = %+v, %v after %d adapter calls; want the recorded capture and one call", again, err, f.calls.Load())
	}
	e, err := j.FindByProviderID(ctx, gw.JournalScope(), "cap-cap-key")
	if err != nil || e.Parent != "p1" || e.Op != string(provider.OpCapture) || !e.Amount.Equal(req.Amount) {
		t.Fatalf("journal entry %+v, %v; want the capture of p1 for %s", e, err, req.Amount)
	}
	other := req
	other.Amount = money.MustNew("5.00", "GBP")
	if _, err := gw.Capture(ctx, other); !errors.Is(err, paybridge.ErrDuplicate) || !strings.Contains(err.Error(), "idempotency key was used before") {
		t.Fatalf("same key, other amount: %v; want the key refused", err)
	}
}

// A capture whose answer reports another amount is not taken for the one asked for.
func TestCaptureAnswerChecked(t *testing.T) {
	f, _, _ := newCapturing(provider.Capabilities{PartialCaptures: true})
	f.capture = func(r *provider.CaptureRequest) (*provider.Capture, error) {
		return &provider.Capture{ID: "c1", PaymentID: r.PaymentID, Amount: money.MustNew("9.00", "GBP")}, nil
	}
	gw := paybridge.New(f)
	_, err := gw.Capture(context.Background(), paybridge.CaptureRequest{PaymentID: "p1", Amount: money.MustNew("4.00", "GBP")})
	if !errors.Is(err, paybridge.ErrInternal) || !strings.Contains(err.Error(), "reported 9.00 GBP for a request of 4.00 GBP") {
		t.Fatalf("Capture = %v; want the amount mismatch", err)
	}
}

// Void answers with the payment it acted on: the journal keeps that id with the Pay that
// created it (one provider id, one call), and an answer about another payment is refused.
func TestVoidRecordedUnderItsPayment(t *testing.T) {
	ctx := context.Background()
	f, gw, j := newCapturing(provider.Capabilities{})
	if _, err := gw.Pay(ctx, keyed("pay-key")); err != nil {
		t.Fatal(err)
	}
	p, err := gw.Void(ctx, paybridge.VoidRequest{PaymentID: "p1", IdempotencyKey: "void-key"})
	if err != nil || p.Status != paybridge.PaymentCanceled || p.Provider != "fake" {
		t.Fatalf("Void = %+v, %v", p, err)
	}
	e, err := j.FindByProviderID(ctx, gw.JournalScope(), "p1")
	if err != nil || e.Op != string(provider.OpPay) {
		t.Fatalf("provider id p1 names %+v, %v; want the Pay", e, err)
	}
	v, err := j.Get(ctx, journal.ID{Scope: gw.JournalScope(), Op: string(provider.OpVoid), Key: "void-key"})
	if err != nil || v.State != journal.Settled || v.Parent != "p1" || v.ProviderID != "" {
		t.Fatalf("void entry %+v, %v; want it settled under p1 without an id of its own", v, err)
	}
	if _, err := gw.Void(ctx, paybridge.VoidRequest{PaymentID: "p1", IdempotencyKey: "void-key"}); err != nil || f.calls.Load() != 2 {
		t.Fatalf("repeat: %v after %d calls; want the recorded answer", err, f.calls.Load())
	}

	f.void = func(*provider.VoidRequest) (*provider.Payment, error) {
		return &provider.Payment{ID: "p2", Status: provider.PaymentCanceled}, nil
	}
	gw = paybridge.New(f)
	if _, err := gw.Void(ctx, paybridge.VoidRequest{PaymentID: "p1"}); !errors.Is(err, paybridge.ErrInternal) ||
		!strings.Contains(err.Error(), `answered about "p2", not "p1"`) {
		t.Fatalf("Void answered about another payment: %v", err)
	}
}

func TestMandateRequestsChecked(t *testing.T) {
	ctx := context.Background()
	f, gw, _ := newCapturing(provider.Capabilities{})
	_, err := gw.CreateMandate(ctx, paybridge.MandateRequest{MerchantReference: "m-1", ReturnURL: "https://shop.example.com/r",
		MaxAmount: money.MustNew("50.00", "EUR"), Currency: money.MustCurrency("GBP")})
	expectFieldsNamed(t, err, "Payer.ID", "MaxAmount")
	_, err = gw.CreateMandate(ctx, paybridge.MandateRequest{Payer: paybridge.Person{ID: "u1"}, MerchantReference: "m-1",
		ReturnURL: "https://shop.example.com/r"})
	expectFieldsNamed(t, err, "Currency")
	_, err = gw.Charge(ctx, paybridge.ChargeRequest{Amount: money.MustNew("0.00", "GBP")})
	expectFieldsNamed(t, err, "MandateID", "MerchantReference", "Amount")
	if f.calls.Load() != 0 {
		t.Fatalf("the adapter was called %d times for refused requests", f.calls.Load())
	}

	m, err := gw.CreateMandate(ctx, paybridge.MandateRequest{Payer: paybridge.Person{ID: "u1"}, Currency: money.MustCurrency("GBP"),
		MerchantReference: "m-1", ReturnURL: "https://shop.example.com/r"})
	if err != nil || m.Status != paybridge.MandateRequiresAction || m.Provider != "fake" {
		t.Fatalf("CreateMandate = %+v, %v", m, err)
	}
	ch, err := gw.Charge(ctx, paybridge.ChargeRequest{MandateID: m.ID, Amount: money.MustNew("3.00", "GBP"), MerchantReference: "c-1"})
	if err != nil || ch.MandateID != "m1" || ch.Provider != "fake" {
		t.Fatalf("Charge = %+v, %v", ch, err)
	}
	c, err := gw.CancelMandate(ctx, paybridge.CancelMandateRequest{MandateID: m.ID})
	if err != nil || c.Status != paybridge.MandateCanceled {
		t.Fatalf("CancelMandate = %+v, %v", c, err)
	}
}

// ledgerFake is a fake that also implements provider.Ledgerer over entries.
type ledgerFake struct {
	*fake
	entries []*provider.LedgerEntry
	asked   []provider.LedgerRequest
}

func (l *ledgerFake) Ledger(_ context.Context, req *provider.LedgerRequest) iter.Seq2[*provider.LedgerEntry, error] {
	l.asked = append(l.asked, *req)
	return func(yield func(*provider.LedgerEntry, error) bool) {
		for _, e := range l.entries {
			if !yield(e, nil) {
				return
			}
		}
		yield(nil, &provider.Error{Code: provider.ProviderUnavailable, Message: "the listing broke off"})
	}
}

func TestLedgerRangeCheckedAndErrorsWrapped(t *testing.T) {
	now := time.Now()
	l := &ledgerFake{fake: &fake{pay: okPayment}, entries: []*provider.LedgerEntry{
		{Kind: provider.LedgerPayment, Amount: money.MustNew("1.00", "GBP"), ProviderID: "p1", Time: now}}}
	gw := paybridge.New(l)
	for _, tc := range []struct {
		req    paybridge.LedgerRequest
		fields []string
	}{
		{paybridge.LedgerRequest{}, []string{"From", "To"}},
		{paybridge.LedgerRequest{From: now, To: now}, []string{"To"}},
		{paybridge.LedgerRequest{From: now, To: now.Add(-time.Hour)}, []string{"To"}},
	} {
		n := 0
		for e, err := range gw.Ledger(context.Background(), tc.req) {
			n++
			if e != nil {
				t.Fatalf("entry %+v for a refused range", e)
			}
			expectFieldsNamed(t, err, tc.fields...)
		}
		if n != 1 {
			t.Fatalf("%d elements; want the one error", n)
		}
	}
	if len(l.asked) != 0 {
		t.Fatalf("the adapter was asked for %v", l.asked)
	}

	var got []*provider.LedgerEntry
	var last error
	for e, err := range gw.Ledger(context.Background(), paybridge.LedgerRequest{From: now.Add(-time.Hour), To: now.Add(time.Hour)}) {
		if err != nil {
			last = err
			break
		}
		got = append(got, e)
	}
	var pe *paybridge.Error
	if len(got) != 1 || got[0].ProviderID != "p1" || !errors.As(last, &pe) || pe.Op != "Ledger" ||
		pe.Code != paybridge.CodeProviderUnavailable {
		t.Fatalf("entries %v, error %v; want the entry, then the adapter's error as a Ledger *paybridge.Error", got, last)
	}
}

// expectFieldsNamed fails unless err is an InvalidRequest *paybridge.Error naming exactly
// fields.
func expectFieldsNamed(t *testing.T, err error, fields ...string) {
	t.Helper()
	var pe *paybridge.Error
	if !errors.As(err, &pe) || pe.Code != paybridge.CodeInvalidRequest {
		t.Fatalf("error %v; want InvalidRequest naming %v", err, fields)
	}
	var got []string
	for _, f := range pe.Fields {
		got = append(got, f.Field)
	}
	slices.Sort(got)
	want := slices.Sorted(slices.Values(fields))
	if !slices.Equal(got, want) {
		t.Fatalf("fields %v (%v); want %v", got, err, want)
	}
}
