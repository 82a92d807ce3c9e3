package memprovider_test

import (
	"context"
	"errors"
	"testing"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider/memprovider"
)

// TestInteractivePayoutOutcomes: an interactive payout is pending with a page until the
// payee acts there; approving pays it to the account chosen, declining or abandoning
// leaves it unpaid, and the page then no longer acts. The ledger books only the paid one.
func TestInteractivePayoutOutcomes(t *testing.T) {
	ctx := context.Background()
	b := memprovider.NewBackend()
	defer b.Close()
	gw := paybridge.New(memprovider.New(memprovider.Config{Backend: b, APIKey: b.APIKey()}))
	want := map[string]paybridge.PayoutStatus{"approve": paybridge.PayoutSucceeded, "decline": paybridge.PayoutFailed,
		"abandon": paybridge.PayoutCanceled}
	act := map[string]func(context.Context, string) error{"approve": b.EndUser().Approve, "decline": b.EndUser().Decline,
		"abandon": b.EndUser().Abandon}
	before := b.Movements()
	for name, status := range want {
		po, err := gw.Payout(ctx, paybridge.PayoutRequest{Amount: money.MustNew("4.00", "GBP"), MerchantReference: "ip-" + name,
			ReturnURL: "https://merchant.example.com/back", Payee: paybridge.Person{ID: "payee-1"}})
		if err != nil {
			t.Fatal(err)
		}
		if po.Status != paybridge.PayoutPending || po.RedirectURL == "" || po.AccountID != "" {
			t.Fatalf("%s: Payout = %+v, want pending with a page and no account", name, po)
		}
		if err := act[name](ctx, po.RedirectURL); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, err := gw.GetPayout(ctx, po.ID)
		if err != nil || got.Status != status || got.RedirectURL != "" || (status == paybridge.PayoutSucceeded) != (got.AccountID != "") {
			t.Fatalf("%s: GetPayout = %+v, %v; want %s", name, got, err, status)
		}
		if err := b.EndUser().Approve(ctx, po.RedirectURL); !errors.Is(err, memprovider.ErrPageNotActive) {
			t.Fatalf("%s: acting on the page again: %v, want ErrPageNotActive", name, err)
		}
	}
	if n := b.Movements() - before; n != 1 {
		t.Fatalf("%d movements, want 1 (the approved payout)", n)
	}
}
