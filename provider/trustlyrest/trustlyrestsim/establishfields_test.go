package trustlyrestsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestEstablishFieldRules: establish data's displayAmount is a string such as "10.50",
// never a JSON number; Trustly answers a number with HTTP 400 and error 200 (project fact
// file trustly-rest.md §3 and §8).
func TestEstablishFieldRules(t *testing.T) {
	s := start(t, Options{SettleDelay: -1})
	a := apiClient{t, s}
	for _, c := range []struct {
		name  string
		extra map[string]any
		want  int
	}{
		{"displayAmount as text", map[string]any{"displayAmount": "10.50"}, 200},
		{"displayAmount as a number", map[string]any{"displayAmount": json.Number("10")}, 400},
	} {
		st, code, m := a.establishType("Deferred", "ref-"+c.name, "10.00", c.extra)
		if st != c.want || (c.want == 400 && code != codeInvalidParameter) {
			t.Errorf("%s: HTTP %d code %d %v, want HTTP %d", c.name, st, code, m, c.want)
		}
	}
	// A Retrieval moves no money and needs no customer at all.
	if st, code, m := a.establishType("Retrieval", "ref-retrieval", "0.00", map[string]any{"customer": nil}); st != 200 {
		t.Errorf("Retrieval without a customer: HTTP %d code %d %v", st, code, m)
	}
}

// TestVerificationNeedsAccountOrTransaction: a Verification establishes against the bank
// account given in account, or against the earlier authorization named by transactionId;
// with neither Trustly answers HTTP 400 and error 200 (the establish data page, project
// fact file trustly-rest.md §5).
func TestVerificationNeedsAccountOrTransaction(t *testing.T) {
	s := start(t, Options{SettleDelay: -1})
	a := apiClient{t, s}
	if st, code, m := a.establishType("Verification", "v-none", "0.00", nil); st != 400 || code != codeInvalidParameter {
		t.Errorf("Verification without account or transactionId: HTTP %d code %d %v", st, code, m)
	}
	acct := map[string]any{"account": map[string]any{"routingNumber": "124003116", "accountNumber": "1000000007",
		"nameOnAccount": "A B"}}
	if st, code, m := a.establishType("Verification", "v-account", "0.00", acct); st != 200 {
		t.Errorf("Verification with an account: HTTP %d code %d %v", st, code, m)
	}
	_, _, m := a.establishType("Deferred", "d-for-v", "10.00", nil)
	id, _ := m["transactionId"].(string)
	if st, code, m := a.establishType("Verification", "v-tx", "0.00", map[string]any{"transactionId": id}); st != 200 {
		t.Errorf("Verification of transaction %s: HTTP %d code %d %v", id, st, code, m)
	}
}

// TestEstablishNeedsTheCustomersPhone: a payment type that moves money (Instant, Deferred,
// Recurring, Disbursement) needs a customer, and a customer given by its details needs a
// phone: the establish data page stars customer.phone and the Customer schema requires
// phone (project fact file trustly-rest.md §5 and §6.4). Without one Trustly answers as
// for any missing parameter, HTTP 400 and error 200 (§8). A customerId alone names a
// customer Trustly keeps and needs nothing more; a Retrieval takes a customer without a
// phone.
func TestEstablishNeedsTheCustomersPhone(t *testing.T) {
	s := start(t, Options{SettleDelay: -1})
	a := apiClient{t, s}
	noPhone := map[string]any{"customer": map[string]any{"name": "A B", "email": "a@example.com", "address": map[string]any{"country": "US"}}}
	for _, pt := range []string{"Instant", "Deferred", "Recurring", "Disbursement"} {
		st, code, m := a.establishType(pt, "no-phone-"+pt, "1.00", noPhone)
		if st != http.StatusBadRequest || code != codeInvalidParameter || !strings.Contains(fmt.Sprint(m), "customer.phone") {
			t.Errorf("%s without customer.phone: HTTP %d code %d %v; want HTTP 400, error 200 naming customer.phone", pt, st, code, m)
		}
	}
	if st, code, m := a.establishType("Retrieval", "no-phone-retrieval", "0.00", noPhone); st != http.StatusOK {
		t.Errorf("Retrieval with a customer without a phone: HTTP %d code %d %v", st, code, m)
	}
	st, code, cust := a.do(http.MethodPost, "/customers", "application/json",
		`{"name":"A B","phone":"+14155550100","email":"a@example.com","address":{"country":"US"}}`, "")
	if st != http.StatusOK || code != 0 {
		t.Fatalf("create customer: HTTP %d code %d %v", st, code, cust)
	}
	id := cust["customer"].(map[string]any)["customerId"].(string)
	byID := map[string]any{"customer": map[string]any{"customerId": id}}
	if st, code, m := a.establishType("Deferred", "by-id", "1.00", byID); st != http.StatusOK {
		t.Errorf("Deferred naming customer %s alone: HTTP %d code %d %v", id, st, code, m)
	}
}
