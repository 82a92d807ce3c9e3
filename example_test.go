package paybridge_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider/memprovider"
)

func Example() {
	ctx := context.Background()
	gw, err := paybridge.Open(ctx, "mem://") // the provider is one setting
	if err != nil {
		panic(err)
	}
	defer gw.Close()

	p, err := gw.Pay(ctx, paybridge.PaymentRequest{
		Amount:            money.MustNew("12.34", "GBP"),
		MerchantReference: "order-1001",
		ReturnURL:         "https://shop.example.com/orders/1001",
		IdempotencyKey:    "order-1001-pay",
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(p.Status, p.Amount)

	// In a real checkout the buyer approves at p.RedirectURL; memprovider has a stand-in.
	var backend *memprovider.Backend
	gw.As(&backend)
	_ = backend.EndUser().Approve(ctx, p.RedirectURL)

	p, _ = gw.GetPayment(ctx, p.ID)
	fmt.Println(p.Status)
	// Output:
	// requires_action 12.34 GBP
	// succeeded
}

func ExampleGateway_Pay_invalid() {
	gw, _ := paybridge.Open(context.Background(), "mem://")
	defer gw.Close()
	_, err := gw.Pay(context.Background(), paybridge.PaymentRequest{
		Amount:            money.MustNew("0.00", "GBP"),
		MerchantReference: "order-1002",
		ReturnURL:         "not a url",
	})
	fmt.Println(errors.Is(err, paybridge.ErrInvalidRequest))
	fmt.Println(err)
	// Output:
	// true
	// paybridge: mem: Pay: invalid request: Amount must be greater than zero; ReturnURL must be an absolute http or https URL
}

func ExampleGateway_Refund() {
	ctx := context.Background()
	gw, _ := paybridge.Open(ctx, "mem://")
	defer gw.Close()
	var backend *memprovider.Backend
	gw.As(&backend)
	p, _ := gw.Pay(ctx, paybridge.PaymentRequest{Amount: money.MustNew("10.00", "EUR"), MerchantReference: "o-1", ReturnURL: "https://shop.example.com/r"})
	_ = backend.EndUser().Approve(ctx, p.RedirectURL)

	// A refund worker keeps the key with the job, so a retry after a crash refunds once.
	req := paybridge.RefundRequest{PaymentID: p.ID, Amount: money.MustNew("4.00", "EUR"), IdempotencyKey: "job-77"}
	r1, _ := gw.Refund(ctx, req)
	r2, _ := gw.Refund(ctx, req)
	fmt.Println(r1.ID == r2.ID, r1.Status)

	_, err := gw.Refund(ctx, paybridge.RefundRequest{PaymentID: p.ID, Amount: money.MustNew("6.01", "EUR")})
	fmt.Println(paybridge.CodeOf(err), paybridge.CodeOf(err).Retryable())
	// Output:
	// true succeeded
	// invalid_request false
}
