package reconcile_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/reconcile"
	"github.com/paybridge/paybridge/reconcile/reconciletest"
)

func gbp(v string) money.Amount { return money.MustNew(v, "GBP") }

func neg(a money.Amount) money.Amount { return money.FromMinorCurrency(-a.Minor(), a.Currency()) }

type fixture struct {
	stub *reconciletest.Stub
	gw   *paybridge.Gateway
	ctx  context.Context
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	stub := reconciletest.New()
	gw := paybridge.New(stub, paybridge.WithJournal(journal.NewMemory()), paybridge.WithRetry(paybridge.NoRetry))
	t.Cleanup(func() { _ = gw.Close() })
	return &fixture{stub: stub, gw: gw, ctx: context.Background()}
}

func (f *fixture) pay(t *testing.T, ref, amount string, st provider.PaymentStatus) *paybridge.Payment {
	t.Helper()
	p, err := f.gw.Pay(f.ctx, paybridge.PaymentRequest{Amount: gbp(amount), MerchantReference: ref,
		ReturnURL: "https://shop.example/r", IdempotencyKey: "key-" + ref})
	if err != nil {
		t.Fatalf("Pay %s: %v", ref, err)
	}
	f.stub.SetPaymentStatus(p.ID, st)
	return p
}

func (f *fixture) book(kind provider.LedgerKind, amount money.Amount, pid, ref string) {
	f.stub.Book(provider.LedgerEntry{Kind: kind, Amount: amount, ProviderID: pid, Reference: ref, Time: time.Now()})
}

// findings maps each finding to "kind op key-or-id", sorted, for comparison.
func findings(rep *reconcile.Report) []string {
	var out []string
	for _, f := range rep.Findings {
		who := f.Key
		if who == "" {
			who = f.ProviderID
		}
		out = append(out, fmt.Sprintf("%s %s %s", f.Kind, f.Op, who))
	}
	sort.Strings(out)
	return out
}

// TestPlantedDiscrepancies plants one discrepancy of each kind among calls that agree
// with the ledger, and requires exactly the planted ones to be reported.
func TestPlantedDiscrepancies(t *testing.T) {
	f := newFixture(t)
	// A payment made just before the period, booked inside it: matched through the
	// whole journal, not reported, not counted among the period's calls.
	early := f.pay(t, "early", "6.00", provider.PaymentSucceeded)
	time.Sleep(2 * time.Millisecond)
	from := time.Now()

	agree := f.pay(t, "agree", "10.00", provider.PaymentSucceeded)
	short := f.pay(t, "short", "20.00", provider.PaymentSucceeded)
	unbooked := f.pay(t, "unbooked", "5.00", provider.PaymentSucceeded)
	f.pay(t, "abandoned", "7.00", provider.PaymentCanceled)
	f.pay(t, "waiting", "8.00", provider.PaymentRequiresAction)
	f.stub.FailPay("lost")
	if _, err := f.gw.Pay(f.ctx, paybridge.PaymentRequest{Amount: gbp("9.00"), MerchantReference: "lost",
		ReturnURL: "https://shop.example/r", IdempotencyKey: "key-lost"}); paybridge.CodeOf(err) != paybridge.CodeUnknownOutcome {
		t.Fatalf("Pay lost: %v; want UnknownOutcome", err)
	}
	refund, err := f.gw.Refund(f.ctx, paybridge.RefundRequest{PaymentID: agree.ID, Amount: gbp("4.00"), IdempotencyKey: "key-refund"})
	if err != nil {
		t.Fatal(err)
	}
	wrongSign, err := f.gw.Refund(f.ctx, paybridge.RefundRequest{PaymentID: short.ID, Amount: gbp("1.00"), IdempotencyKey: "key-refund-sign"})
	if err != nil {
		t.Fatal(err)
	}
	payout, err := f.gw.Payout(f.ctx, paybridge.PayoutRequest{Amount: gbp("3.00"), AccountID: "acct-1", MerchantReference: "payout-1",
		IdempotencyKey: "key-payout"})
	if err != nil {
		t.Fatal(err)
	}
	f.book(provider.LedgerPayment, gbp("6.00"), early.ID, "")
	f.book(provider.LedgerPayment, gbp("10.00"), agree.ID, "agree")
	f.book(provider.LedgerPayment, gbp("19.00"), short.ID, "short")          // differs
	f.book(provider.LedgerRefund, neg(gbp("4.00")), agree.ID, "")            // under the payment's id
	f.book(provider.LedgerRefund, gbp("1.00"), wrongSign.ID, "")             // a refund booked as a credit: differs
	f.book(provider.LedgerPayout, neg(gbp("3.00")), "", "payout-1")          // by reference only
	f.book(provider.LedgerFee, neg(gbp("0.30")), agree.ID, "")               // not compared
	f.book(provider.LedgerOther, neg(gbp("100.00")), "settlement-1", "")     // not compared
	f.book(provider.LedgerPayment, gbp("50.00"), "pay-stranger", "stranger") // no call
	_ = refund
	_ = payout
	time.Sleep(2 * time.Millisecond)
	to := time.Now()
	// A payment after the period is neither listed nor expected.
	after := f.pay(t, "after", "2.00", provider.PaymentSucceeded)
	_ = after

	var seen []int
	rep, err := reconcile.Run(f.ctx, f.gw, from, to, func(n int) { seen = append(seen, n) })
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"amount_differs pay key-short",
		"amount_differs refund key-refund-sign",
		"missing_call  pay-stranger",
		"missing_entry pay key-unbooked",
		"uncertain pay key-lost",
	}
	if got := findings(rep); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if rep.Agree() {
		t.Error("Agree() with findings")
	}
	for _, fd := range rep.Findings {
		switch fd.Key {
		case "key-short":
			if !fd.Expected.Equal(gbp("20.00")) || !fd.Booked.Equal(gbp("19.00")) {
				t.Errorf("short: expected %v, booked %v", fd.Expected, fd.Booked)
			}
		case "key-refund-sign":
			if !fd.Expected.Equal(neg(gbp("1.00"))) || !fd.Booked.Equal(gbp("1.00")) {
				t.Errorf("refund booked as a credit: expected %v, booked %v", fd.Expected, fd.Booked)
			}
		case "key-unbooked":
			if fd.ProviderID != unbooked.ID || fd.Booked.IsValid() {
				t.Errorf("unbooked: %+v", fd)
			}
		}
	}
	// agree, short, unbooked, abandoned, waiting, lost, two refunds, the payout.
	if rep.Calls != 9 || rep.LedgerEntries != 9 || rep.NotCompared != 2 || rep.Pending != 1 {
		t.Errorf("report counts: %d calls, %d entries, %d not compared, %d pending; want 9, 9, 2, 1",
			rep.Calls, rep.LedgerEntries, rep.NotCompared, rep.Pending)
	}
	// Matched: agree, its refund, the payout, the abandoned payment (nothing to book),
	// and the early payment booked in the period.
	if rep.Matched != 5 {
		t.Errorf("Matched %d, want 5", rep.Matched)
	}
	if len(seen) != 9 || seen[0] != 1 || seen[8] != 9 {
		t.Errorf("progress saw %v; want 1 to 9", seen)
	}
}

// TestBooksAgree: when every call is booked as made, there is no finding.
func TestBooksAgree(t *testing.T) {
	f := newFixture(t)
	from := time.Now()
	a := f.pay(t, "a", "10.00", provider.PaymentSucceeded)
	b := f.pay(t, "b", "12.50", provider.PaymentSucceeded)
	r1, err := f.gw.Refund(f.ctx, paybridge.RefundRequest{PaymentID: b.ID, Amount: gbp("2.50"), IdempotencyKey: "r1"})
	if err != nil {
		t.Fatal(err)
	}
	r2, err := f.gw.Refund(f.ctx, paybridge.RefundRequest{PaymentID: b.ID, Amount: gbp("5.00"), IdempotencyKey: "r2"})
	if err != nil {
		t.Fatal(err)
	}
	f.book(provider.LedgerPayment, gbp("10.00"), a.ID, "")
	// b booked in two rows, and its refunds under their own ids.
	f.book(provider.LedgerPayment, gbp("12.00"), b.ID, "")
	f.book(provider.LedgerPayment, gbp("0.50"), b.ID, "")
	f.book(provider.LedgerRefund, neg(gbp("5.00")), r2.ID, "")
	f.book(provider.LedgerRefund, neg(gbp("2.50")), r1.ID, "")
	to := time.Now().Add(time.Millisecond)
	rep, err := reconcile.Run(f.ctx, f.gw, from, to, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Agree() || rep.Matched != 4 || rep.Calls != 4 || rep.LedgerEntries != 5 {
		t.Fatalf("report %+v; want agreement over 4 calls and 5 entries", rep)
	}
}

// TestLedgerErrors: a provider without a ledger, a listing that breaks off and a bad
// range end the run with an error, never with a report that says the books agree.
func TestLedgerErrors(t *testing.T) {
	f := newFixture(t)
	f.pay(t, "a", "1.00", provider.PaymentSucceeded)
	for i := 0; i < 3; i++ {
		f.book(provider.LedgerPayment, gbp("1.00"), fmt.Sprint("x", i), "")
	}
	f.stub.FailLedgerAfter(2)
	now := time.Now()
	if rep, err := reconcile.Run(f.ctx, f.gw, now.Add(-time.Hour), now.Add(time.Hour), nil); paybridge.CodeOf(err) != paybridge.CodeProviderUnavailable || rep != nil {
		t.Errorf("a broken listing: %+v, %v; want ProviderUnavailable and no report", rep, err)
	}
	if _, err := reconcile.Run(f.ctx, f.gw, now, now, nil); err == nil {
		t.Error("an empty range was accepted")
	}
	noLedger := paybridge.New(payOnly{f.stub}, paybridge.WithJournal(journal.NewMemory()))
	defer noLedger.Close()
	_, err := reconcile.Run(f.ctx, noLedger, now.Add(-time.Hour), now.Add(time.Hour), nil)
	if !errors.Is(err, paybridge.ErrNotSupported) {
		t.Errorf("a provider without a ledger: %v; want NotSupported", err)
	}
}

// payOnly hides every optional interface of the stub.
type payOnly struct{ s *reconciletest.Stub }

func (p payOnly) Name() string                        { return "payonly" }
func (p payOnly) Capabilities() provider.Capabilities { return provider.Capabilities{} }
func (p payOnly) As(any) bool                         { return false }
func (p payOnly) Close() error                        { return nil }
func (p payOnly) GetPayment(ctx context.Context, id string) (*provider.Payment, error) {
	return p.s.GetPayment(ctx, id)
}
func (p payOnly) Pay(ctx context.Context, req *provider.PaymentRequest) (*provider.Payment, error) {
	return p.s.Pay(ctx, req)
}
