// Command quickstart takes one payment through paybridge from start to finish with the
// in-memory provider, printing each step: it pays, has the buyer approve the hosted page,
// receives the verified notification on a loopback server, and refunds.
//
//	go run ./examples/quickstart
//
// The README's quick start is this file from the package clause on; a test keeps them equal.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider/memprovider" // registers "mem://"
	_ "github.com/paybridge/paybridge/provider/trustly"   // registers "trustly://"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := run(ctx, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer) error {
	// One setting names the provider: "mem://", or "trustly://test?username=merchant" with
	// the credentials in the environment.
	gw, err := paybridge.Open(ctx, "mem://")
	if err != nil {
		return err
	}
	defer gw.Close()

	// Notifications are verified against their raw bytes, deduplicated, and acknowledged
	// only once this function returns nil; an error has the provider deliver again.
	events := make(chan notify.Event, 16)
	h, err := gw.NotificationHandler(func(ctx context.Context, e notify.Event) error {
		select {
		case events <- e: // a shop marks the order paid or refunded here
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()

	amount, err := money.New("12.34", "GBP") // "12.345" is an error, never rounded
	if err != nil {
		return err
	}
	p, err := gw.Pay(ctx, paybridge.PaymentRequest{
		Amount:            amount,
		MerchantReference: "order-1001",
		ReturnURL:         "https://shop.example.com/orders/1001",
		NotificationURL:   "http://" + ln.Addr().String() + "/paybridge/notifications",
		IdempotencyKey:    "order-1001-pay", // keep it with the order; a repeat reuses it
	})
	if err != nil { // errors.Is(err, paybridge.ErrUnknownOutcome): call again with the same key
		return err
	}
	fmt.Fprintln(out, "paid:", p.ID, p.Status, p.Amount, "redirect:", p.RedirectURL)

	// A shop sends the buyer to p.RedirectURL. With mem:// the program plays the buyer.
	var backend *memprovider.Backend
	if !gw.As(&backend) {
		return errors.New("not mem://: open the redirect URL in a browser")
	}
	if err := backend.EndUser().Approve(ctx, p.RedirectURL); err != nil {
		return err
	}
	fmt.Fprintln(out, "approved: the buyer paid on the hosted page")
	e, err := await(ctx, events, notify.PaymentSucceeded)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "notification:", e.Kind, e.PaymentID, e.Amount)

	r, err := gw.Refund(ctx, paybridge.RefundRequest{
		PaymentID:      p.ID,
		Amount:         amount,
		IdempotencyKey: "order-1001-refund-1", // a repeat never refunds twice
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "refunded:", r.ID, r.Status, r.Amount)
	if e, err = await(ctx, events, notify.RefundSucceeded); err != nil {
		return err
	}
	fmt.Fprintln(out, "notification:", e.Kind, e.PaymentID, e.Amount)
	return nil
}

// await returns the next event of the given kind.
func await(ctx context.Context, events <-chan notify.Event, kind notify.Kind) (notify.Event, error) {
	for {
		select {
		case e := <-events:
			if e.Kind == kind {
				return e, nil
			}
		case <-ctx.Done():
			return notify.Event{}, fmt.Errorf("waiting for %s: %w", kind, ctx.Err())
		}
	}
}
