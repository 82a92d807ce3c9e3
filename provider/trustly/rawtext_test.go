package trustly_test

import (
	"context"
	"errors"
	"testing"

	"github.com/paybridge/paybridge"
)

// A name or description that is not UTF-8 cannot be serialized for the signature; it was
// an internal error naming a wire attribute (data.Attributes.Firstname). A NUL reached
// the signed Deposit. Both are refused as invalid_request naming the caller's field.
func TestTextThatCannotBeSignedNamesTheField(t *testing.T) {
	e := newSingleAttemptEnv(t)
	ctx := context.Background()
	for field, set := range map[string]func(*paybridge.PaymentRequest){
		"Payer.FirstName": func(r *paybridge.PaymentRequest) { r.Payer.FirstName = "Ad\xffa" },
		"Description":     func(r *paybridge.PaymentRequest) { r.Description = "Order\xc3" },
		"Payer.LastName":  func(r *paybridge.PaymentRequest) { r.Payer.LastName = "Love\x00lace" },
	} {
		_, err := e.gw.Pay(ctx, e.payment("text-"+field))
		if err != nil {
			t.Fatalf("a valid Pay: %v", err)
		}
		req := e.payment("text-bad-" + field)
		set(&req)
		_, err = e.gw.Pay(ctx, req)
		var pe *paybridge.Error
		if !errors.As(err, &pe) || pe.Code != paybridge.CodeInvalidRequest || len(pe.Fields) != 1 || pe.Fields[0].Field != field {
			t.Errorf("%s: %v; want invalid_request naming %s alone", field, err, field)

		}
	}
}
