package provider_test

import (
	"errors"
	"fmt"

	"github.com/paybridge/paybridge/provider"
)

// Adapters report a provider's refusal as a *provider.Error whose Code tells the caller what
// to do, keeping the provider's own code for support.
func ExampleError() {
	err := error(&provider.Error{
		Code:          provider.InsufficientFunds,
		ProviderCode:  "331",
		Message:       "not enough funds on the account",
		HTTPStatus:    400,
		CorrelationID: "req-123",
	})
	fmt.Println(err)
	fmt.Println(provider.CodeOf(err), provider.CodeOf(err).Retryable())
	var pe *provider.Error
	fmt.Println(errors.As(err, &pe) && pe.ProviderCode == "331")
	// Output:
	// insufficient_funds: not enough funds on the account (provider code 331, HTTP 400, correlation id req-123)
	// insufficient_funds false
	// true
}

func ExampleCapabilities() {
	caps := provider.Capabilities{
		Operations: []provider.Operation{provider.OpPay, provider.OpGetPayment},
		Notes:      map[provider.Operation]string{provider.OpRefund: "the provider publishes no refund endpoint"},
	}
	fmt.Println(caps.Supports(provider.OpPay), caps.Supports(provider.OpRefund))
	// Output: true false
}
