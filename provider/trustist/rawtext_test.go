package trustist_test

import (
	"context"
	"errors"
	"testing"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/provider/trustist/trustistsim"
)

// A payer name that is not UTF-8 reached Trustist's customerDetails as U+FFFD, and a
// description with a NUL as \u0000; a line break in a name was refused under
// PaymentBody.CustomerDetails, a field the caller never set. Each is refused naming the
// caller's field, and nothing is sent.
func TestTextThatWouldChangeIsRefusedByTheCallersField(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	ctx := context.Background()
	for field, set := range map[string]func(*paybridge.PaymentRequest){
		"Payer.FirstName": func(r *paybridge.PaymentRequest) { r.Payer.FirstName = "Ad\xffa" },
		"Payer.LastName":  func(r *paybridge.PaymentRequest) { r.Payer.LastName = "Love\nlace" },
		"Description":     func(r *paybridge.PaymentRequest) { r.Description = "order\x00" },
	} {
		req := payReq(t, "10.00", "text-"+field)
		set(&req)
		before := len(e.requests())
		_, err := e.gw.Pay(ctx, req)
		var pe *paybridge.Error
		if !errors.As(err, &pe) || pe.Code != paybridge.CodeInvalidRequest || len(pe.Fields) != 1 || pe.Fields[0].Field != field {
			t.Errorf("%s: %v; want invalid_request naming %s alone", field, err, field)
		}
		if n := len(e.requests()) - before; n != 0 {
			t.Errorf("%s: %d requests sent", field, n)
		}
	}
}
