package trustly_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/internal/httptap"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustly"
)

// A required name or end user id of only spaces passed the adapter's emptiness check and
// reached Trustly, although Trustly's Java client refuses a blank one (@NotBlank) before
// sending. It is refused naming the caller's field, and nothing is sent.
func TestBlankRequiredPersonFieldsAreRefusedBeforeSending(t *testing.T) {
	ct := &httptap.Counter{}
	e := newSingleAttemptEnv(t, func(c *trustly.Config) { c.HTTPClient = &http.Client{Transport: ct} })
	ctx := context.Background()
	for field, set := range map[string]func(*paybridge.Person){
		"Payer.ID":        func(p *paybridge.Person) { p.ID = "  " },
		"Payer.FirstName": func(p *paybridge.Person) { p.FirstName = " " },
		"Payer.LastName":  func(p *paybridge.Person) { p.LastName = "\u00a0\u2003" },
	} {
		req := e.payment("blank-" + field)
		set(&req.Payer)
		before := ct.Count()
		_, err := e.gw.Pay(ctx, req)
		var pe *provider.Error
		if !errors.As(err, &pe) || pe.Code != provider.InvalidRequest || pe.Field != field {
			t.Errorf("%s blank: %v; want invalid_request naming %s", field, err, field)
		}
		if n := ct.Count() - before; n != 0 {
			t.Errorf("%s blank: %d requests sent", field, n)
		}
	}
	holder := paybridge.Person{ID: "u-1", FirstName: "Ada", LastName: " "}
	_, err := e.gw.VerifyAccount(ctx, paybridge.VerifyAccountRequest{Holder: holder,
		Account: paybridge.BankAccount{IBAN: "SE4550000000058398257466"}})
	if code := paybridge.CodeOf(err); code != paybridge.CodeInvalidRequest {
		t.Errorf("RegisterAccount with a blank last name: %v; want invalid_request", err)
	}
	po := paybridge.PayoutRequest{Amount: e.payment("x").Amount, AccountID: "123", MerchantReference: "po-blank",
		Payee: paybridge.Person{ID: " "}, Description: "payout", NotificationURL: e.notifyURL()}
	if _, err := e.gw.Payout(ctx, po); paybridge.CodeOf(err) != paybridge.CodeInvalidRequest {
		t.Errorf("AccountPayout with a blank Payee.ID: %v; want invalid_request", err)
	}
	if ct.Count() != 0 {
		t.Errorf("%d requests sent", ct.Count())
	}
}

// A MerchantReference of only spaces, sent as Trustly's MessageID, which Trustly's Java
// client refuses blank, is refused naming MerchantReference, and nothing is sent.
func TestBlankMessageIDIsRefusedBeforeSending(t *testing.T) {
	ct := &httptap.Counter{}
	e := newSingleAttemptEnv(t, func(c *trustly.Config) { c.HTTPClient = &http.Client{Transport: ct} })
	ctx := context.Background()
	req := e.payment("x")
	req.MerchantReference = "   "
	_, err := e.gw.Pay(ctx, req)
	var pe *provider.Error
	if !errors.As(err, &pe) || pe.Code != provider.InvalidRequest || pe.Field != "MerchantReference" {
		t.Errorf("Deposit with a blank MessageID: %v; want invalid_request naming MerchantReference", err)
	}
	_, err = e.gw.VerifyAccount(ctx, paybridge.VerifyAccountRequest{Holder: req.Payer, MerchantReference: " ",
		ReturnURL: "https://shop.example.com/ok", NotificationURL: e.notifyURL()})
	if !errors.As(err, &pe) || pe.Code != provider.InvalidRequest || pe.Field != "MerchantReference" {
		t.Errorf("SelectAccount with a blank MessageID: %v; want invalid_request naming MerchantReference", err)
	}
	if ct.Count() != 0 {
		t.Errorf("%d requests sent", ct.Count())
	}
}
