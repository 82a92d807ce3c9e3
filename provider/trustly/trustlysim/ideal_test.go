package trustlysim

import (
	"testing"

	"github.com/paybridge/paybridge/provider/trustly/internal/wire"
)

// TestIDEALDeposit: a Deposit with Method deposit.bank.netherlands.ideal in euro is an
// order like any other; in another currency, or with a Method Trustly does not document,
// it is refused.
func TestIDEALDeposit(t *testing.T) {
	s, c, k := start(t, Options{})
	d := deposit(c, "r-ideal", "https://shop.example.com/n")
	a := d["Attributes"].(map[string]any)
	a["Method"], a["Country"], a["Locale"] = methodIDEAL, "NL", "en_NL"
	res, err := send(t, s, k, "Deposit", u1, d)
	if err != nil || resultOf(res, "orderid") == "" || resultOf(res, "url") == "" {
		t.Fatalf("iDEAL deposit: %v %+v", err, res)
	}
	d = deposit(c, "r-ideal-sek", "https://shop.example.com/n")
	a = d["Attributes"].(map[string]any)
	a["Method"], a["Currency"] = methodIDEAL, "SEK"
	if _, err := send(t, s, k, "Deposit", u2, d); code(err) != wire.CodeInvalidCurrencyCode {
		t.Fatalf("iDEAL deposit in SEK: %v", err)
	}
	d = deposit(c, "r-method", "https://shop.example.com/n")
	d["Attributes"].(map[string]any)["Method"] = "deposit.bank.sweden.swish"
	if _, err := send(t, s, k, "Deposit", "258a2184-2842-b485-25ca-293525152427", d); code(err) != wire.CodeInvalidOrderAttribute {
		t.Fatalf("an undocumented Method: %v", err)
	}
}
