package paybridge_test

import (
	"context"
	"fmt"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider/memprovider"
)

// approve stands in for the payer at a hosted page (memprovider's EndUser).
func approve(ctx context.Context, gw *paybridge.Gateway, redirectURL string) {
	var backend *memprovider.Backend
	gw.As(&backend)
	if err := backend.EndUser().Approve(ctx, redirectURL); err != nil {
		panic(err)
	}
}

// Authorize now, capture later: the payer approves 50.00, the shop takes 30.00 when it
// ships the first parcel, then releases the rest.
func ExampleGateway_Capture() {
	ctx := context.Background()
	gw, _ := paybridge.Open(ctx, "mem://")
	defer gw.Close()
	if !gw.Capabilities().Supports(paybridge.OpPartialCapture) {
		return // the provider takes the money at once; see the README's capability table
	}
	p, _ := gw.Pay(ctx, paybridge.PaymentRequest{Amount: money.MustNew("50.00", "GBP"), MerchantReference: "order-2001",
		ReturnURL: "https://shop.example.com/orders/2001", Capture: paybridge.CaptureManual})
	approve(ctx, gw, p.RedirectURL)
	p, _ = gw.GetPayment(ctx, p.ID)
	fmt.Println(p.Status)

	c, err := gw.Capture(ctx, paybridge.CaptureRequest{PaymentID: p.ID, Amount: money.MustNew("30.00", "GBP"),
		IdempotencyKey: "order-2001-parcel-1"})
	if err != nil {
		panic(err)
	}
	fmt.Println(c.Amount, c.Status)

	p, _ = gw.Void(ctx, paybridge.VoidRequest{PaymentID: p.ID, IdempotencyKey: "order-2001-release"})
	fmt.Println(p.Status, p.Captured)
	// Output:
	// authorized
	// 30.00 GBP succeeded
	// canceled 30.00 GBP
}

// A mandate approved once, then charged without the payer.
func ExampleGateway_Charge() {
	ctx := context.Background()
	gw, _ := paybridge.Open(ctx, "mem://")
	defer gw.Close()
	m, err := gw.CreateMandate(ctx, paybridge.MandateRequest{Payer: paybridge.Person{ID: "customer-77"},
		Currency: money.MustCurrency("GBP"), MerchantReference: "plan-77", ReturnURL: "https://shop.example.com/plan"})
	if err != nil {
		panic(err)
	}
	fmt.Println(m.Status)
	approve(ctx, gw, m.RedirectURL)
	m, _ = gw.GetMandate(ctx, m.ID)
	fmt.Println(m.Status)

	p, err := gw.Charge(ctx, paybridge.ChargeRequest{MandateID: m.ID, Amount: money.MustNew("9.99", "GBP"),
		MerchantReference: "plan-77-2026-12", IdempotencyKey: "plan-77-2026-12"})
	if err != nil {
		panic(err)
	}
	fmt.Println(p.Status, p.Amount, p.MandateID == m.ID)
	// Output:
	// requires_action
	// active
	// pending 9.99 GBP true
}

// The provider's books for a period, for reconciliation (see package reconcile and
// `paybridge reconcile`).
func ExampleGateway_Ledger() {
	ctx := context.Background()
	gw, _ := paybridge.Open(ctx, "mem://")
	defer gw.Close()
	from := time.Now()
	p, _ := gw.Pay(ctx, paybridge.PaymentRequest{Amount: money.MustNew("20.00", "GBP"), MerchantReference: "order-3001",
		ReturnURL: "https://shop.example.com/orders/3001"})
	approve(ctx, gw, p.RedirectURL)
	_, _ = gw.Refund(ctx, paybridge.RefundRequest{PaymentID: p.ID, Amount: money.MustNew("5.00", "GBP")})

	for e, err := range gw.Ledger(ctx, paybridge.LedgerRequest{From: from, To: time.Now().Add(time.Second)}) {
		if err != nil {
			panic(err)
		}
		fmt.Println(e.Kind, e.Amount)
	}
	// Output:
	// payment 20.00 GBP
	// refund -5.00 GBP
}

// BeforeSend sets what the neutral request cannot say, on the adapter's own wire request;
// Payment.As reaches the adapter's own answer.
func ExamplePaymentRequest_beforeSend() {
	ctx := context.Background()
	gw, _ := paybridge.Open(ctx, "mem://")
	defer gw.Close()
	p, err := gw.Pay(ctx, paybridge.PaymentRequest{Amount: money.MustNew("12.00", "GBP"), MerchantReference: "order-4001",
		ReturnURL: "https://shop.example.com/orders/4001",
		BeforeSend: func(as func(any) bool) error {
			var opts *memprovider.PaymentOptions
			if as(&opts) {
				opts.StatementText = "SHOP ORDER 4001"
			}
			return nil
		}})
	if err != nil {
		panic(err)
	}
	var detail *memprovider.PaymentDetail
	if p.As(&detail) {
		fmt.Println(detail.Options.StatementText)
	}
	// Output:
	// SHOP ORDER 4001
}
