package trustly_test

import (
	"context"
	"errors"
	"testing"

	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustly/trustlysim"
)

// TestMandateWithoutDirectDebit: for a merchant Trustly has not enabled for Direct Debit,
// CreateMandate's SelectAccount is refused with 712 ERROR_DIRECT_DEBIT_NOT_ALLOWED, which
// the adapter reports as PermissionDenied carrying Trustly's code.
func TestMandateWithoutDirectDebit(t *testing.T) {
	e := newEnvSim(t, fastRetry, trustlysim.Options{AllowLoopbackHTTP: true, NoDirectDebit: true})
	_, err := e.gw.CreateMandate(context.Background(), e.mandateRequest("mandate-no-dd"))
	var pe *provider.Error
	if !errors.As(err, &pe) || pe.Code != provider.PermissionDenied || pe.ProviderCode != "712" {
		t.Fatalf("CreateMandate without Direct Debit = %#v (%v), want PermissionDenied with provider code 712", pe, err)
	}
}
