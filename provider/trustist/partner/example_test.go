package partner_test

import (
	"context"
	"fmt"

	"github.com/paybridge/paybridge/provider/trustist/partner"
	"github.com/paybridge/paybridge/provider/trustist/partner/partnersim"
)

// Start (here the Partner API simulator, in place of the sandbox), configure the client
// with the platform's OAuth credentials, invite a merchant, and close. Open banking is
// always offered; Cards adds card payments. The create answer says "pending"; once the
// invitation e-mail has gone out the invitation reads "sent".
func Example() {
	api, err := partnersim.Start(partnersim.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer api.Close()
	cfg := api.Config() // in production: partner.Config{Environment: partner.Production, ClientID: ..., ClientSecret: ...}
	c, err := partner.New(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	inv, err := c.CreateInvitation(ctx, partner.CreateInvitationRequest{
		Email: "shop@example.com", Name: "Example Shop", PaymentTypes: []partner.PaymentType{partner.Cards}})
	if err != nil {
		fmt.Println(err)
		return
	}
	again, err := c.Invitation(ctx, inv.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(inv.Status, again.Status, inv.PaymentTypes, c.TokenFetches())
	// Output: pending sent [openbanking cards] 1
}
