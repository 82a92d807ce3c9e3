package trustlyrestsim

import (
	"net/http"
	"net/url"
	"testing"
)

// A capture or refund without an amount takes what is left; when less than the 0.99
// minimum is left (nothing at all, once the authorization is drawn in full), it is refused
// like any amount below the minimum, and no transaction is created.
func TestOmittedAmountBelowTheMinimumIsRefused(t *testing.T) {
	s := start(t, Options{SettleDelay: -1})
	a := apiClient{t, s}
	id, token := approvedDeferred(a, "drawn-1", "10.50")
	params := func(ref, amount string) url.Values {
		v := url.Values{"merchantReference": {ref}, "splitToken": {token}}
		if amount != "" {
			v.Set("amount", amount)
		}
		return v
	}
	_, code, c1 := capture(a, id, params("drawn-cap-1", "10.00"))
	if code != 0 {
		t.Fatalf("capture: code %d", code)
	}
	// 0.50 is left: a capture without an amount would draw 0.50.
	if st, code, _ := capture(a, id, params("drawn-cap-2", "")); st != http.StatusBadRequest || code != codeInvalidParameter {
		t.Fatalf("capture of the 0.50 left: HTTP %d code %d", st, code)
	}
	if _, code, _ := capture(a, id, params("drawn-cap-3", "0.50")); code != codeInvalidParameter {
		t.Fatalf("capture of 0.50: code %d", code)
	}
	// Nothing is left once 0.50 more would have been drawn; a bare capture is refused too.
	capID := c1["transaction"].(map[string]any)["transactionId"].(string)
	for _, st := range []int{3, 4} {
		if err := s.Settle(capID, st); err != nil {
			t.Fatal(err)
		}
	}
	refund := func(body string) (int, int) {
		st, code, _ := a.do(http.MethodPost, "/transactions/"+capID+"/refund", "application/json", body, "")
		return st, code
	}
	if _, code := refund(`{"amount":"9.50"}`); code != 0 {
		t.Fatalf("refund: code %d", code)
	}
	// 0.50 of the capture is left to refund: a refund without an amount would return 0.50.
	if st, code := refund(`{}`); st != http.StatusBadRequest || code != codeInvalidParameter {
		t.Fatalf("refund of the 0.50 left: HTTP %d code %d", st, code)
	}
	// An authorization drawn in full has nothing left: a bare capture would be one of 0.00.
	id, token = approvedDeferred(a, "drawn-2", "5.00")
	if _, code, _ := capture(a, id, params("drawn-cap-4", "5.00")); code != 0 {
		t.Fatalf("capture in full: code %d", code)
	}
	if st, code, _ := capture(a, id, params("drawn-cap-5", "")); st != http.StatusBadRequest || code != codeInvalidParameter {
		t.Fatalf("capture of nothing left: HTTP %d code %d", st, code)
	}
	s.mu.Lock()
	n := len(s.txs)
	s.mu.Unlock()
	if n != 5 {
		t.Fatalf("%d transactions, want two authorizations, their two captures and one refund", n)
	}
}
