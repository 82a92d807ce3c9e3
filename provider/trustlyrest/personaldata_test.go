package trustlyrest_test

import (
	"testing"

	"github.com/paybridge/paybridge/internal/secrettest"

	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustlyrest"
)

// TestTokenizeRequestPrintsMasked prints and logs a TokenizeRequest every way: the
// account's numbers and the holder's personal data may not appear (in clear or hex), the
// last four digits and the holder's id must.
func TestTokenizeRequestPrintsMasked(t *testing.T) {
	req := trustlyrest.TokenizeRequest{
		Account: provider.BankAccount{HolderName: "Katherine Johnsonova", RoutingNumber: "124003116", AccountNumber: "8765432109"},
		Holder: provider.Person{ID: "holder-3", FirstName: "Katherine", LastName: "Johnsonova", Email: "kj.private@mailbox.example",
			Phone: "+15550100777", Country: "US"},
		Verify: true,
	}
	hidden := []string{"Katherine", "Johnsonova", "8765432109", "87654", "kj.private", "mailbox.example", "+15550100777"}
	shown := []string{"2109", "holder-3", "US", "124003116", "true"}
	for name, v := range map[string]any{"value": req, "pointer": &req} {
		t.Run(name, func(t *testing.T) { secrettest.AssertMasked(t, v, hidden, shown) })
	}
}

// TestTransactionOptionsPrintMasked: the split token (a bearer of the payer's
// authorization) and Extra's values (a beneficiary's name and account) never print; the
// keys and the harmless options do.
func TestTransactionOptionsPrintMasked(t *testing.T) {
	o := trustlyrest.TransactionOptions{SplitToken: "c3BsaXQtdG9rZW4+Lw==", InteractionID: "consumerNotPresent",
		Extra: []trustlyrest.Param{{Key: "beneficiary.name", Value: "Dorothy Vaughanson"}, {Key: "beneficiaryAccount.accountNumber", Value: "99887766"}}}
	hidden := []string{"c3BsaXQtdG9rZW4", "Dorothy", "Vaughanson", "99887766"}
	shown := []string{"trustlyrest.TransactionOptions", "consumerNotPresent", "beneficiary.name", "beneficiaryAccount.accountNumber", "splitToken"}
	for name, v := range map[string]any{"value": o, "pointer": &o} {
		t.Run(name, func(t *testing.T) { secrettest.AssertMasked(t, v, hidden, shown) })
	}
}
