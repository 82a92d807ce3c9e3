package reconcile_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/internal/testwait"
	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/memprovider"
	"github.com/paybridge/paybridge/provider/trustly"
	"github.com/paybridge/paybridge/provider/trustly/trustlysim"
	"github.com/paybridge/paybridge/provider/trustlyrest"
	"github.com/paybridge/paybridge/provider/trustlyrest/trustlyrestsim"
	"github.com/paybridge/paybridge/reconcile"
)

// books is a provider whose ledger a test can falsify: a Gateway over it, a person who
// approves its hosted pages, and the ways to plant a discrepancy the provider offers.
type books struct {
	gw       *paybridge.Gateway
	currency string
	payer    paybridge.Person
	approve  func(ctx context.Context, redirectURL string) error
	// external books a movement of amount no call made, and returns its provider id.
	external func(t *testing.T, amount money.Amount) string
	// rebook changes what the books show refunded by r to amount.
	rebook func(t *testing.T, r *paybridge.Refund, amount money.Amount)
	// drop removes what was booked for a payment, or is nil where the provider cannot.
	drop func(t *testing.T, paymentID string)
}

func memBooks(t *testing.T) *books {
	b := memprovider.NewBackend()
	t.Cleanup(b.Close)
	gw := paybridge.New(memprovider.New(memprovider.Config{Backend: b, APIKey: b.APIKey()}),
		paybridge.WithJournal(journal.NewMemory()))
	t.Cleanup(func() { gw.Close() })
	return &books{gw: gw, currency: "GBP", payer: paybridge.Person{ID: "payer-1", Country: "GB"}, approve: b.EndUser().Approve,
		external: func(t *testing.T, amount money.Amount) string {
			b.BookExternal(provider.LedgerEntry{Kind: provider.LedgerPayment, Amount: amount, ProviderID: "stranger-1"})
			return "stranger-1"
		},
		rebook: func(t *testing.T, r *paybridge.Refund, amount money.Amount) {
			if !b.AlterBooked(r.ID, negative(amount)) {
				t.Fatalf("nothing booked for %s", r.ID)
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
	return &books{gw: gw, currency: "USD", payer: trustlyrestsim.TestPayer, approve: s.EndUser().Approve,
		external: func(t *testing.T, amount money.Amount) string {
			id, err := s.BookWithoutCall(amount, "not-ours-1")
			if err != nil {
				t.Fatal(err)
			}
			return id
		},
		rebook: func(t *testing.T, r *paybridge.Refund, amount money.Amount) {
			if err := s.Rebook(r.ID, amount); err != nil {
				t.Fatal(err)
			}
		},
	}
}

func trustlyBooks(t *testing.T) *books {
	s, err := trustlysim.Start(trustlysim.Options{AllowLoopbackHTTP: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	creds, err := s.NewMerchant("books")
	if err != nil {
		t.Fatal(err)
	}
	// Trustly reports outcomes only by notification: the Gateway's handler answers them.
	var handler atomic.Pointer[notify.Handler]
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.Load().ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	c, err := trustly.New(trustly.Config{Username: creds.Username, Password: creds.Password, PrivateKey: creds.PrivateKey,
		BaseURL: s.APIURL(), TrustlyPublicKey: s.PublicKeyPEM(), NotificationURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	gw := paybridge.New(c, paybridge.WithJournal(journal.NewMemory()))
	t.Cleanup(func() { gw.Close() })
	h, err := gw.NotificationHandler(func(context.Context, notify.Event) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	handler.Store(h)
	plant := func(t *testing.T, row trustlysim.LedgerRow) {
		if err := s.PlantLedgerRow(creds.Username, row); err != nil {
			t.Fatal(err)
		}
	}
	return &books{gw: gw, currency: "EUR", payer: paybridge.Person{ID: "payer-1", FirstName: "Ada", LastName: "Lovelace",
		Email: "ada@example.com", Country: "SE", Locale: "sv_SE"}, approve: s.EndUser().Approve,
		external: func(t *testing.T, amount money.Amount) string {
			plant(t, trustlysim.LedgerRow{OrderID: "4000000001", MessageID: "not-ours-1", TransactionType: "Deposit", Amount: amount})
			return "4000000001"
		},
		// Trustly books a refund under its deposit's order: a second refund row there
		// changes what the books show refunded.
		rebook: func(t *testing.T, r *paybridge.Refund, amount money.Amount) {
			more, err := amount.Sub(r.Amount)
			if err != nil {
				t.Fatal(err)
			}
			plant(t, trustlysim.LedgerRow{OrderID: r.PaymentID, TransactionType: "Refund", Amount: negative(more)})
		},
	}
}

func negative(a money.Amount) money.Amount { return money.FromMinorCurrency(-a.Minor(), a.Currency()) }

// TestBooksOfTheSimulators makes payments and refunds through each simulator that keeps a
// ledger, finds the books agree with the journal, then plants a discrepancy of each kind
// the simulator can show and requires reconcile to report exactly those.
func TestBooksOfTheSimulators(t *testing.T) {
	for name, open := range map[string]func(*testing.T) *books{"mem": memBooks, "trustlyrest": trustlyRESTBooks, "trustly": trustlyBooks} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			b := open(t)
			amount := func(v string) money.Amount { return money.MustNew(v, b.currency) }
			from := time.Now().Add(-time.Second)
			var paid []*paybridge.Payment
			for i, v := range []string{"10.00", "20.00", "30.00"} {
				p, err := b.gw.Pay(ctx, paybridge.PaymentRequest{Amount: amount(v), MerchantReference: "books-" + string(rune('a'+i)),
					Description: "Reconciled order",
					ReturnURL:   "https://shop.example/done", Payer: b.payer})
				if err != nil {
					t.Fatal(err)
				}
				if err := b.approve(ctx, p.RedirectURL); err != nil {
					t.Fatal(err)
				}
				paid = append(paid, p)
			}
			to := time.Now().Add(time.Minute)
			// The provider books a payment when its money arrives, a little after the
			// payer approved it: read the books until the three are there.
			booked := func(matched int) {
				t.Helper()
				testwait.For(t, fmt.Sprintf("%d calls booked as made", matched), func() bool {
					rep, err := reconcile.Run(ctx, b.gw, from, to, nil)
					if err != nil {
						t.Fatal(err)
					}
					return rep.Agree() && rep.Matched == matched
				})
			}
			booked(3)
			refund, err := b.gw.Refund(ctx, paybridge.RefundRequest{PaymentID: paid[0].ID, Amount: amount("4.00")})
			if err != nil {
				t.Fatal(err)
			}
			booked(4)

			want := []string{string(reconcile.MissingCall), string(reconcile.AmountDiffers)}
			b.external(t, amount("7.00"))
			b.rebook(t, refund, amount("3.00"))
			if b.drop != nil {
				b.drop(t, paid[2].ID)
				want = append(want, string(reconcile.MissingEntry))
			}
			rep, err := reconcile.Run(ctx, b.gw, from, to, nil)
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

// TestBookedAfterThePeriod: a payment made before the period's end and paid after it is
// in the next period's books; the period it was made in counts it as pending, with no
// finding, and the next period matches it.
func TestBookedAfterThePeriod(t *testing.T) {
	b := memBooks(t)
	ctx := context.Background()
	from := time.Now().Add(-time.Minute)
	p, err := b.gw.Pay(ctx, paybridge.PaymentRequest{Amount: money.MustNew("10.00", b.currency), MerchantReference: "late-1",
		ReturnURL: "https://shop.example/return", Payer: b.payer})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Millisecond)
	to := time.Now()
	time.Sleep(2 * time.Millisecond)
	if err := b.approve(ctx, p.RedirectURL); err != nil {
		t.Fatal(err)
	}
	rep, err := reconcile.Run(ctx, b.gw, from, to, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Agree() || rep.Pending != 1 {
		t.Fatalf("the period it was made in: findings %v, %d pending; want none and 1 pending", kinds(rep), rep.Pending)
	}
	next, err := reconcile.Run(ctx, b.gw, to, time.Now().Add(time.Minute), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !next.Agree() || next.Matched != 1 {
		t.Fatalf("the next period: findings %v, %d matched; want none and 1 matched", kinds(next), next.Matched)
	}

	// A payment that succeeded but is booked in neither period is still reported.
	q, err := b.gw.Pay(ctx, paybridge.PaymentRequest{Amount: money.MustNew("11.00", b.currency), MerchantReference: "lost-1",
		ReturnURL: "https://shop.example/return", Payer: b.payer})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.approve(ctx, q.RedirectURL); err != nil {
		t.Fatal(err)
	}
	b.drop(t, q.ID)
	rep, err = reconcile.Run(ctx, b.gw, from, time.Now().Add(time.Second), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := kinds(rep); len(got) != 1 || got[0] != string(reconcile.MissingEntry) {
		t.Fatalf("findings %v; want the unbooked payment's missing_entry", got)
	}
}
