package paybridge_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/provider"
)

// An adapter that refuses a field before sending (a provider needs what the neutral
// request leaves optional) is reported in Error.Fields as the Gateway's own checks are,
// so a caller reads one list whichever side found the problem.
func TestAdapterFieldRefusalIsInFields(t *testing.T) {
	_, gw := newFake(func(*provider.PaymentRequest) (*provider.Payment, error) {
		return nil, provider.FieldError("Payer.Phone", "is required by the provider for a new customer")
	})
	_, err := gw.Pay(context.Background(), validRequest())
	var pe *paybridge.Error
	if !errors.As(err, &pe) || pe.Code != paybridge.CodeInvalidRequest {
		t.Fatalf("Pay: %v, want an InvalidRequest *paybridge.Error", err)
	}
	want := []paybridge.FieldError{{Field: "Payer.Phone", Problem: "is required by the provider for a new customer"}}
	if diff := cmp.Diff(want, pe.Fields); diff != "" {
		t.Errorf("Fields (-want +got):\n%s", diff)
	}
	if got, want := err.Error(), "paybridge: fake: Pay: invalid request: Payer.Phone is required by the provider for a new customer"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	var ae *provider.Error
	if !errors.As(err, &ae) || ae.Field != "Payer.Phone" {
		t.Errorf("errors.As no longer reaches the adapter's error: %v", err)
	}
}

// A field named by the provider's answer was not found before sending: it stays the
// adapter's (errors.As), and Fields keeps its promise of problems found before sending.
func TestProviderAnswerNamingAFieldIsNotInFields(t *testing.T) {
	for name, answer := range map[string]*provider.Error{
		"provider code": {Code: provider.InvalidRequest, Field: "Amount", ProviderCode: "620", Message: "invalid amount"},
		"HTTP status":   {Code: provider.InvalidRequest, Field: "Payer.Email", HTTPStatus: 400, Message: "bad e-mail"},
	} {
		t.Run(name, func(t *testing.T) {
			_, gw := newFake(func(*provider.PaymentRequest) (*provider.Payment, error) { return nil, answer })
			_, err := gw.Pay(context.Background(), validRequest())
			var pe *paybridge.Error
			if !errors.As(err, &pe) || pe.Code != paybridge.CodeInvalidRequest {
				t.Fatalf("Pay: %v, want an InvalidRequest *paybridge.Error", err)
			}
			if len(pe.Fields) != 0 {
				t.Errorf("Fields = %v, want none for a provider's answer", pe.Fields)
			}
		})
	}
}

// An adapter that answers neither a result nor an error may have sent the request: the
// call is uncertain, a repeat does not send it again, and the Gateway does not panic.
func TestAdapterReturningNothingLeavesTheCallUncertain(t *testing.T) {
	pays := 0
	_, gw := newFake(func(*provider.PaymentRequest) (*provider.Payment, error) { pays++; return nil, nil })
	req := validRequest()
	req.IdempotencyKey = "k-nothing"
	for _, attempt := range []string{"Pay", "repeated Pay"} {
		if _, err := gw.Pay(context.Background(), req); !errors.Is(err, paybridge.ErrUnknownOutcome) {
			t.Fatalf("%s: %v, want ErrUnknownOutcome", attempt, err)
		}
	}
	if pays != 1 {
		t.Fatalf("the adapter's Pay ran %d times, want once", pays)
	}
}
