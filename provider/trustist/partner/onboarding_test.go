package partner_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
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

// An invitation's raw JSON can carry the invited owner's e-mail address and name: an
// Invitation prints and logs as its id, status and payment types only.
func TestInvitationPrintsNoPersonalData(t *testing.T) {
	ps, err := partnersim.Start(partnersim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ps.Close)
	pc, err := partner.New(ps.Config())
	if err != nil {
		t.Fatal(err)
	}
	inv, err := pc.CreateInvitation(context.Background(), partner.CreateInvitationRequest{Email: "owner@bakery.example",
		Name: "Corner Bakery"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(inv.Raw), "owner@bakery.example") {
		t.Fatalf("the simulator's invitation %s does not carry the e-mail address", inv.Raw)
	}
	var outs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		outs = append(outs, fmt.Sprintf(verb, *inv), fmt.Sprintf(verb, inv))
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("invitation", "v", *inv, "p", inv)
	slog.New(slog.NewTextHandler(&buf, nil)).Info("invitation", "v", *inv, "p", inv)
	outs = append(outs, buf.String())
	for _, out := range outs {
		for _, personal := range []string{"owner@bakery.example", "Corner Bakery", hex.EncodeToString([]byte("bakery"))} {
			if strings.Contains(out, personal) {
				t.Errorf("an invitation prints %q: %s", personal, out)
			}
		}
	}
	if !strings.Contains(outs[0], inv.ID) || !strings.Contains(buf.String(), inv.ID) {
		t.Errorf("an invitation prints as %s and logs as %s; want its id", outs[0], buf.String())
	}
}
