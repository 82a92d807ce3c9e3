package memprovider_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/internal/testwait"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/memprovider"
)

func newClient(t *testing.T, opts ...memprovider.BackendOption) (*memprovider.Backend, *memprovider.Client) {
	t.Helper()
	b := memprovider.NewBackend(opts...)
	t.Cleanup(b.Close)
	return b, memprovider.New(memprovider.Config{Backend: b, APIKey: b.APIKey()})
}

func gbp(v string) money.Amount { return money.MustNew(v, "GBP") }

// authorized pays value with manual capture and approves it.
func authorized(t *testing.T, b *memprovider.Backend, c *memprovider.Client, value string) *provider.Payment {
	t.Helper()
	ctx := context.Background()
	p, err := c.Pay(ctx, &provider.PaymentRequest{Amount: gbp(value), MerchantReference: "o-" + value, ReturnURL: "https://m.example.com/r",
		IdempotencyKey: "k-" + value + time.Now().String(), Capture: provider.CaptureManual})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.EndUser().Approve(ctx, p.RedirectURL); err != nil {
		t.Fatal(err)
	}
	p, err = c.GetPayment(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != provider.PaymentAuthorized || !p.Captured.IsValid() || !p.Captured.IsZero() {
		t.Fatalf("approved manual payment: %s, captured %v; want authorized, 0.00", p.Status, p.Captured)
	}
	return p
}

// ledger returns the Backend's ledger of the last hour by provider id.
func ledger(t *testing.T, c *memprovider.Client) map[string]provider.LedgerEntry {
	t.Helper()
	out := map[string]provider.LedgerEntry{}
	for e, err := range c.Ledger(context.Background(), &provider.LedgerRequest{From: time.Now().Add(-time.Hour), To: time.Now().Add(time.Hour)}) {
		if err != nil {
			t.Fatal(err)
		}
		out[e.ProviderID] = *e
	}
	return out
}

func wantCode(t *testing.T, err error, code provider.Code, what string) {
	t.Helper()
	if provider.CodeOf(err) != code {
		t.Fatalf("%s: %v, want %s", what, err, code)
	}
}

func TestPartlyCapturedPayment(t *testing.T) {
	ctx := context.Background()
	b, c := newClient(t)
	p := authorized(t, b, c, "10.00")
	balance := b.Balance(money.MustCurrency("GBP"))
	if _, err := c.Refund(ctx, &provider.RefundRequest{PaymentID: p.ID, Amount: gbp("1.00"), IdempotencyKey: "r0"}); provider.CodeOf(err) != provider.InvalidRequest {
		t.Fatalf("refund of an authorized payment with nothing captured: %v", err)
	}
	cp, err := c.Capture(ctx, &provider.CaptureRequest{PaymentID: p.ID, Amount: gbp("4.00"), IdempotencyKey: "c1", MerchantReference: "cap-1"})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := c.GetPayment(ctx, p.ID)
	if got.Status != provider.PaymentAuthorized || got.ProviderStatus != "partially_captured" || !got.Captured.Equal(gbp("4.00")) {
		t.Fatalf("partly captured payment: %s %s captured %v", got.Status, got.ProviderStatus, got.Captured)
	}
	if after, _ := b.Balance(money.MustCurrency("GBP")).Sub(balance); !after.Equal(gbp("4.00")) {
		t.Fatalf("a capture of 4.00 moved the balance by %v", after)
	}
	var d *memprovider.PaymentDetail
	if !got.As(&d) || len(d.CaptureIDs) != 1 || d.CaptureIDs[0] != cp.ID || d.AuthorizedAt.IsZero() {
		t.Fatalf("detail of the partly captured payment: %+v", d)
	}
	// Refunds return captured money only.
	_, err = c.Refund(ctx, &provider.RefundRequest{PaymentID: p.ID, Amount: gbp("4.01"), IdempotencyKey: "r1"})
	wantCode(t, err, provider.InvalidRequest, "refund beyond what was captured")
	if _, err := c.Refund(ctx, &provider.RefundRequest{PaymentID: p.ID, Amount: gbp("1.00"), IdempotencyKey: "r2"}); err != nil {
		t.Fatalf("refund of captured money: %v", err)
	}
	// Void releases the rest; what was captured stays captured and refundable.
	v, err := c.Void(ctx, &provider.VoidRequest{PaymentID: p.ID, IdempotencyKey: "v1", Reason: "order changed"})
	if err != nil || v.Status != provider.PaymentCanceled || !v.Captured.Equal(gbp("4.00")) {
		t.Fatalf("Void of a partly captured payment: %+v, %v", v, err)
	}
	if !v.As(&d) || d.VoidReason != "order changed" {
		t.Fatalf("the voided payment keeps %+v", d)
	}
	_, err = c.Capture(ctx, &provider.CaptureRequest{PaymentID: p.ID, Amount: gbp("1.00"), IdempotencyKey: "c2"})
	wantCode(t, err, provider.InvalidRequest, "capture after void")
	if _, err := c.Refund(ctx, &provider.RefundRequest{PaymentID: p.ID, Amount: gbp("3.00"), IdempotencyKey: "r3"}); err != nil {
		t.Fatalf("refund of the rest of the captured money after the void: %v", err)
	}
	booked := ledger(t, c)
	if e, ok := booked[cp.ID]; !ok || e.Kind != provider.LedgerPayment || e.ProviderKind != "capture" || !e.Amount.Equal(gbp("4.00")) || e.Reference != "cap-1" {
		t.Errorf("the capture is booked as %+v", e)
	}
	if e, ok := booked[p.ID]; ok {
		t.Errorf("a manual payment is booked by its captures, not as %+v", e)
	}
	again, err := c.Void(ctx, &provider.VoidRequest{PaymentID: p.ID, IdempotencyKey: "v1"})
	if err != nil || again.Status != provider.PaymentCanceled {
		t.Fatalf("Void repeated with its key: %+v, %v", again, err)
	}
	_, err = c.Void(ctx, &provider.VoidRequest{PaymentID: p.ID, IdempotencyKey: "v2"})
	wantCode(t, err, provider.InvalidRequest, "a second void with a new key")
}

func TestCaptureRefusals(t *testing.T) {
	ctx := context.Background()
	b, c := newClient(t)
	auto, err := c.Pay(ctx, &provider.PaymentRequest{Amount: gbp("2.00"), MerchantReference: "a", ReturnURL: "https://m.example.com/r", IdempotencyKey: "a"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Capture(ctx, &provider.CaptureRequest{PaymentID: auto.ID, Amount: gbp("2.00"), IdempotencyKey: "c0"})
	wantCode(t, err, provider.InvalidRequest, "capture of a payment not made with manual capture")
	_, err = c.Void(ctx, &provider.VoidRequest{PaymentID: auto.ID, IdempotencyKey: "v0"})
	wantCode(t, err, provider.InvalidRequest, "void of a payment not made with manual capture")
	_, err = c.Capture(ctx, &provider.CaptureRequest{PaymentID: "pay_none", Amount: gbp("2.00"), IdempotencyKey: "c1"})
	wantCode(t, err, provider.NotFound, "capture of an unknown payment")

	p := authorized(t, b, c, "5.00")
	_, err = c.Capture(ctx, &provider.CaptureRequest{PaymentID: p.ID, Amount: money.MustNew("1.00", "EUR"), IdempotencyKey: "c2"})
	wantCode(t, err, provider.InvalidRequest, "capture in another currency")
	moved := b.Movements()
	first, err := c.Capture(ctx, &provider.CaptureRequest{PaymentID: p.ID, Amount: gbp("5.00"), IdempotencyKey: "c3"})
	if err != nil {
		t.Fatal(err)
	}
	repeat, err := c.Capture(ctx, &provider.CaptureRequest{PaymentID: p.ID, Amount: gbp("5.00"), IdempotencyKey: "c3"})
	if err != nil || repeat.ID != first.ID || b.Movements() != moved+1 {
		t.Fatalf("capture repeated with its key: %+v, %v; %d movements, want %d", repeat, err, b.Movements(), moved+1)
	}
	_, err = c.Capture(ctx, &provider.CaptureRequest{PaymentID: p.ID, Amount: gbp("2.00"), IdempotencyKey: "c3"})
	wantCode(t, err, provider.Duplicate, "a capture key reused for another amount")
	got, _ := c.GetPayment(ctx, p.ID)
	if got.Status != provider.PaymentSucceeded || got.ProviderStatus != "captured" {
		t.Fatalf("payment captured in full: %s %s", got.Status, got.ProviderStatus)
	}
	_, err = c.Void(ctx, &provider.VoidRequest{PaymentID: p.ID, IdempotencyKey: "v1"})
	wantCode(t, err, provider.InvalidRequest, "void of a payment captured in full")
	gc, err := c.GetCapture(ctx, first.ID)
	if err != nil || gc.ID != first.ID || !gc.Amount.Equal(gbp("5.00")) {
		t.Fatalf("GetCapture: %+v, %v", gc, err)
	}
	_, err = c.GetCapture(ctx, "cap_none")
	wantCode(t, err, provider.NotFound, "GetCapture of an unknown id")
}

func TestMandateLifecycle(t *testing.T) {
	ctx := context.Background()
	b, c := newClient(t, memprovider.WithChargeDelay(time.Millisecond))
	mreq := func(ref string) *provider.MandateRequest {
		return &provider.MandateRequest{Payer: provider.Person{ID: "payer-1"}, Currency: money.MustCurrency("GBP"), MaxAmount: gbp("20.00"),
			MerchantReference: ref, ReturnURL: "https://m.example.com/r", Description: "plan", IdempotencyKey: ref}
	}
	m, err := c.CreateMandate(ctx, mreq("m1"))
	if err != nil || m.Status != provider.MandateRequiresAction || !strings.HasPrefix(m.RedirectURL, memprovider.HostedBase+"/mandate/") {
		t.Fatalf("CreateMandate: %+v, %v", m, err)
	}
	_, err = c.Charge(ctx, &provider.ChargeRequest{MandateID: m.ID, Amount: gbp("1.00"), MerchantReference: "ch0", IdempotencyKey: "ch0"})
	wantCode(t, err, provider.InvalidRequest, "charge before the payer approved")
	if err := b.EndUser().Approve(ctx, m.RedirectURL); err != nil {
		t.Fatal(err)
	}
	if err := b.EndUser().Approve(ctx, m.RedirectURL); !errors.Is(err, memprovider.ErrPageNotActive) {
		t.Fatalf("approving a mandate twice: %v", err)
	}
	_, err = c.Charge(ctx, &provider.ChargeRequest{MandateID: m.ID, Amount: gbp("20.01"), MerchantReference: "ch1", IdempotencyKey: "ch1"})
	wantCode(t, err, provider.InvalidRequest, "charge above the mandate's MaxAmount")
	_, err = c.Charge(ctx, &provider.ChargeRequest{MandateID: m.ID, Amount: money.MustNew("1.00", "EUR"), MerchantReference: "ch2", IdempotencyKey: "ch2"})
	wantCode(t, err, provider.InvalidRequest, "charge in another currency")
	p, err := c.Charge(ctx, &provider.ChargeRequest{MandateID: m.ID, Amount: gbp("20.00"), MerchantReference: "ch3", IdempotencyKey: "ch3",
		Metadata: map[string]string{"k": "v"}})
	if err != nil || p.Status != provider.PaymentPending || p.MandateID != m.ID {
		t.Fatalf("Charge: %+v, %v", p, err)
	}
	var d *memprovider.PaymentDetail
	if !p.As(&d) || d.Metadata["k"] != "v" || d.Payer.ID != "payer-1" {
		t.Fatalf("charge detail: %+v", d)
	}
	testwait.For(t, "the charge to succeed", func() bool {
		got, err := c.GetPayment(ctx, p.ID)
		return err == nil && got.Status == provider.PaymentSucceeded
	})
	if e, ok := ledger(t, c)[p.ID]; !ok || e.ProviderKind != "charge" || !e.Amount.Equal(gbp("20.00")) || e.Reference != "ch3" {
		t.Errorf("the charge is booked as %+v", e)
	}
	got, err := c.GetMandate(ctx, m.ID)
	var md *memprovider.MandateDetail
	if err != nil || got.Status != provider.MandateActive || !got.As(&md) || len(md.ChargeIDs) != 1 || md.Description != "plan" {
		t.Fatalf("GetMandate: %+v, %+v, %v", got, md, err)
	}
	cm, err := c.CancelMandate(ctx, &provider.CancelMandateRequest{MandateID: m.ID, IdempotencyKey: "x1"})
	if err != nil || cm.Status != provider.MandateCanceled {
		t.Fatalf("CancelMandate: %+v, %v", cm, err)
	}
	_, err = c.Charge(ctx, &provider.ChargeRequest{MandateID: m.ID, Amount: gbp("1.00"), MerchantReference: "ch4", IdempotencyKey: "ch4"})
	wantCode(t, err, provider.InvalidRequest, "charge of a canceled mandate")

	declined, _ := c.CreateMandate(ctx, mreq("m2"))
	if err := b.EndUser().Decline(ctx, declined.RedirectURL); err != nil {
		t.Fatal(err)
	}
	abandoned, _ := c.CreateMandate(ctx, mreq("m3"))
	if err := b.EndUser().Abandon(ctx, abandoned.RedirectURL); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]provider.MandateStatus{declined.ID: provider.MandateFailed, abandoned.ID: provider.MandateCanceled} {
		if got, err := c.GetMandate(ctx, id); err != nil || got.Status != want {
			t.Fatalf("mandate %s: %+v, %v; want %s", id, got, err, want)
		}
	}
	_, err = c.CancelMandate(ctx, &provider.CancelMandateRequest{MandateID: declined.ID, IdempotencyKey: "x2"})
	wantCode(t, err, provider.InvalidRequest, "cancel of a failed mandate")
	_, err = c.GetMandate(ctx, "md_none")
	wantCode(t, err, provider.NotFound, "GetMandate of an unknown id")
}

func TestLedgerPagesBoundsAndPlantedDiscrepancies(t *testing.T) {
	ctx := context.Background()
	b, c := newClient(t, memprovider.WithLedgerPageSize(2))
	start := time.Now()
	var ids []string
	for i, v := range []string{"1.00", "2.00", "3.00", "4.00", "5.00"} {
		p, err := c.Pay(ctx, &provider.PaymentRequest{Amount: gbp(v), MerchantReference: "o" + v, ReturnURL: "https://m.example.com/r", IdempotencyKey: v})
		if err != nil {
			t.Fatal(err)
		}
		if err := b.EndUser().Approve(ctx, p.RedirectURL); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
		if i == 0 {
			if _, err := c.Refund(ctx, &provider.RefundRequest{PaymentID: p.ID, Amount: gbp("0.40"), IdempotencyKey: "r", MerchantReference: "ref-r"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	eur, err := c.Pay(ctx, &provider.PaymentRequest{Amount: money.MustNew("7.00", "EUR"), MerchantReference: "e", ReturnURL: "https://m.example.com/r", IdempotencyKey: "e"})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.EndUser().Approve(ctx, eur.RedirectURL); err != nil {
		t.Fatal(err)
	}
	end := time.Now().Add(time.Millisecond)
	read := func(req provider.LedgerRequest) []provider.LedgerEntry {
		t.Helper()
		var out []provider.LedgerEntry
		for e, err := range c.Ledger(ctx, &req) {
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, *e)
		}
		return out
	}
	before := b.Requests()
	all := read(provider.LedgerRequest{From: start, To: end, Currency: money.MustCurrency("GBP")})
	if pages := b.Requests() - before; pages != 3 {
		t.Errorf("6 entries in pages of 2 took %d requests, want 3", pages)
	}
	if len(all) != 6 {
		t.Fatalf("GBP ledger holds %d entries, want 5 payments and a refund: %+v", len(all), all)
	}
	if e := all[1]; e.Kind != provider.LedgerRefund || !e.Amount.Equal(gbp("-0.40")) || e.Reference != "ref-r" {
		t.Fatalf("the refund is booked as %+v", e)
	}
	for i := 1; i < len(all); i++ {
		if all[i].Time.Before(all[i-1].Time) {
			t.Fatalf("entries out of order: %v before %v", all[i-1].Time, all[i].Time)
		}
	}
	if got := read(provider.LedgerRequest{From: start, To: end}); len(got) != 7 {
		t.Fatalf("the ledger in every currency holds %d entries, want 7", len(got))
	}
	if got := read(provider.LedgerRequest{From: end, To: end.Add(time.Hour)}); len(got) != 0 {
		t.Fatalf("a later range holds %+v", got)
	}
	// To is excluded: a range ending at the second payment's time holds only what came
	// before it.
	earlier := 0
	for _, e := range all {
		if e.Time.Before(all[2].Time) {
			earlier++
		}
	}
	if got := read(provider.LedgerRequest{From: start, To: all[2].Time}); len(got) != earlier {
		t.Fatalf("a range ending at an entry's time holds %d entries, want the %d before it", len(got), earlier)
	}

	b.BookExternal(provider.LedgerEntry{Kind: provider.LedgerOther, ProviderKind: "adjustment", Amount: gbp("-9.99"), ProviderID: "adj-1"})
	if !b.DropBooked(ids[1]) || !b.AlterBooked(ids[2], gbp("3.50")) || b.DropBooked("nothing") {
		t.Fatal("DropBooked or AlterBooked did not find what was booked")
	}
	got := map[string]money.Amount{}
	for _, e := range read(provider.LedgerRequest{From: start, To: time.Now().Add(time.Second), Currency: money.MustCurrency("GBP")}) {
		got[e.ProviderID] = e.Amount
	}
	if _, ok := got[ids[1]]; ok {
		t.Error("a dropped entry is still listed")
	}
	if !got[ids[2]].Equal(gbp("3.50")) || !got["adj-1"].Equal(gbp("-9.99")) || !got[ids[3]].Equal(gbp("4.00")) {
		t.Errorf("planted discrepancies not listed as planted: %v", got)
	}
}

func TestPaymentOptionsThroughTheHook(t *testing.T) {
	ctx := context.Background()
	b, c := newClient(t)
	gw := paybridge.New(c)
	req := paybridge.PaymentRequest{Amount: gbp("3.00"), MerchantReference: "o-1", ReturnURL: "https://m.example.com/r",
		Description: "order 1", Metadata: map[string]string{"cart": "9"},
		Payer: paybridge.Person{ID: "u", DateOfBirth: "1990-01-02", Address: &paybridge.Address{City: "Leeds"}},
		BeforeSend: func(as func(any) bool) error {
			var o *memprovider.PaymentOptions
			if !as(&o) {
				return errors.New("no options")
			}
			o.StatementText, o.PageTitle = "SHOP ORDER 1", "Pay the shop"
			return nil
		}}
	p, err := gw.Pay(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	got, err := gw.GetPayment(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	var d *memprovider.PaymentDetail
	if !got.As(&d) || d.Options.StatementText != "SHOP ORDER 1" || d.Options.PageTitle != "Pay the shop" ||
		d.Description != "order 1" || d.Metadata["cart"] != "9" || d.Payer.DateOfBirth != "1990-01-02" || d.Payer.Address.City != "Leeds" {
		t.Fatalf("the payment keeps %+v", d)
	}
	d.Metadata["cart"] = "changed"
	again, _ := gw.GetPayment(ctx, p.ID)
	if !again.As(&d) || d.Metadata["cart"] != "9" {
		t.Fatal("a caller's change to a detail reached the Backend")
	}

	req.MerchantReference = "o-2"
	req.BeforeSend = func(as func(any) bool) error {
		var o *memprovider.PaymentOptions
		as(&o)
		o.StatementText = strings.Repeat("X", 36)
		return nil
	}
	_, err = gw.Pay(ctx, req)
	if !errors.Is(err, paybridge.ErrInvalidRequest) || !strings.Contains(err.Error(), "StatementText") {
		t.Fatalf("a statement text of 36 characters: %v", err)
	}

	before := b.Requests()
	_, err = gw.Refund(ctx, paybridge.RefundRequest{PaymentID: p.ID, Amount: gbp("1.00"),
		BeforeSend: func(as func(any) bool) error {
			var o *memprovider.PaymentOptions
			if as(&o) {
				return nil
			}
			return errors.New("nothing to reach")
		}})
	if !errors.Is(err, paybridge.ErrInvalidRequest) || b.Requests() != before {
		t.Fatalf("a Refund whose hook refused: %v, %d requests sent", err, b.Requests()-before)
	}
}
