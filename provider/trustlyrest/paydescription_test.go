package trustlyrest_test

import (
	"errors"
	"testing"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/provider/trustlyrest/trustlyrestsim"
)

// Trustly's establish data requires a description, which the neutral PaymentRequest leaves
// optional: a Pay without one is refused before anything is sent, naming the field, as the
// README says.
func TestPayWithoutDescriptionRefusedBeforeSending(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{}, nil)
	req := e.payReq("9.00")
	req.Description = ""
	before := e.sim.Requests()
	_, err := e.gw.Pay(t.Context(), req)
	var pe *paybridge.Error
	if codeOf(err) != paybridge.CodeInvalidRequest || !errors.As(err, &pe) ||
		len(pe.Fields) != 1 || pe.Fields[0].Field != "Description" {
		t.Fatalf("Pay without Description = %v; want InvalidRequest naming Description alone", err)
	}
	if n := e.sim.Requests() - before; n != 0 {
		t.Fatalf("a Pay without Description sent %d requests", n)
	}
}
