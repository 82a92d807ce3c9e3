package trustlyrestsim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/provider/simkit"
	"github.com/paybridge/paybridge/provider/simkit/simkittest"
	"github.com/paybridge/paybridge/provider/trustlyrest/internal/signing"
)

// establishWith establishes a transaction from est, signed, and returns the answer.
func (a apiClient) establishWith(est map[string]any) map[string]any {
	a.t.Helper()
	est["accessId"], est["merchantId"] = a.s.AccessID(), a.s.MerchantID()
	sig, err := signing.RequestSignature([]byte(a.s.AccessKey()), est, signing.HMACSHA1)
	if err != nil {
		a.t.Fatal(err)
	}
	est["requestSignature"] = sig
	b, _ := json.Marshal(est)
	st, code, m := a.do(http.MethodPost, "/establish?createTransaction=true", "application/json", string(b), "")
	if st != 200 || code != 0 {
		a.t.Fatalf("establish: HTTP %d code %d %v", st, code, m)
	}
	return m
}

// TestLightboxShowsThePayment: the hosted page names the merchant, the amount and
// currency, the description and reference, lists banks and offers the three buttons; a
// description with markup in it is shown as text. The payer's bank choice is the bank
// the transaction then names.
func TestLightboxShowsThePayment(t *testing.T) {
	s := start(t, Options{SettleDelay: -1})
	a := apiClient{t, s}
	m := a.establishWith(map[string]any{"description": "A5 notebook " + simkittest.Hostile, "currency": "USD", "amount": "12.34",
		"merchantReference": "ORDER-5 " + simkittest.Hostile, "paymentType": "Deferred", "returnUrl": "https://m.example/r",
		"cancelUrl": "https://m.example/c",
		"customer":  map[string]any{"name": "Ada Lovelace", "email": "ada@example.com", "phone": "+14155550100", "address": map[string]any{"country": "US"}}})
	pageURL := m["url"].(string)
	status, page := simkittest.GetPage(t, pageURL)
	if status != http.StatusOK {
		t.Fatalf("the hosted page answered %d", status)
	}
	for _, want := range []string{`<b id="merchant">` + DemoMerchantName + `</b>`, `<output id="amount">12.34<small>USD</small>`,
		"A5 notebook", "ORDER-5", "Ada Lovelace", "Choose your bank", DemoBank, "Sandbox Credit Union", "Sandbox"} {
		if !strings.Contains(page, want) {
			t.Errorf("the hosted page does not show %q", want)
		}
	}
	simkittest.CheckButtons(t, page, "Approve payment")
	simkittest.CheckEscaped(t, page)

	post := func(bank string) int {
		return simkittest.Submit(t, pageURL, page, "approve", url.Values{"bank": {bank}})
	}
	if code := post("no-such-bank"); code != http.StatusBadRequest {
		t.Fatalf("an unknown bank answered %d, want 400", code)
	}
	if code := post("sandbox-credit-union"); code != http.StatusSeeOther {
		t.Fatalf("approving answered %d, want 303", code)
	}
	_, _, tx := a.do(http.MethodGet, "/transactions/"+m["transactionId"].(string), "", "", "")
	txm, _ := tx["transaction"].(map[string]any)
	pm, _ := txm["payment"].(map[string]any)
	pp, _ := pm["paymentProvider"].(map[string]any)
	if pp["name"] != "Sandbox Credit Union" {
		t.Fatalf("the approved transaction names bank %v, want the one chosen (%v)", pp["name"], tx)
	}
	if status, page := simkittest.GetPage(t, pageURL); status != http.StatusConflict || !strings.Contains(page, "no longer active") {
		t.Fatalf("the finished page answered %d:\n%s", status, page)
	}
}

// TestLightboxVerification: a verification page has no amount and asks to approve an
// account.
func TestLightboxVerification(t *testing.T) {
	s := start(t, Options{})
	a := apiClient{t, s}
	m := a.establishWith(map[string]any{"currency": "USD", "merchantReference": "verify-1", "paymentType": "Verification",
		"returnUrl": "https://m.example/r", "cancelUrl": "https://m.example/c",
		"account": map[string]any{"routingNumber": "124003116", "accountNumber": "1000000007"}})
	status, page := simkittest.GetPage(t, m["url"].(string))
	if status != http.StatusOK || !strings.Contains(page, "Verify your bank account") || strings.Contains(page, `id="amount"`) {
		t.Fatalf("the verification page answered %d:\n%s", status, page)
	}
	if got := simkit.Buttons([]byte(page)); len(got) != 3 || got[0] != (simkit.PageButton{Action: "approve", Label: "Approve account"}) {
		t.Fatalf("buttons %v", got)
	}
}
