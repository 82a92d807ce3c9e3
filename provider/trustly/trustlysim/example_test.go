package trustlysim_test

import (
	"context"
	"fmt"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider/trustly"
	"github.com/paybridge/paybridge/provider/trustly/trustlysim"
)

// Start a simulator, register a merchant, point the trustly adapter at it, make a
// deposit, and close it. The deposit waits on the hosted page for the end user.
func Example() {
	sim, err := trustlysim.Start(trustlysim.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer sim.Close()
	creds, err := sim.NewMerchant("shop")
	if err != nil {
		fmt.Println(err)
		return
	}
	c, err := trustly.New(trustly.Config{Username: creds.Username, Password: creds.Password, PrivateKey: creds.PrivateKey,
		BaseURL: sim.APIURL(), TrustlyPublicKey: sim.PublicKeyPEM(), NotificationURL: "https://shop.example/notifications"})
	if err != nil {
		fmt.Println(err)
		return
	}
	gw := paybridge.New(c)
	defer gw.Close()

	p, err := gw.Pay(context.Background(), paybridge.PaymentRequest{Amount: money.MustNew("25.00", "EUR"),
		MerchantReference: "order-1", ReturnURL: "https://shop.example/thanks",
		Payer: paybridge.Person{ID: "customer-9", FirstName: "Ada", LastName: "Lovelace", Country: "SE", Locale: "sv_SE"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Status, p.Amount, len(sim.Deliveries()))
	// Output: requires_action 25.00 EUR 0
}
