package trustly_test

import (
	"context"
	"errors"
	"testing"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustly"
)

// An iDEAL deposit is a Pay with the trustly.IDEAL hook; it is paid and notified like any
// deposit. A Pay in another currency, or a Method Trustly does not document, is refused
// before anything is sent.
func TestIDEALDeposit(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	req := e.payment("order-ideal")
	req.Payer.Country, req.Payer.Locale = "NL", "en_NL"
	req.BeforeSend = trustly.IDEAL
	p, err := e.gw.Pay(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	var sent *trustly.OrderResult
	if !p.As(&sent) || sent.OrderID != p.ID {
		t.Fatalf("payment detail %+v", sent)
	}
	if err := e.sim.EndUser().Approve(ctx, p.RedirectURL); err != nil {
		t.Fatal(err)
	}
	evs := e.waitEvents(t, func(evs []notify.Event) bool {
		return len(kinds(evs, p.ID)) > 0 && kinds(evs, p.ID)[len(kinds(evs, p.ID))-1] == notify.PaymentSucceeded
	})
	if len(evs) == 0 {
		t.Fatal("no notification")
	}

	requests := e.sim.Requests()
	sek := e.payment("order-ideal-sek")
	sek.Amount, sek.BeforeSend = money.MustNew("10.00", "SEK"), trustly.IDEAL
	_, err = e.gw.Pay(ctx, sek)
	var pe *provider.Error
	if !errors.As(err, &pe) || pe.Code != provider.InvalidRequest || pe.Field != "BeforeSend" {
		t.Fatalf("iDEAL in SEK: %v", err)
	}
	other := e.payment("order-method")
	other.BeforeSend = func(as func(any) bool) error {
		var a *trustly.Attributes
		if !as(&a) {
			return errors.New("not trustly")
		}
		(*a)["Method"] = "deposit.bank.sweden.swish"
		return nil
	}
	if _, err := e.gw.Pay(ctx, other); !errors.As(err, &pe) || pe.Field != "BeforeSend" {
		t.Fatalf("an undocumented Method: %v", err)
	}
	refund := paybridge.RefundRequest{PaymentID: p.ID, Amount: money.MustNew("1.00", "EUR"), MerchantReference: "r-ideal",
		IdempotencyKey: "r-ideal", BeforeSend: trustly.IDEAL}
	if _, err := e.gw.Refund(ctx, refund); !errors.As(err, &pe) || pe.Field != "BeforeSend" {
		t.Fatalf("the iDEAL hook on a Refund: %v", err)
	}
	if e.sim.Requests() != requests {
		t.Fatal("a refused request reached the provider")
	}
}
