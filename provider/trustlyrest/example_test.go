package trustlyrest_test

import (
	"context"
	"fmt"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider/trustlyrest"
	"github.com/paybridge/paybridge/provider/trustlyrest/trustlyrestsim"
	"github.com/paybridge/paybridge/secret"
)

// A pay-in against the simulator: Pay returns the bank page, the payer approves it, and the
// adapter captures the authorization; GetPayment reports success once the capture completes.
func Example() {
	sim, err := trustlyrestsim.Start(trustlyrestsim.Options{SettleDelay: time.Millisecond})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer sim.Close()

	c, err := trustlyrest.New(trustlyrest.Config{
		AccessID:   sim.AccessID(),
		AccessKey:  secret.New(sim.AccessKey()),
		MerchantID: sim.MerchantID(),
		BaseURL:    sim.APIURL(), // omit for Trustly's sandbox
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	gw := paybridge.New(c)
	defer gw.Close()
	ctx := context.Background()

	p, err := gw.Pay(ctx, paybridge.PaymentRequest{
		Amount:            money.MustNew("25.00", "USD"),
		MerchantReference: "order-1001",
		Description:       "Order 1001",
		ReturnURL:         "https://shop.example/return",
		Payer:             trustlyrestsim.TestPayer,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Status)

	_ = sim.EndUser().Approve(ctx, p.RedirectURL) // the payer at the bank page
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if p, err = gw.GetPayment(ctx, p.ID); err != nil || p.Status.Final() {
			break
		}
	}
	fmt.Println(p.Status, p.Amount)
	// Output:
	// requires_action
	// succeeded 25.00 USD
}

// The merchantReference sent to Trustly, to check a redirect with VerifyRedirect.
func ExamplePaymentReference() {
	fmt.Println(trustlyrest.PaymentReference("order-1001", "5b1f0c2e-key"))
	// Output: order-1001.pbqup6bh4av6
}
