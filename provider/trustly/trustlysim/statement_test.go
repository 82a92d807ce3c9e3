package trustlysim

import (
	"testing"

	"github.com/paybridge/paybridge/provider/trustly/internal/wire"
)

// TestChargeShopperStatementCharacters: a Charge's ShopperStatement takes only A–Z, a–z,
// 0–9, '.', '-', '_' and space (https://docs.trustly.com/api/charge; project fact file
// trustly-jsonrpc.md §4.9); [I] Trustly refuses another character with 717
// ERROR_INVALID_ORDER_ATTRIBUTE, its code for an attribute with a wrong value. A statement
// of allowed characters gets past the check to the account lookup.
func TestChargeShopperStatementCharacters(t *testing.T) {
	s, c, k := start(t, Options{AllowLoopbackHTTP: true})
	charge := func(uuid, ref, statement string) (*wire.Result, error) {
		return send(t, s, k, "Charge", uuid, map[string]any{"Username": c.Username, "Password": c.Password.Reveal(),
			"AccountID": "1234567890", "NotificationURL": "https://shop.example.com/n", "EndUserID": "u-1", "MessageID": ref,
			"Amount": "4.00", "Currency": "EUR", "Attributes": map[string]any{"ShopperStatement": statement, "Email": "ada@example.com"}})
	}
	for i, bad := range []string{"Gym!", "Gym & Spa", "Gym\u00e9", "Gym/Spa"} {
		uuid := "5c5c2184-2842-b485-25ca-29352515240" + string(rune('0'+i))
		if _, err := charge(uuid, "bad-"+bad, bad); code(err) != wire.CodeInvalidOrderAttribute {
			t.Errorf("ShopperStatement %q: %v, want %d", bad, err, wire.CodeInvalidOrderAttribute)
		}
	}
	res, err := charge("5c5c2184-2842-b485-25ca-293525152409", "good", "Gym Spa_01.-x")
	if err != nil || resultOf(res, "rejected") != "ERROR_ACCOUNT_NOT_FOUND" {
		t.Errorf("an allowed statement: %v, %v; want the unknown account rejected", res, err)
	}
}
