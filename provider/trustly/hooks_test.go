package trustly_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustly"
)

// setAttrs returns a hook that sets the Trustly attributes kv.
func setAttrs(kv map[string]any) paybridge.BeforeSend {
	return func(as func(any) bool) error {
		var a *trustly.Attributes
		if !as(&a) {
			return errors.New("the hook does not reach *trustly.Attributes")
		}
		for k, v := range kv {
			(*a)[k] = v
		}
		return nil
	}
}

// TestBeforeSendReachesTheAttributes: the hook's attributes are signed and sent (the
// hosted page shows the ShopperStatement it set), and the result offers Trustly's answer.
func TestBeforeSendReachesTheAttributes(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	req := e.payment("hooked")
	req.BeforeSend = setAttrs(map[string]any{"ShopperStatement": "Hooked Shop", "URLTarget": "_top",
		"Method": "deposit.bank.netherlands.ideal"})
	p, err := e.gw.Pay(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	var or *trustly.OrderResult
	var cr *trustly.ChargeResult
	if !p.As(&or) || or.OrderID != p.ID || or.URL != p.RedirectURL || p.As(&cr) {
		t.Fatalf("Payment.As: %+v", or)
	}
	resp, err := http.Get(p.RedirectURL)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), "Hooked Shop") {
		t.Fatal("the hosted page does not show the ShopperStatement the hook set")
	}
}

// TestBeforeSendRefusals: what Trustly's documentation rules out, and changes to what the
// neutral request said, are refused before anything is sent.
func TestBeforeSendRefusals(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for name, hook := range map[string]paybridge.BeforeSend{
		"URLTarget":          setAttrs(map[string]any{"URLTarget": "_blank"}),
		"SuggestedMinAmount": setAttrs(map[string]any{"SuggestedMinAmount": "10.00"}),
		"Amount":             setAttrs(map[string]any{"Amount": "99.00"}),
		"Firstname":          func(as func(any) bool) error { var a *trustly.Attributes; as(&a); delete(*a, "Firstname"); return nil },
		"not text":           setAttrs(map[string]any{"HoldNotifications": true}),
		"hook error":         func(func(any) bool) error { return errors.New("no") },
	} {
		req := e.payment("refused-" + strings.ReplaceAll(name, " ", "-"))
		req.BeforeSend = hook
		before := e.sim.Requests()
		_, err := e.gw.Pay(ctx, req)
		if !errors.Is(err, paybridge.ErrInvalidRequest) || e.sim.Requests() != before {
			t.Errorf("%s: %v (%d requests sent)", name, err, e.sim.Requests()-before)
		}
	}
	// The payout's ShopperStatement, which Trustly requires, cannot be removed.
	po := paybridge.PayoutRequest{Amount: money.MustNew("1.00", "EUR"), AccountID: "1", Payee: paybridge.Person{ID: "u"},
		MerchantReference: "po-hook", Description: "Shop", NotificationURL: e.notifyURL(),
		BeforeSend: func(as func(any) bool) error {
			var a *trustly.Attributes
			as(&a)
			delete(*a, "ShopperStatement")
			return nil
		}}
	if _, err := e.gw.Payout(ctx, po); !errors.Is(err, paybridge.ErrInvalidRequest) {
		t.Errorf("payout without a statement: %v", err)
	}
}

// TestRequestFieldsRefused: fields a Trustly request has no place for are refused, naming
// the field, before anything is sent — never dropped.
func TestRequestFieldsRefused(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for field, mutate := range map[string]func(*paybridge.PaymentRequest){
		"Metadata":          func(r *paybridge.PaymentRequest) { r.Metadata = map[string]string{"k": "v"} },
		"CustomerID":        func(r *paybridge.PaymentRequest) { r.CustomerID = "c-1" },
		"Payer.DateOfBirth": func(r *paybridge.PaymentRequest) { r.Payer.DateOfBirth = "1990-01-01" },
		"Payer.Address":     func(r *paybridge.PaymentRequest) { r.Payer.Address = &paybridge.Address{Line1: "x", Country: "SE"} },
	} {
		req := e.payment("fields-" + field)
		mutate(&req)
		before := e.sim.Requests()
		if _, err := e.gw.Pay(ctx, req); !namesField(err, field) || e.sim.Requests() != before {
			t.Errorf("Pay with %s: %v", field, err)
		}
	}
	before := e.sim.Requests()
	_, err := e.gw.Refund(ctx, paybridge.RefundRequest{PaymentID: "1", Amount: money.MustNew("1.00", "EUR"), Reason: "damaged"})
	if !namesField(err, "Reason") || e.sim.Requests() != before {
		t.Errorf("Refund with a Reason: %v", err)
	}
	_, err = e.gw.Payout(ctx, paybridge.PayoutRequest{Amount: money.MustNew("1.00", "EUR"), AccountID: "1",
		Payee: paybridge.Person{ID: "u", DateOfBirth: "1990-01-01"}, MerchantReference: "po-dob", Description: "Shop"})
	if !namesField(err, "Payee.DateOfBirth") || e.sim.Requests() != before {
		t.Errorf("Payout with a payee's date of birth: %v", err)
	}
	_, err = e.gw.Charge(ctx, paybridge.ChargeRequest{MandateID: "1", Amount: money.MustNew("1.00", "EUR"), MerchantReference: "c-md",
		Metadata: map[string]string{"k": "v"}})
	if !namesField(err, "Metadata") || e.sim.Requests() != before {
		t.Errorf("Charge with Metadata: %v", err)
	}
}

// TestPayDescriptionIsTheExternalReference: a Deposit has no description; Description is
// sent as ExternalReference, which the settlement report shows.
func TestPayDescriptionIsTheExternalReference(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	req := e.payment("described")
	req.Description = "Blue notebook, A5"
	p, err := e.gw.Pay(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.sim.EndUser().Approve(ctx, p.RedirectURL); err != nil {
		t.Fatal(err)
	}
	today := time.Now().UTC().Truncate(24 * time.Hour)
	lines, err := collect(e.c.ViewAutomaticSettlementDetailsCSV(ctx, today, "EUR"))
	if err != nil || len(lines) != 1 || lines[0].OrderID != p.ID || lines[0].ExternalReference != req.Description {
		t.Fatalf("settlement report %+v, %v", lines, err)
	}
}

// namesField reports whether err is an InvalidRequest error naming field, found by the
// Gateway or by the adapter.
func namesField(err error, field string) bool {
	var pe *paybridge.Error
	if !errors.As(err, &pe) || pe.Code != paybridge.CodeInvalidRequest {
		return false
	}
	var ae *provider.Error
	return slices.ContainsFunc(pe.Fields, func(f paybridge.FieldError) bool { return f.Field == field }) ||
		(errors.As(err, &ae) && ae.Field == field)
}
