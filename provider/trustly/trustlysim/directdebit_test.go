package trustlysim

import (
	"testing"

	"github.com/paybridge/paybridge/provider/trustly/internal/wire"
)

// TestDirectDebitNotEnabled: for a merchant without Trustly Direct Debit, a SelectAccount
// or Deposit asking for a mandate, or a Deposit with QuickDeposit or ChargeAccountID, is
// refused with 712 ERROR_DIRECT_DEBIT_NOT_ALLOWED (Trustly's error table; project fact
// file trustly-jsonrpc.md §7), and a Charge is answered result "0" rejected with
// ERROR_DIRECT_DEBIT_NOT_ALLOWED (§4.9). The same requests without direct debit pass.
func TestDirectDebitNotEnabled(t *testing.T) {
	s, c, k := start(t, Options{NoDirectDebit: true})
	order := func(method, uuid, ref string, extra map[string]any) error {
		attrs := map[string]any{"Firstname": "Ada", "Lastname": "Lovelace", "Country": "SE", "Locale": "sv_SE",
			"Currency": "SEK", "Email": "ada@example.com", "SuccessURL": "https://shop.example.com/ok"}
		for k, v := range extra {
			attrs[k] = v
		}
		_, err := send(t, s, k, method, uuid, map[string]any{"Username": c.Username, "Password": c.Password.Reveal(),
			"NotificationURL": "https://shop.example.com/n", "EndUserID": "u-1", "MessageID": ref, "Attributes": attrs})
		return err
	}
	for i, cs := range []struct {
		method string
		extra  map[string]any
	}{
		{"SelectAccount", map[string]any{"RequestDirectDebitMandate": "1"}},
		{"Deposit", map[string]any{"RequestDirectDebitMandate": "1"}},
		{"Deposit", map[string]any{"QuickDeposit": 1}},
		{"Deposit", map[string]any{"ChargeAccountID": "1234567890"}},
	} {
		uuid := "7d7d2184-2842-b485-25ca-29352515240" + string(rune('0'+i))
		if err := order(cs.method, uuid, "dd-"+uuid, cs.extra); code(err) != wire.CodeDirectDebitNotAllowed {
			t.Errorf("%s %v: %v, want %d", cs.method, cs.extra, err, wire.CodeDirectDebitNotAllowed)
		}
	}
	if err := order("SelectAccount", "7d7d2184-2842-b485-25ca-293525152408", "plain-sa", nil); err != nil {
		t.Errorf("SelectAccount without a mandate: %v", err)
	}
	if err := order("Deposit", "7d7d2184-2842-b485-25ca-293525152409", "plain-dep", map[string]any{"RequestDirectDebitMandate": "0"}); err != nil {
		t.Errorf("Deposit without a mandate: %v", err)
	}
	res, err := send(t, s, k, "Charge", "7d7d2184-2842-b485-25ca-29352515240a", map[string]any{"Username": c.Username,
		"Password": c.Password.Reveal(), "AccountID": "1234567890", "NotificationURL": "https://shop.example.com/n",
		"EndUserID": "u-1", "MessageID": "ch-dd", "Amount": "4.00", "Currency": "EUR",
		"Attributes": map[string]any{"ShopperStatement": "Gym", "Email": "ada@example.com"}})
	if err != nil || resultOf(res, "result") != "0" || resultOf(res, "rejected") != "ERROR_DIRECT_DEBIT_NOT_ALLOWED" {
		t.Errorf("Charge: %v, %v; want rejected ERROR_DIRECT_DEBIT_NOT_ALLOWED", res, err)
	}
}
