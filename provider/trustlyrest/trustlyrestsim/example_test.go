package trustlyrestsim_test

import (
	"context"
	"fmt"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider/trustlyrest"
	"github.com/paybridge/paybridge/provider/trustlyrest/trustlyrestsim"
)

// Start a simulator, point the adapter at it, and approve a payment on its hosted page.
func Example() {
	sim, err := trustlyrestsim.Start(trustlyrestsim.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer sim.Close()
	c, err := trustlyrest.New(sim.Config())
	if err != nil {
		fmt.Println(err)
		return
	}
	gw := paybridge.New(c)
	defer gw.Close()
	ctx := context.Background()

	p, err := gw.Pay(ctx, paybridge.PaymentRequest{Amount: money.MustNew("10.00", "USD"), MerchantReference: "order-7",
		Description: "Order 7", ReturnURL: "https://shop.example/return", Payer: trustlyrestsim.TestPayer})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Status, sim.EndUser().Approve(ctx, p.RedirectURL), sim.Status(p.ID))
	// Output: requires_action <nil> 2
}
