package partnersim_test

import (
	"context"
	"fmt"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider/trustist"
	"github.com/paybridge/paybridge/provider/trustist/partner"
	"github.com/paybridge/paybridge/provider/trustist/partner/partnersim"
	"github.com/paybridge/paybridge/provider/trustist/trustistsim"
)

// Start a Trustist simulator and a Partner API simulator linked to it, invite a merchant,
// let the merchant accept on the invitation page, read its keys, and take a payment with
// them.
func Example() {
	ctx := context.Background()
	ts, err := trustistsim.Start(trustistsim.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ts.Close()
	ps, err := partnersim.Start(partnersim.Options{Trustist: ts})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ps.Close()

	pc, err := partner.New(ps.Config())
	if err != nil {
		fmt.Println(err)
		return
	}
	inv, err := pc.CreateInvitation(ctx, partner.CreateInvitationRequest{Email: "owner@shop.example", Name: "Example Shop"})
	if err != nil {
		fmt.Println(err)
		return
	}
	link, _ := ps.InvitationURL(inv.ID) // the link of the invitation e-mail
	if err := ps.EndUser().Approve(ctx, link); err != nil {
		fmt.Println(err)
		return
	}
	keys, err := pc.MerchantKeys(ctx, inv.ID)
	if err != nil {
		fmt.Println(err)
		return
	}

	c, err := trustist.New(trustist.Config{BaseURL: ts.URL(), Merchant: trustist.Key{HawkID: keys[0].HawkID, HawkKey: keys[0].HawkKey}})
	if err != nil {
		fmt.Println(err)
		return
	}
	gw := paybridge.New(c)
	defer gw.Close()
	p, err := gw.Pay(ctx, paybridge.PaymentRequest{Amount: money.MustNew("12.34", "GBP"), MerchantReference: "order-1",
		ReturnURL: "https://shop.example/return", Payer: paybridge.Person{FirstName: "Ada", LastName: "Lovelace"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	after, _ := pc.Invitation(ctx, inv.ID)
	fmt.Println(inv.Status, after.Status, inv.PaymentTypes, p.Status, p.Amount)
	// Output: pending accepted [openbanking] requires_action 12.34 GBP
}
