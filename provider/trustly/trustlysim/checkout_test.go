package trustlysim

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/provider/simkit"
	"github.com/paybridge/paybridge/provider/simkit/simkittest"
	"github.com/paybridge/paybridge/provider/trustly/internal/wire"
)

func pageURL(t *testing.T, res *wire.Result) string {
	t.Helper()
	u, _ := wire.Scalar(res.Data.(map[string]any)["url"])
	if u == "" {
		t.Fatalf("no url in %v", res.Data)
	}
	return u
}

// TestDepositPageShowsTheOrder: the deposit page names the merchant, the amount and
// currency, the order's reference and statement text, lists banks and offers the
// buttons; a reference with markup in it is shown as text.
func TestDepositPageShowsTheOrder(t *testing.T) {
	s, c, k := start(t, Options{})
	d := deposit(c, "ORDER-9 "+simkittest.Hostile, "https://shop.example.com/n")
	a := d["Attributes"].(map[string]any)
	a["Amount"], a["ShopperStatement"], a["Firstname"], a["Lastname"] = "12.34", "NOTEBOOKS "+simkittest.Hostile, "Ada", "Lovelace"
	res, err := send(t, s, k, "Deposit", u1, d)
	if err != nil {
		t.Fatal(err)
	}
	status, page := simkittest.GetPage(t, pageURL(t, res))
	if status != http.StatusOK {
		t.Fatalf("the deposit page answered %d", status)
	}
	for _, want := range []string{`<b id="merchant">` + c.Username + `</b>`, `<output id="amount">12.34<small>EUR</small>`,
		"ORDER-9", "NOTEBOOKS", "Ada Lovelace", "Choose your bank", "Simulated Bank", "Nordic Demo Bank", "Sandbox"} {
		if !strings.Contains(page, want) {
			t.Errorf("the deposit page does not show %q", want)
		}
	}
	simkittest.CheckButtons(t, page, "Approve payment",
		simkit.PageButton{Action: ActionApproveDelayed, Label: "Approve, bank confirms later"})
	simkittest.CheckEscaped(t, page)
}

// TestSelectAccountPageReportsTheChosenBank: the account page lists the banks, and the
// account notification names the bank the end user chose.
func TestSelectAccountPageReportsTheChosenBank(t *testing.T) {
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "not now", http.StatusServiceUnavailable)
	}))
	defer recv.Close()
	s, c, k := start(t, Options{AllowLoopbackHTTP: true, Options: simkit.Options{RetryBase: 50 * time.Millisecond}})
	sa := map[string]any{"Username": c.Username, "Password": c.Password.Reveal(), "NotificationURL": recv.URL + "/n",
		"EndUserID": "u-1", "MessageID": "sa-1", "Attributes": map[string]any{"Firstname": "Ada", "Lastname": "Lovelace",
			"Country": "SE", "Locale": "sv_SE", "RequestDirectDebitMandate": "1", "Email": "ada@example.com",
			"SuccessURL": "https://shop.example.com/ok", "FailURL": "https://shop.example.com/fail"}}
	res, err := send(t, s, k, "SelectAccount", u1, sa)
	if err != nil {
		t.Fatal(err)
	}
	page := pageURL(t, res)
	status, body := simkittest.GetPage(t, page)
	if status != http.StatusOK {
		t.Fatalf("the account page answered %d", status)
	}
	for _, want := range []string{"Choose your bank account", c.Username, "Ada Lovelace", "direct debit", "Nordic Demo Bank"} {
		if !strings.Contains(body, want) {
			t.Errorf("the account page does not show %q", want)
		}
	}
	simkittest.CheckButtons(t, body, "Confirm account")
	post := func(bank string) int {
		return simkittest.Submit(t, page, body, ActionApprove, url.Values{"bank": {bank}})
	}
	if code := post("no-such-bank"); code != http.StatusBadRequest {
		t.Fatalf("an unknown bank answered %d, want 400", code)
	}
	if code := post("nordic-demo-bank"); code != http.StatusSeeOther {
		t.Fatalf("confirming answered %d, want 303", code)
	}
	var account *simkit.Delivery
	for _, d := range s.Deliveries() {
		if d.Event == "account" {
			account = &d
		}
	}
	if account == nil {
		t.Fatalf("no account notification among %v", s.Deliveries())
	}
	n, err := wire.DecodeNotification(account.Body, s.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	attrs, _ := n.Data["attributes"].(map[string]any)
	if bank, _ := wire.Scalar(attrs["bank"]); bank != "Nordic Demo Bank" {
		t.Fatalf("the account notification names bank %q, want the one chosen", bank)
	}
	if status, body := simkittest.GetPage(t, page); status != http.StatusGone || !strings.Contains(body, "no longer active") {
		t.Fatalf("the finished page answered %d:\n%s", status, body)
	}
}
