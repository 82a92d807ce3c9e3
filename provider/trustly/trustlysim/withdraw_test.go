package trustlysim

import (
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"testing"

	"github.com/paybridge/paybridge/provider/trustly/internal/wire"
)

func withdrawData(c Credentials, ref string) map[string]any {
	return map[string]any{"Username": c.Username, "Password": c.Password.Reveal(), "NotificationURL": "https://shop.example.com/n",
		"EndUserID": "u-1", "MessageID": ref, "Currency": "EUR", "Attributes": map[string]any{
			"SuggestedMinAmount": "10.00", "SuggestedMaxAmount": "10.00",
			"Firstname": "A", "Lastname": "B", "Country": "SE", "Locale": "sv_SE",
			"SuccessURL": "https://shop.example.com/ok", "FailURL": "https://shop.example.com/fail"}}
}

// TestWithdrawRefusesWhatTrustlyRefuses: Withdraw checks its required members, the
// amounts, the credentials and the signature; an accepted one answers orderid and url.
func TestWithdrawRefusesWhatTrustlyRefuses(t *testing.T) {
	s, c, k := start(t, Options{})
	attrs := func(d map[string]any) map[string]any { return d["Attributes"].(map[string]any) }
	cases := []struct {
		want int
		mut  func(map[string]any)
	}{
		{wire.CodeInvalidCurrencyCode, func(d map[string]any) { delete(d, "Currency") }},
		{wire.CodeEndUserIDIsNull, func(d map[string]any) { delete(d, "EndUserID") }},
		{wire.CodeMessageIDIsNull, func(d map[string]any) { d["MessageID"] = nil }},
		{wire.CodeMalformedNotificationURL, func(d map[string]any) { d["NotificationURL"] = "https://shop.example.com/n?x=1" }},
		{wire.CodeInvalidParameters, func(d map[string]any) { delete(attrs(d), "Firstname") }},
		{wire.CodeInvalidLocale, func(d map[string]any) { attrs(d)["Locale"] = "sv" }},
		{wire.CodeInvalidAmount, func(d map[string]any) { attrs(d)["SuggestedMaxAmount"] = "10.5" }},
		{wire.CodeInvalidOrderAttribute, func(d map[string]any) { attrs(d)["SuggestedMinAmount"] = "20.00" }},
		{wire.CodeInvalidOrderAttribute, func(d map[string]any) { attrs(d)["SuggestedAmount"] = "10.00" }},
		{wire.CodeInvalidParameters, func(d map[string]any) { d["Amount"] = "10.00" }},
		{wire.CodeInvalidCredentials, func(d map[string]any) { d["Password"] = "wrong" }},
	}
	for i, tc := range cases {
		d := withdrawData(c, fmt.Sprintf("w%d", i))
		tc.mut(d)
		if _, err := send(t, s, k, "Withdraw", fmt.Sprintf("00000000-0000-4000-8000-%012d", i), d); code(err) != tc.want {
			t.Errorf("case %d: want %d, got %v", i, tc.want, err)
		}
	}
	stranger, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := send(t, s, stranger, "Withdraw", u2, withdrawData(c, "w-key")); code(err) != wire.CodeUnableToVerifyRSASignature {
		t.Errorf("signed with another key: %v", err)
	}
	res, err := send(t, s, k, "Withdraw", u1, withdrawData(c, "w-ok"))
	if err != nil {
		t.Fatal(err)
	}
	m, _ := res.Data.(map[string]any)
	if m["orderid"] == nil || m["url"] == nil {
		t.Fatalf("answer %+v", res.Data)
	}
	// Data.Amount null, as Trustly's PHP and Python clients send it, is accepted.
	d := withdrawData(c, "w-null")
	d["Amount"] = nil
	if _, err := send(t, s, k, "Withdraw", "00000000-0000-4000-8000-000000000999", d); err != nil {
		t.Fatalf("Amount null: %v", err)
	}
}

// TestDecideWithdrawalRefusals: ApproveWithdrawal and DenyWithdrawal are refused for an
// order that is not a Withdraw, not the merchant's, or not waiting for approval.
func TestDecideWithdrawalRefusals(t *testing.T) {
	s, c, k := start(t, Options{})
	res, err := send(t, s, k, "Withdraw", u1, withdrawData(c, "w-1"))
	if err != nil {
		t.Fatal(err)
	}
	withdrawal := res.Data.(map[string]any)["orderid"].(string)
	res, err = send(t, s, k, "Deposit", u2, deposit(c, "d-1", "https://shop.example.com/n"))
	if err != nil {
		t.Fatal(err)
	}
	dep := res.Data.(map[string]any)["orderid"].(string)
	other, err := s.NewMerchant("other")
	if err != nil {
		t.Fatal(err)
	}
	ok, err := wire.ParsePrivateKey(other.PrivateKey.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	creds := func(c Credentials, id string) map[string]any {
		return map[string]any{"Username": c.Username, "Password": c.Password.Reveal(), "OrderID": id, "Attributes": nil}
	}
	for i, tc := range []struct {
		name   string
		key    *rsa.PrivateKey
		c      Credentials
		order  string
		method string
	}{
		{"not held", k, c, withdrawal, "ApproveWithdrawal"},
		{"not held", k, c, withdrawal, "DenyWithdrawal"},
		{"a deposit", k, c, dep, "ApproveWithdrawal"},
		{"another merchant's", ok, other, withdrawal, "ApproveWithdrawal"},
		{"unknown", k, c, "1", "DenyWithdrawal"},
	} {
		uuid := fmt.Sprintf("10000000-0000-4000-8000-%012d", i)
		if _, err := send(t, s, tc.key, tc.method, uuid, creds(tc.c, tc.order)); code(err) != wire.CodeUnknown {
			t.Errorf("%s %s: %v, want 620", tc.method, tc.name, err)
		}
	}
	if s.HeldWithdrawal(withdrawal) {
		t.Fatal("a withdrawal whose page was never completed waits for approval")
	}
}
