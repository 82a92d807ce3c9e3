package trustlyrest_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/internal/httptap"
	"github.com/paybridge/paybridge/provider/trustlyrest"
	"github.com/paybridge/paybridge/provider/trustlyrest/trustlyrestsim"
)

// Establish data that is not UTF-8 was signed over its raw bytes but sent as JSON, which
// carries U+FFFD in their place: Trustly could not verify the requestSignature and the
// caller was told its credentials were wrong (401, unauthenticated). A control character
// in a name reached Trustly's signed customer data. Both are refused by the field's name,
// and nothing is sent.
func TestTextThatJSONWouldChangeIsRefusedBeforeSigning(t *testing.T) {
	ct := &httptap.Counter{}
	e := newEnv(t, trustlyrestsim.Options{}, func(c *trustlyrest.Config) { c.HTTPClient = &http.Client{Transport: ct} })
	ctx := context.Background()

	for field, set := range map[string]func(*paybridge.PaymentRequest){
		"Description":     func(r *paybridge.PaymentRequest) { r.Description = "Order \xff1" },
		"Payer.FirstName": func(r *paybridge.PaymentRequest) { r.Payer.FirstName = "Ad\xe9" },
		"Payer.LastName":  func(r *paybridge.PaymentRequest) { r.Payer.LastName = "Love\x00lace" },
	} {
		req := e.payReq("10.00")
		set(&req)
		before := ct.Count()
		_, err := e.gw.Pay(ctx, req)
		if code := paybridge.CodeOf(err); code != paybridge.CodeInvalidRequest {
			t.Errorf("%s: %v (code %s); want invalid_request naming the field", field, err, code)
			continue
		}
		expectField(t, err, field)
		if n := ct.Count() - before; n != 0 {
			t.Errorf("%s: %d requests sent for a refused Pay", field, n)
		}
	}

	// Text in another script, as UTF-8, is signed and sent as it is.
	req := e.payReq("10.00")
	req.Description = "Café order — 1"
	req.Payer.FirstName = "Zoë"
	if _, err := e.gw.Pay(ctx, req); err != nil {
		t.Fatalf("a Pay with UTF-8 text: %v", err)
	}
}

func expectField(t *testing.T, err error, field string) {
	t.Helper()
	pe, ok := err.(*paybridge.Error)
	if !ok {
		t.Fatalf("%T %v; want a *paybridge.Error", err, err)
	}
	for _, f := range pe.Fields {
		if f.Field == field {
			return
		}
	}
	t.Errorf("%v does not name %s", err, field)
}
