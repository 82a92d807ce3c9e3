package reconcile_test

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/internal/testwait"
	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/memprovider"
	"github.com/paybridge/paybridge/provider/trustlyrest"
	"github.com/paybridge/paybridge/provider/trustlyrest/trustlyrestsim"
	"github.com/paybridge/paybridge/reconcile"
)

// books is a provider whose ledger a test can falsify: a Gateway over it, a person who
// approves its hosted pages, and the ways to plant a discrepancy the provider offers.
type books struct {
	gw       *paybridge.Gateway
	currency string
	approve  func(ctx context.Context, redirectURL string) error
	// external books a movement of amount no call made, and returns its provider id.
	external func(t *testing.T, amount money.Amount) string
	// rebook changes the amount booked for a refund.
	rebook func(t *testing.T, refundID string, amount money.Amount)
	// drop removes what was booked for a payment, or is nil where the provider cannot.
	drop func(t *testing.T, paymentID string)
}

func memBooks(t *testing.T) *books {
	b := memprovider.NewBackend()
	t.Cleanup(b.Close)
	gw := paybridge.New(memprovider.New(memprovider.Config{Backend: b, APIKey: b.APIKey()}),
		paybridge.WithJournal(journal.NewMemory()))
	t.Cleanup(func() { gw.Close() })
	return &books{gw: gw, currency: "GBP", approve: b.EndUser().Approve,
		external: func(t *testing.T, amount money.Amount) string {
			b.BookExternal(provider.LedgerEntry{Kind: provider.LedgerPayment, Amount: amount, ProviderID: "stranger-1"})
			return "stranger-1"
		},
		rebook: func(t *testing.T, id string, amount money.Amount) {
			if !b.AlterBooked(id, money.FromMinorCurrency(-amount.Minor(), amount.Currency())) {
				t.Fatalf("nothing booked for %s", id)
			}
		},
		drop: func(t *testing.T, id string) {
			if !b.DropBooked(id) {
				t.Fatalf("nothing booked for %s", id)
			}
		},
	}
}

func trustlyRESTBooks(t *testing.T) *books {
	s, err := trustlyrestsim.Start(trustlyrestsim.Options{SettleDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	c, err := trustlyrest.New(s.Config())
	if err != nil {
		t.Fatal(err)
	}
	gw := paybridge.New(c, paybridge.WithJournal(journal.NewMemory()))
	t.Cleanup(func() { gw.Close() })
	return &books{gw: gw, currency: "USD", approve: s.EndUser().Approve,
		external: func(t *testing.T, amount money.Amount) string {
			id, err := s.BookWithoutCall(amount, "not-ours-1")
			if err != nil {
				t.Fatal(err)
			}
			return id
		},
		rebook: func(t *testing.T, id string, amount money.Amount) {
			if err := s.Rebook(id, amount); err != nil {
				t.Fatal(err)
			}
		},
	}
}

// TestBooksOfTheSimulators makes payments and refunds through each simulator that keeps a
// ledger, finds the books agree with the journal, then plants a discrepancy of each kind
// the simulator can show and requires reconcile to report exactly those.
func TestBooksOfTheSimulators(t *testing.T) {
	for name, open := range map[string]func(*testing.T) *books{"mem": memBooks, "trustlyrest": trustlyRESTBooks} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			b := open(t)
			amount := func(v string) money.Amount { return money.MustNew(v, b.currency) }
			from := time.Now().Add(-time.Second)
			var paid []*paybridge.Payment
			for i, v := range []string{"10.00", "20.00", "30.00"} {
				p, err := b.gw.Pay(ctx, paybridge.PaymentRequest{Amount: amount(v), MerchantReference: "books-" + string(rune('a'+i)),
					Description: "Reconciled order",
					ReturnURL:   "https://shop.example/done", Payer: paybridge.Person{ID: "payer-1", FirstName: "Ada", LastName: "Lovelace",
						Email: "ada@example.com", Country: "US"}})
				if err != nil {
					t.Fatal(err)
				}
				if err := b.approve(ctx, p.RedirectURL); err != nil {
					t.Fatal(err)
				}
				paid = append(paid, p)
			}
			for _, p := range paid {
				testwait.For(t, "payment "+p.ID+" succeeded", func() bool {
					got, err := b.gw.GetPayment(ctx, p.ID)
					return err == nil && got.Status == paybridge.PaymentSucceeded
				})
			}
			refund, err := b.gw.Refund(ctx, paybridge.RefundRequest{PaymentID: paid[0].ID, Amount: amount("4.00")})
			if err != nil {
				t.Fatal(err)
			}
			testwait.For(t, "refund "+refund.ID+" succeeded", func() bool {
				got, err := b.gw.GetRefund(ctx, refund.ID)
				return err == nil && got.Status == paybridge.RefundSucceeded
			})

			to := time.Now().Add(time.Second)
			rep, err := reconcile.Run(ctx, b.gw, from, to, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !rep.Agree() || rep.Matched != 4 {
				t.Fatalf("books as made: %d matched, findings %v; want 4 matched and none", rep.Matched, kinds(rep))
			}

			want := []string{string(reconcile.MissingCall), string(reconcile.AmountDiffers)}
			b.external(t, amount("7.00"))
			b.rebook(t, refund.ID, amount("3.00"))
			if b.drop != nil {
				b.drop(t, paid[2].ID)
				want = append(want, string(reconcile.MissingEntry))
			}
			rep, err = reconcile.Run(ctx, b.gw, from, to, nil)
			if err != nil {
				t.Fatal(err)
			}
			sort.Strings(want)
			if got := kinds(rep); strings.Join(got, ",") != strings.Join(want, ",") {
				t.Fatalf("findings %v; want %v", got, want)
			}
		})
	}
}

func kinds(rep *reconcile.Report) []string {
	var out []string
	for _, f := range rep.Findings {
		out = append(out, string(f.Kind))
	}
	sort.Strings(out)
	return out
}
