package trustistsim_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/hawk"
	"github.com/paybridge/paybridge/provider/trustist/trustistsim"
)

// connectedAccount onboards a customer and returns its id and its connected account's.
func connectedAccount(t *testing.T, s *trustistsim.Server) (string, string) {
	t.Helper()
	tn := client{t, s, s.TenantKey()}
	_, b := tn.do("POST", "/v1/customers", `{"firstName":"Ada","lastName":"Lovelace","emailAddress":"ada@example.com"}`, hawk.RequestOptions{})
	var c struct{ ID string }
	_ = json.Unmarshal(b, &c)
	_, b = tn.do("POST", "/v1/onboard/sessions", `{"customerId":"`+c.ID+`","options":{"ais":{"transactions":true}}}`, hawk.RequestOptions{})
	var se struct{ OnboardURL string }
	_ = json.Unmarshal(b, &se)
	if err := s.EndUser().Approve(t.Context(), se.OnboardURL); err != nil {
		t.Fatal(err)
	}
	_, b = tn.do("GET", "/api/customers/"+c.ID+"/bank-accounts", "", hawk.RequestOptions{})
	var accounts []struct{ ID, HolderName, AccountNumber, IBAN string }
	if err := json.Unmarshal(b, &accounts); err != nil || len(accounts) != 1 {
		t.Fatalf("bank accounts: %v %s", err, b)
	}
	if a := accounts[0]; a.HolderName != "Ada Lovelace" || a.AccountNumber != trustistsim.TestAccountNumber || a.IBAN != trustistsim.TestIBAN {
		t.Fatalf("account %+v", a)
	}
	return c.ID, accounts[0].ID
}

// Bank accounts are read with a tenant key holding read_customer_bank_accounts, for a
// known customer only; the balances and transactions paths, which Trustist does not
// publish, are not simulated.
func TestBankAccountsRefusals(t *testing.T) {
	s := startSim(t, trustistsim.Options{})
	tn, m := client{t, s, s.TenantKey()}, client{t, s, s.MerchantKey()}
	cust, acc := connectedAccount(t, s)
	base := "/api/customers/" + cust + "/bank-accounts"
	for _, c := range []struct {
		cl   client
		path string
		want int
	}{
		{m, base, 403},
		{tn, base, 200},
		{tn, "/api/customers/nobody/bank-accounts", 404},
		{tn, base + "/" + acc + "/balances", 404},
		{tn, base + "/" + acc + "/transactions", 404},
	} {
		if resp, b := c.cl.do("GET", c.path, "", hawk.RequestOptions{}); resp.StatusCode != c.want {
			t.Errorf("GET %s: %d %s, want %d", c.path, resp.StatusCode, b, c.want)
		}
	}
	s.RevokeTenantPermission(trustistsim.PermManageWebhooks)
	if resp, b := tn.do("GET", base, "", hawk.RequestOptions{}); resp.StatusCode != 200 {
		t.Fatalf("another permission revoked: %d %s", resp.StatusCode, b)
	}
	s.RevokeTenantPermission(trustistsim.PermReadBankAccounts)
	if resp, b := tn.do("GET", base, "", hawk.RequestOptions{}); resp.StatusCode != 403 || !strings.Contains(string(b), trustistsim.PermReadBankAccounts) {
		t.Fatalf("revoked: %d %s", resp.StatusCode, b)
	}
	s.GrantTenantPermission(trustistsim.PermReadBankAccounts)
	if resp, b := tn.do("GET", base, "", hawk.RequestOptions{}); resp.StatusCode != 200 {
		t.Fatalf("granted again: %d %s", resp.StatusCode, b)
	}
}

func TestTenantWebhookRegistration(t *testing.T) {
	s := startSim(t, trustistsim.Options{})
	tn, m := client{t, s, s.TenantKey()}, client{t, s, s.MerchantKey()}
	for _, c := range []struct {
		cl         client
		path, body string
		want       int
	}{
		{m, "/v1/webhooks", `{"url":"https://a.example.com/h"}`, 403},
		{tn, "/v1/webhooks", `{"url":"https://a.example.com/h"}`, 201},
		{tn, "/v1/tenant/webhooks", `{"url":"https://a.example.com/h","events":["onboard.session.failed"]}`, 201},
		{tn, "/v1/onboard/webhooks", `{"url":"https://a.example.com/h","name":"n"}`, 201},
		{tn, "/v1/webhooks", `{"url":"https://a.example.com/h","events":[]}`, 400},
		{tn, "/v1/webhooks", `{"url":"https://a.example.com/h","events":"onboard.session.completed"}`, 400},
		{tn, "/v1/webhooks", `{"url":"https://a.example.com/h","events":["payment.completed"]}`, 400},
		{tn, "/v1/webhooks", `{"url":"/relative"}`, 400},
		{tn, "/v1/webhooks", `{"name":"no url"}`, 400},
	} {
		if resp, b := c.cl.do("POST", c.path, c.body, hawk.RequestOptions{}); resp.StatusCode != c.want {
			t.Errorf("POST %s %s: %d %s, want %d", c.path, c.body, resp.StatusCode, b, c.want)
		}
	}
	hooks := s.TenantWebhooks()
	if len(hooks) != 3 || hooks[0].Events[0] != trustistsim.EventSessionCompleted || hooks[1].Events[0] != trustistsim.EventSessionFailed ||
		hooks[2].Name != "n" {
		t.Fatalf("registered %+v", hooks)
	}
	// List and delete are not documented, so they are not simulated.
	if resp, _ := tn.do("GET", "/v1/webhooks", "", hawk.RequestOptions{}); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("GET /v1/webhooks answered %d", resp.StatusCode)
	}
}
