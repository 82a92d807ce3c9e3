package trustlyrestsim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/paybridge/paybridge/provider/trustlyrest/internal/signing"
)

// TestMerchantsAreKeptApart: a second merchant's credentials authenticate, and reach none
// of the first merchant's transactions, payments, bank data or customers.
func TestMerchantsAreKeptApart(t *testing.T) {
	s := start(t, Options{})
	a := apiClient{t: t, s: s}
	id := a.establish("iso-1", "10.00", "")["transactionId"].(string)
	tok := approve(t, s, id)
	st, code, cust := a.do(http.MethodPost, "/customers", "application/json",
		`{"name":"A B","phone":"1","email":"a@example.com","address":{"country":"US"},"externalId":"x-1"}`, "")
	if st != 200 || code != 0 {
		t.Fatalf("create customer: HTTP %d code %d", st, code)
	}
	custID := cust["customer"].(map[string]any)["customerId"].(string)

	cfg, err := s.NewMerchant("1002463511")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.NewMerchant("1002463511"); err != ErrMerchantExists {
		t.Errorf("a second merchant with one merchantId: %v", err)
	}
	other := signing.BasicAuthorization(cfg.AccessID, cfg.AccessKey.Bytes())
	for _, path := range []string{"/transactions/" + id, "/transactions/" + id + "/payment/paymentProvider/user",
		"/transactions/" + id + "/payment/paymentProvider/accounts", "/customers/" + custID} {
		if st, code, _ := a.do(http.MethodGet, path, "", "", other); st != 400 || code != 200 {
			t.Errorf("GET %s by another merchant: HTTP %d code %d, want Trustly's not-found (400, 200)", path, st, code)
		}
		if st, code, _ := a.do(http.MethodGet, path, "", "", ""); st != 200 || code != 0 {
			t.Errorf("GET %s by its merchant: HTTP %d code %d", path, st, code)
		}
	}
	params := url.Values{"merchantReference": {"iso-cap"}, "splitToken": {tok}, "amount": {"1.00"}}
	if st, code, _ := a.do(http.MethodPost, "/transactions/"+id+"/capture", "application/x-www-form-urlencoded", params.Encode(), other); st != 400 || code != 200 {
		t.Errorf("another merchant's capture: HTTP %d code %d, want not found", st, code)
	}
	for _, path := range []string{"/transactions", "/payments", "/customers"} {
		st, code, m := a.do(http.MethodGet, path, "", "", other)
		key := path[1:]
		if list, _ := m[key].([]any); st != 200 || code != 0 || len(list) != 0 {
			t.Errorf("GET %s by another merchant: HTTP %d code %d, %d items; want none", path, st, code, len(list))
		}
	}
	// Establish data naming a customer by its customerId name one of the merchant's own:
	// another merchant's customer is not found.
	establishAs := func(auth, accessID, merchantID string, key []byte, customerID string) (int, int) {
		est := map[string]any{"accessId": accessID, "merchantId": merchantID, "description": "d", "currency": "USD",
			"amount": "5.00", "merchantReference": "iso-cust-" + merchantID, "paymentType": "Deferred",
			"returnUrl": "https://m.example/r", "cancelUrl": "https://m.example/c",
			"customer": map[string]any{"customerId": customerID}}
		sig, err := signing.RequestSignature(key, est, signing.HMACSHA1)
		if err != nil {
			t.Fatal(err)
		}
		est["requestSignature"] = sig
		b, _ := json.Marshal(est)
		st, code, _ := a.do(http.MethodPost, "/establish?createTransaction=true", "application/json", string(b), auth)
		return st, code
	}
	if st, code := establishAs(other, cfg.AccessID, cfg.MerchantID, cfg.AccessKey.Bytes(), custID); st != 400 || code != 200 {
		t.Errorf("establish naming another merchant's customer: HTTP %d code %d, want Trustly's not-found (400, 200)", st, code)
	}
	if st, code := establishAs("", s.AccessID(), s.MerchantID(), []byte(s.AccessKey()), custID); st != 200 || code != 0 {
		t.Errorf("establish naming its own customer: HTTP %d code %d", st, code)
	}
	// Its own establish data must name its own merchantId.
	est := `{"accessId":"` + cfg.AccessID + `","merchantId":"` + s.MerchantID() + `"}`
	if st, code, _ := a.do(http.MethodPost, "/establish?createTransaction=true", "application/json", est, other); code == 0 || st == 200 {
		t.Errorf("establish naming another merchant's merchantId: HTTP %d code %d", st, code)
	}
}

func TestTokenizeRules(t *testing.T) {
	s := start(t, Options{})
	a := apiClient{t: t, s: s}
	body := func(mid string) string {
		return `{"merchantId":` + mid + `,"account":{"routingNumber":"124003116","accountNumber":"1000000007"}}`
	}
	for _, tc := range []struct {
		query, body string
		status      int
		verified    bool
	}{
		{"?verifyAccount=true", body(`"` + s.MerchantID() + `"`), 200, true},
		{"", body(`"` + s.MerchantID() + `"`), 200, false},
		{"?verifyAccount=maybe", body(`"` + s.MerchantID() + `"`), 400, false},
		{"?verifyAccount=true", body(s.MerchantID()), 400, false}, // tokenize's merchantId is a string
		{"?verifyAccount=true", body(`"1"`), 400, false},
		{"?verifyAccount=true", `{"merchantId":"` + s.MerchantID() + `","account":{"accountNumber":"1000000007"}}`, 400, false},
	} {
		st, _, m := a.do(http.MethodPost, "/accounts/tokenize"+tc.query, "application/json", tc.body, "")
		if st != tc.status {
			t.Errorf("tokenize%s %s: HTTP %d, want %d", tc.query, tc.body, st, tc.status)
			continue
		}
		if st == 200 && (m["verified"] != tc.verified || m["accountNumber"] != "0007" || m["token"] == "") {
			t.Errorf("tokenize%s = %v, want verified %v, last four digits and a token", tc.query, m, tc.verified)
		}
	}
}
