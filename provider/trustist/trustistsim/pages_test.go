package trustistsim_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/hawk"
	"github.com/paybridge/paybridge/provider/simkit"
	"github.com/paybridge/paybridge/provider/simkit/simkittest"
	"github.com/paybridge/paybridge/provider/trustist/trustistsim"
)

// TestPayPageShowsThePayment: the pay page names the merchant, the amount and currency,
// what is paid for, offers banks and a card, and the three buttons; a description with
// markup in it is shown as text.
func TestPayPageShowsThePayment(t *testing.T) {
	s := startSim(t, trustistsim.Options{})
	m := client{t, s, s.MerchantKey()}
	body, _ := json.Marshal(map[string]any{"amount": 12.34, "reference": "ORDER-77", "description": "A5 dotted notebook " + simkittest.Hostile,
		"customerDetails": "Ada Lovelace", "returnUrl": "https://shop.example.com/r"})
	resp, b := m.do("POST", "/v1/payments", string(body), hawk.RequestOptions{})
	var p struct{ ID, PayLink string }
	if err := json.Unmarshal(b, &p); err != nil || resp.StatusCode != http.StatusOK || p.PayLink == "" {
		t.Fatalf("creating the payment: %d %s", resp.StatusCode, b)
	}
	status, page := simkittest.GetPage(t, p.PayLink)
	if status != http.StatusOK {
		t.Fatalf("the pay page answered %d", status)
	}
	for _, want := range []string{trustistsim.MerchantName, `<output id="amount">12.34<small>GBP</small>`, "A5 dotted notebook",
		"ORDER-77", "Ada Lovelace", trustistsim.TestBankName, "Card", "Sandbox"} {
		if !strings.Contains(page, want) {
			t.Errorf("the pay page does not show %q", want)
		}
	}
	simkittest.CheckButtons(t, page, "Approve payment")
	simkittest.CheckEscaped(t, page)

	// Paying by card from the page works like paying by bank.
	token, _ := simkit.HiddenInput([]byte(page), "token")
	post := func(method string) int {
		resp, err := noRedirect.PostForm(p.PayLink, url.Values{"token": {token}, "action": {"approve"}, "method": {method}})
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		return resp.StatusCode
	}
	if code := post("<b>no such method</b>"); code != http.StatusBadRequest {
		t.Fatalf("an unknown way to pay answered %d, want 400", code)
	}
	if code := post("card"); code != http.StatusSeeOther {
		t.Fatalf("paying by card answered %d, want 303", code)
	}
	if st, _ := s.PaymentStatus(p.ID); st != trustistsim.StatusComplete {
		t.Fatalf("after paying by card the payment is %q", st)
	}
	if status, page := simkittest.GetPage(t, p.PayLink); status != http.StatusGone || !strings.Contains(page, "no longer active") {
		t.Fatalf("the paid payment's page answered %d:\n%s", status, page)
	}
}

var noRedirect = &http.Client{Timeout: 10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// TestStandingOrderPageShowsTheOrder: the standing-order page shows the merchant, the
// amount, how often, what for, and a bank list.
func TestStandingOrderPageShowsTheOrder(t *testing.T) {
	s := startSim(t, trustistsim.Options{})
	m := client{t, s, s.MerchantKey()}
	start := time.Now().UTC().AddDate(0, 0, 3).Format("2006-01-02")
	body, _ := json.Marshal(map[string]any{"amount": 9.5, "reference": "SUB-1", "frequency": "monthly", "startDate": start,
		"description": "Notebook club " + simkittest.Hostile, "payerName": "Ada Lovelace", "returnUrl": "https://shop.example.com/r"})
	resp, b := m.do("POST", "/v1/standingorders", string(body), hawk.RequestOptions{})
	var o struct{ PayLink string }
	if err := json.Unmarshal(b, &o); err != nil || resp.StatusCode != http.StatusOK || o.PayLink == "" {
		t.Fatalf("creating the standing order: %d %s", resp.StatusCode, b)
	}
	status, page := simkittest.GetPage(t, o.PayLink)
	if status != http.StatusOK {
		t.Fatalf("the standing-order page answered %d", status)
	}
	for _, want := range []string{trustistsim.MerchantName, "Monthly payment", `<output id="amount">9.50<small>GBP</small>`,
		"Notebook club", "SUB-1", start, "Until you cancel it", trustistsim.TestBankName} {
		if !strings.Contains(page, want) {
			t.Errorf("the standing-order page does not show %q", want)
		}
	}
	simkittest.CheckButtons(t, page, "Approve standing order")
	simkittest.CheckEscaped(t, page)
}

// TestOnboardPageConnectsTheChosenBank: the onboarding page lists the test banks, and
// the account it connects is at the bank chosen; an EndUser keeps the preselected one.
func TestOnboardPageConnectsTheChosenBank(t *testing.T) {
	s := startSim(t, trustistsim.Options{})
	tn := client{t, s, s.TenantKey()}
	_, b := tn.do("POST", "/v1/customers", `{"firstName":"Ada","lastName":"Lovelace","emailAddress":"ada@example.com"}`, hawk.RequestOptions{})
	var c struct{ ID string }
	_ = json.Unmarshal(b, &c)
	session := func() string {
		resp, b := tn.do("POST", "/v1/onboard/sessions", `{"customerId":"`+c.ID+`","returnUrl":"https://shop.example.com/r","options":{"ais":{"accounts":true}}}`,
			hawk.RequestOptions{})
		var se struct{ OnboardURL string }
		if err := json.Unmarshal(b, &se); err != nil || resp.StatusCode != http.StatusOK || se.OnboardURL == "" {
			t.Fatalf("creating the session: %d %s", resp.StatusCode, b)
		}
		return se.OnboardURL
	}

	first := session()
	status, page := simkittest.GetPage(t, first)
	if status != http.StatusOK {
		t.Fatalf("the onboarding page answered %d", status)
	}
	for _, want := range []string{"Connect your bank account", trustistsim.MerchantName, trustistsim.TestBankName, "Lloyds Bank Test Account"} {
		if !strings.Contains(page, want) {
			t.Errorf("the onboarding page does not show %q", want)
		}
	}
	simkittest.CheckButtons(t, page, "Connect account")
	token, _ := simkit.HiddenInput([]byte(page), "token")
	resp, err := noRedirect.PostForm(first, url.Values{"token": {token}, "action": {"approve"}, "bank": {"lloyds-test"}})
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("connecting answered %d", resp.StatusCode)
	}
	if err := s.EndUser().Approve(t.Context(), session()); err != nil {
		t.Fatal(err)
	}

	_, b = tn.do("GET", "/api/customers/"+c.ID+"/bank-accounts", "", hawk.RequestOptions{})
	var accounts []struct{ BankName string }
	if err := json.Unmarshal(b, &accounts); err != nil {
		t.Fatalf("bank accounts: %v %s", err, b)
	}
	var banks []string
	for _, a := range accounts {
		banks = append(banks, a.BankName)
	}
	if want := []string{"Lloyds Bank Test Account", trustistsim.TestBankName}; !slices.Equal(banks, want) {
		t.Fatalf("connected accounts at %v, want %v", banks, want)
	}
}
