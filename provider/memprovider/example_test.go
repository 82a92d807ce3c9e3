package memprovider_test

import (
	"context"
	"fmt"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider/memprovider"
)

// Test checkout code against memprovider: the end user's choices are yours to make.
func Example() {
	ctx := context.Background()
	backend := memprovider.NewBackend()
	defer backend.Close()
	gw := paybridge.New(memprovider.New(memprovider.Config{Backend: backend, APIKey: backend.APIKey()}))

	p, _ := gw.Pay(ctx, paybridge.PaymentRequest{
		Amount: money.MustNew("25.00", "SEK"), MerchantReference: "o-9", ReturnURL: "https://shop.example.com/r",
	})
	_ = backend.EndUser().Decline(ctx, p.RedirectURL)
	p, _ = gw.GetPayment(ctx, p.ID)
	fmt.Println(p.Status, p.ProviderStatus)
	// Output: declined declined_by_bank
}
