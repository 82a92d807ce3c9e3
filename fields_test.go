package paybridge_test

import (
	"context"
	"strings"
	"testing"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
)

// A request field the provider has no place for is refused by name before anything is
// sent, never dropped; the fields it carries pass.
func TestUncarriedRequestFieldsRefused(t *testing.T) {
	ctx := context.Background()
	f := &fake{pay: okPayment, caps: provider.Capabilities{RequestFields: []string{"PaymentRequest.Description"}}}
	gw := paybridge.New(f)

	req := validRequest()
	req.Description = "carried"
	if _, err := gw.Pay(ctx, req); err != nil {
		t.Fatalf("a carried field was refused: %v", err)
	}
	req.Metadata = map[string]string{"order": "1"}
	req.Payer.Address = &paybridge.Address{Line1: "1 High St", Country: "GB"}
	req.Payer.DateOfBirth = "1990-01-31"
	_, err := gw.Pay(ctx, req)
	expectFieldsNamed(t, err, "Metadata", "Payer.Address", "Payer.DateOfBirth")
	if !strings.Contains(err.Error(), "is not carried by fake") {
		t.Fatalf("error %q does not say why", err)
	}
	if f.calls.Load() != 1 {
		t.Fatalf("the adapter was called %d times; want only the first Pay", f.calls.Load())
	}
}

// An adapter that declares no request fields carries none: the Gateway refuses every
// optional field it is given rather than assume the adapter sends it.
func TestNoDeclaredRequestFieldsCarriesNone(t *testing.T) {
	if (provider.Capabilities{}).CarriesRequestField("PaymentRequest.Description") {
		t.Fatal("Capabilities without RequestFields carries a description")
	}
	f := &fake{pay: okPayment, caps: provider.Capabilities{RequestFields: []string{}}}
	req := validRequest()
	req.Description = "dropped?"
	_, err := paybridge.New(f).Pay(context.Background(), req)
	expectFieldsNamed(t, err, "Description")
	if f.calls.Load() != 0 {
		t.Fatal("the adapter was called")
	}
}

// Each optional field a request type sets is named once, by its path below the request.
func TestRequestFieldsSet(t *testing.T) {
	addr := &provider.Address{City: "London"}
	for _, tc := range []struct {
		req  any
		want []string
	}{
		{&provider.PaymentRequest{}, nil},
		{&provider.PaymentRequest{Description: "d", Metadata: map[string]string{"k": "v"}, CustomerID: "c",
			Payer: provider.Person{Phone: "1", DateOfBirth: "2000-01-01", NationalID: "n", Address: addr}},
			[]string{"PaymentRequest.Description", "PaymentRequest.Metadata", "PaymentRequest.CustomerID",
				"PaymentRequest.Payer.Phone", "PaymentRequest.Payer.DateOfBirth", "PaymentRequest.Payer.NationalID",
				"PaymentRequest.Payer.Address"}},
		{&provider.RefundRequest{Reason: "r", Metadata: map[string]string{"k": "v"}},
			[]string{"RefundRequest.Reason", "RefundRequest.Metadata"}},
		{&provider.PayoutRequest{Description: "d", Payee: provider.Person{DateOfBirth: "2000-01-01", Address: addr}},
			[]string{"PayoutRequest.Description", "PayoutRequest.Payee.DateOfBirth", "PayoutRequest.Payee.Address"}},
		{&provider.MandateRequest{Description: "d", MaxAmount: money.MustNew("5.00", "EUR"), Payer: provider.Person{Address: addr}},
			[]string{"MandateRequest.Description", "MandateRequest.MaxAmount", "MandateRequest.Payer.Address"}},
		{&provider.ChargeRequest{Metadata: map[string]string{"k": "v"}, NotificationURL: "https://shop.example/n"},
			[]string{"ChargeRequest.Metadata", "ChargeRequest.NotificationURL"}},
		{&provider.VoidRequest{Reason: "customer changed their mind"}, []string{"VoidRequest.Reason"}},
		{&provider.VerifyAccountRequest{CustomerID: "c"}, []string{"VerifyAccountRequest.CustomerID"}},
	} {
		got := provider.RequestFieldsSet(tc.req)
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("%T: %v, want %v", tc.req, got, tc.want)
		}
		for _, name := range got {
			if !(provider.Capabilities{RequestFields: []string{name}}).CarriesRequestField(name) {
				t.Errorf("%s is not a name RequestFields may hold", name)
			}
		}
	}
}
