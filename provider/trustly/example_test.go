package trustly_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"time"

	"github.com/shopspring/decimal"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider/trustly"
	"github.com/paybridge/paybridge/provider/trustly/trustlysim"
)

// A deposit against the simulator: Pay returns the orderid and the page for the end
// user; the outcome arrives as a signed notification.
func Example() {
	ctx := context.Background()
	sim, _ := trustlysim.Start(trustlysim.Options{AllowLoopbackHTTP: true})
	defer sim.Close()
	creds, _ := sim.NewMerchant("shop")
	c, err := trustly.New(trustly.Config{Username: creds.Username, Password: creds.Password, PrivateKey: creds.PrivateKey,
		BaseURL: sim.APIURL(), TrustlyPublicKey: sim.PublicKeyPEM()})
	if err != nil {
		fmt.Println(err)
		return
	}
	gw := paybridge.New(c)
	defer gw.Close()

	done := make(chan notify.Event, 1)
	h, _ := gw.NotificationHandler(func(_ context.Context, e notify.Event) error { done <- e; return nil })
	srv := httptest.NewServer(h)
	defer srv.Close()

	p, err := gw.Pay(ctx, paybridge.PaymentRequest{
		Amount: money.MustNew("25.00", "SEK"), MerchantReference: "order-77",
		ReturnURL: "https://shop.example.com/thanks", NotificationURL: srv.URL + "/trustly",
		Payer: paybridge.Person{ID: "customer-9", FirstName: "Ada", LastName: "Lovelace", Country: "SE", Locale: "sv_SE"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Status)
	_ = sim.EndUser().Approve(ctx, p.RedirectURL)
	e := <-done
	fmt.Println(e.Kind, e.PaymentID == p.ID, e.Amount)
	// Output:
	// requires_action
	// payment.succeeded true 25.00 SEK
}

// Trustly-specific calls are on the Client, reached through the Gateway.
func ExampleClient_Balance() {
	sim, _ := trustlysim.Start(trustlysim.Options{})
	defer sim.Close()
	creds, _ := sim.NewMerchant("shop")
	c, _ := trustly.New(trustly.Config{Username: creds.Username, Password: creds.Password, PrivateKey: creds.PrivateKey,
		BaseURL: sim.APIURL(), TrustlyPublicKey: sim.PublicKeyPEM()})
	gw := paybridge.New(c)
	defer gw.Close()

	var tc *trustly.Client
	if gw.As(&tc) {
		balances, err := tc.Balance(context.Background())
		fmt.Println(len(balances), err)
	}
	// Output: 0 <nil>
}

// Reports are iterators. Every row they yield has been verified against the signature of
// Trustly's whole answer; an answer that does not verify yields only the error.
func ExampleClient_AccountLedger() {
	sim, _ := trustlysim.Start(trustlysim.Options{})
	defer sim.Close()
	creds, _ := sim.NewMerchant("shop")
	day := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	_ = sim.SetSyntheticLedger("shop", trustlysim.SyntheticLedger{Rows: 10_000, Day: day})
	c, _ := trustly.New(trustly.Config{Username: creds.Username, Password: creds.Password, PrivateKey: creds.PrivateKey,
		BaseURL: sim.APIURL(), TrustlyPublicKey: sim.PublicKeyPEM()})
	defer c.Close()

	var rows int
	var net decimal.Decimal
	for e, err := range c.AccountLedger(context.Background(), day, day.AddDate(0, 0, 1), "EUR") {
		if err != nil {
			fmt.Println(err)
			return
		}
		rows++
		net = net.Add(e.Amount)
	}
	fmt.Println(rows, net.StringFixed(2))
	// Output: 10000 -100.00
}

// Errors keep Trustly's code: errors.As reaches the *provider.Error.
func ExampleErrorCode() {
	code, known := trustly.ErrorCode(616)
	fmt.Println(code, known)
	// Output: unauthenticated true
}
