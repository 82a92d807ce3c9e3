package provider_test

import (
	"errors"
	"fmt"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/memprovider"
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
		PartialRefunds: true,
		Currencies:     []money.Currency{money.MustCurrency("GBP")},
		CustomerFields: []string{"FirstName", "LastName", "Email"},
		Notes:          map[provider.Operation]string{provider.OpPayout: "the provider publishes no payout endpoint"},
	}
	fmt.Println(caps.SupportsCurrency(money.MustCurrency("GBP")), caps.SupportsCurrency(money.MustCurrency("EUR")))
	fmt.Println(caps.StoresCustomerField("Email"), caps.StoresCustomerField("Phone"))
	// Output:
	// true false
	// true false
}

// The operations an adapter offers follow from the interfaces it implements; its
// Capabilities only refine them (partial refunds, interactive verification, ...).
func ExampleOperationsOf() {
	b := memprovider.NewBackend()
	defer b.Close()
	p := memprovider.New(memprovider.Config{Backend: b, APIKey: b.APIKey()})
	fmt.Println(provider.OperationsOf(p))
	fmt.Println(provider.CheckCapabilities(p))
	// Output:
	// [pay get_payment refund partial_refund multiple_refunds get_refund payout payout_interactive get_payout verify_account verify_account_interactive get_account_verification customers notifications capture partial_capture multiple_captures get_capture void create_mandate get_mandate cancel_mandate charge ledger]
	// <nil>
}
