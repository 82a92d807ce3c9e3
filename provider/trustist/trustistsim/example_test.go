package trustistsim_test

import (
	"context"
	"fmt"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider/trustist"
	"github.com/paybridge/paybridge/provider/trustist/trustistsim"
)

// Start a simulator, point the trustist adapter at it, create a payment, and close it.
// The simulator counts the API requests the adapter made: Trustist's create answer
// carries no status, so the adapter reads the payment back.
func Example() {
	sim, err := trustistsim.Start(trustistsim.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer sim.Close()
	c, err := trustist.New(sim.Config())
	if err != nil {
		fmt.Println(err)
		return
	}
	gw := paybridge.New(c)
	defer gw.Close()

	p, err := gw.Pay(context.Background(), paybridge.PaymentRequest{Amount: money.MustNew("12.34", "GBP"),
		MerchantReference: "order-1", ReturnURL: "https://shop.example/return",
		Payer: paybridge.Person{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Status, p.Amount, sim.Requests())
	// Output: requires_action 12.34 GBP 2
}
