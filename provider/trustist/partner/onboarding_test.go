package partner_test

import (
	"context"
	"testing"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider/trustist"
	"github.com/paybridge/paybridge/provider/trustist/partner"
	"github.com/paybridge/paybridge/provider/trustist/partner/partnersim"
	"github.com/paybridge/paybridge/provider/trustist/trustistsim"
)

// A platform onboards a merchant end to end: it invites the merchant through the Partner
// API, the merchant accepts on the invitation page, the platform reads the merchant's
// keys, and a trustist adapter configured with them takes a payment the payer completes
// at the linked Trustist simulator. The merchant's payments are its own: the
// simulator's first merchant cannot read them.
func TestOnboardedMerchantTakesAPayment(t *testing.T) {
	ctx := context.Background()
	ts, err := trustistsim.Start(trustistsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ts.Close)
	ps, err := partnersim.Start(partnersim.Options{Trustist: ts})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ps.Close)

	pc, err := partner.New(ps.Config())
	if err != nil {
		t.Fatal(err)
	}
	inv, err := pc.CreateInvitation(ctx, partner.CreateInvitationRequest{Email: "owner@bakery.example", Name: "Corner Bakery",
		PaymentTypes: []partner.PaymentType{partner.Cards}})
	if err != nil {
		t.Fatal(err)
	}
	link, ok := ps.InvitationURL(inv.ID)
	if !ok {
		t.Fatalf("no page for invitation %s", inv.ID)
	}
	if err := ps.EndUser().Approve(ctx, link); err != nil {
		t.Fatal(err)
	}
	keys, err := pc.MerchantKeys(ctx, inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 || keys[0].HawkKey.IsZero() || keys[0].HawkID == ts.MerchantKey().HawkID {
		t.Fatalf("merchant keys %v", keys)
	}

	c, err := trustist.New(trustist.Config{BaseURL: ts.URL(), Merchant: trustist.Key{HawkID: keys[0].HawkID, HawkKey: keys[0].HawkKey}})
	if err != nil {
		t.Fatal(err)
	}
	gw := paybridge.New(c)
	t.Cleanup(func() { _ = gw.Close() })
	p, err := gw.Pay(ctx, paybridge.PaymentRequest{Amount: money.MustNew("18.40", "GBP"), MerchantReference: "bakery-1",
		ReturnURL: "https://bakery.example/return", IdempotencyKey: "bakery-1",
		Payer: paybridge.Person{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != paybridge.PaymentRequiresAction || p.RedirectURL == "" {
		t.Fatalf("payment %+v", p)
	}
	if err := ts.EndUser().Approve(ctx, p.RedirectURL); err != nil {
		t.Fatal(err)
	}
	got, err := gw.GetPayment(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != paybridge.PaymentSucceeded || got.Amount.String() != "18.40 GBP" {
		t.Fatalf("after the payer approved: %s %s", got.Status, got.Amount)
	}
	moved := false
	for _, m := range ts.Movements() {
		if m.ID == p.ID {
			moved = m.Merchant == keys[0].HawkID && m.Status == trustistsim.StatusComplete
		}
	}
	if !moved {
		t.Fatalf("the Trustist simulator books no completed payment of the new merchant: %+v", ts.Movements())
	}

	first, err := trustist.New(ts.Config())
	if err != nil {
		t.Fatal(err)
	}
	other := paybridge.New(first)
	t.Cleanup(func() { _ = other.Close() })
	if _, err := other.GetPayment(ctx, p.ID); paybridge.CodeOf(err) != paybridge.CodeNotFound {
		t.Fatalf("the simulator's first merchant reads the new merchant's payment: %v", err)
	}
}
