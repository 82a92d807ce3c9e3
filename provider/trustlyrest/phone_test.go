package trustlyrest_test

import (
	"context"
	"strings"
	"testing"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustlyrest/trustlyrestsim"
)

// TestEstablishNeedsTheCustomersPhone: every call that establishes with a new customer
// (Pay, CreateMandate, an interactive Payout and an interactive VerifyAccount) is refused
// without the person's phone, naming the field, before anything is sent: Trustly requires
// a phone of the establish data's customer (the establish data page and the Customer
// schema, project fact file trustly-rest.md §5 and §6.4). A Pay naming a customer Trustly
// keeps (CustomerID alone) needs no phone, nor does a Payout to a verified AccountID, which
// sends no customer.
func TestEstablishNeedsTheCustomersPhone(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{}, nil)
	ctx := context.Background()
	noPhone := trustlyrestsim.TestPayer
	noPhone.Phone = ""
	noPhonePayee := testPayee // a payout carries no payee address
	noPhonePayee.Phone = ""
	calls := []struct {
		field string
		call  func() error
	}{
		{"Payer.Phone", func() error {
			req := e.payReq("5.00")
			req.Payer, req.IdempotencyKey = noPhone, "pay-no-phone"
			_, err := e.gw.Pay(ctx, req)
			return err
		}},
		{"Payer.Phone", func() error {
			_, err := e.gw.CreateMandate(ctx, paybridge.MandateRequest{Payer: noPhone, Currency: money.MustCurrency("USD"),
				MerchantReference: "plan-no-phone", ReturnURL: "https://shop.example/m", IdempotencyKey: "mandate-no-phone"})
			return err
		}},
		{"Payee.Phone", func() error {
			_, err := e.gw.Payout(ctx, paybridge.PayoutRequest{Amount: usd("5.00"), Payee: noPhonePayee, MerchantReference: "po-no-phone",
				ReturnURL: "https://shop.example/po", IdempotencyKey: "po-no-phone"})
			return err
		}},
		{"Holder.Phone", func() error {
			_, err := e.gw.VerifyAccount(ctx, paybridge.VerifyAccountRequest{Holder: noPhone, ReturnURL: "https://shop.example/v",
				IdempotencyKey: "v-no-phone"})
			return err
		}},
	}
	for _, c := range calls {
		before := e.sim.Requests()
		err := c.call()
		var pe *provider.Error
		if codeOf(err) != paybridge.CodeInvalidRequest || !errorsAs(err, &pe) || pe.Field != c.field {
			t.Errorf("without a phone: %v; want InvalidRequest naming %s", err, c.field)
		} else if !strings.Contains(err.Error(), c.field+" is required") {
			t.Errorf("the error %q does not say %s is required", err, c.field)
		}
		var ge *paybridge.Error
		if !errorsAs(err, &ge) || len(ge.Fields) != 1 || ge.Fields[0].Field != c.field {
			t.Errorf("the error's Fields do not list %s: %v", c.field, err)
		}
		if n := e.sim.Requests() - before; n != 0 {
			t.Errorf("refused for %s, yet %d requests were sent", c.field, n)
		}
	}

	// A customer Trustly keeps is named by its customerId alone.
	cu, err := e.gw.CreateCustomer(ctx, paybridge.Customer{ExternalID: "kept-1", FirstName: "Ada", LastName: "Lovelace",
		Email: "ada@example.com", Phone: "+14155550100", Address: &paybridge.Address{Country: "US"}})
	if err != nil {
		t.Fatal(err)
	}
	req := e.payReq("5.00")
	req.Payer, req.CustomerID, req.IdempotencyKey = paybridge.Person{}, cu.ID, "pay-kept"
	if p, err := e.gw.Pay(ctx, req); err != nil || p.RedirectURL == "" {
		t.Fatalf("Pay naming customer %s alone = %+v, %v; want a payment page", cu.ID, p, err)
	}
	// A deposit under a verified account's authorization sends no customer.
	account := verifiedAccount(t, e, "v-phone")
	if _, err := e.gw.Payout(ctx, paybridge.PayoutRequest{Amount: usd("5.00"), AccountID: account, Payee: noPhonePayee,
		MerchantReference: "po-verified", IdempotencyKey: "po-verified"}); err != nil {
		t.Fatalf("Payout to verified account %s without the payee's phone: %v", account, err)
	}
}
