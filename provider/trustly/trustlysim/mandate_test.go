package trustlysim

import (
	"crypto/rsa"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/paybridge/paybridge/provider/simkit"
	"github.com/paybridge/paybridge/provider/trustly/internal/wire"
)

// noticesOf returns the data of the notifications raised for order, in order.
func noticesOf(t *testing.T, s *Server, order, method string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, d := range s.Deliveries() {
		if d.ObjectID != order || d.Event != method {
			continue
		}
		n, err := wire.DecodeNotification(d.Body, s.PublicKey())
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, n.Data)
	}
	return out
}

func ddMandate(data map[string]any) string {
	attrs, _ := data["attributes"].(map[string]any)
	v, _ := wire.Scalar(attrs["directdebitmandate"])
	return v
}

// TestDirectDebitMandateAndCharge: a mandate SelectAccount needs an Email; once approved
// the account notification says directdebitmandate 0, Charge is rejected until the
// mandate is registered (a second account notification, 1), and an accepted charge is
// reported pending, then credit, and booked on the ledger.
func TestDirectDebitMandateAndCharge(t *testing.T) {
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "not now", http.StatusServiceUnavailable)
	}))
	defer recv.Close()
	s, c, k := start(t, Options{AllowLoopbackHTTP: true, HoldMandates: true,
		Options: simkit.Options{RetryBase: time.Hour, RetryMax: time.Hour}})
	attrs := map[string]any{"Firstname": "Ada", "Lastname": "Lovelace", "Country": "SE", "Locale": "sv_SE",
		"RequestDirectDebitMandate": "1", "SuccessURL": "https://shop.example.com/ok", "FailURL": "https://shop.example.com/fail"}
	sa := map[string]any{"Username": c.Username, "Password": c.Password.Reveal(), "NotificationURL": recv.URL + "/n",
		"EndUserID": "u-1", "MessageID": "sa-dd", "Attributes": attrs}
	if _, err := send(t, s, k, "SelectAccount", u1, sa); code(err) != wire.CodeInvalidEmail {
		t.Fatalf("a mandate without Email: %v", err)
	}
	attrs["Email"] = "ada@example.com"
	res, err := send(t, s, k, "SelectAccount", u2, sa)
	if err != nil {
		t.Fatal(err)
	}
	order, _ := wire.Scalar(res.Data.(map[string]any)["orderid"])
	if err := s.CompleteOrder(order, ActionApprove); err != nil {
		t.Fatal(err)
	}
	accounts := noticesOf(t, s, order, "account")
	if len(accounts) != 1 || ddMandate(accounts[0]) != "0" {
		t.Fatalf("account notifications before registration: %v", accounts)
	}
	account, _ := wire.Scalar(accounts[0]["accountid"])
	charge := func(uuid, ref string) (*wire.Result, error) {
		return send(t, s, k, "Charge", uuid, map[string]any{"Username": c.Username, "Password": c.Password.Reveal(),
			"AccountID": account, "NotificationURL": recv.URL + "/n", "EndUserID": "u-1", "MessageID": ref,
			"Amount": "4.00", "Currency": "EUR", "Attributes": map[string]any{"ShopperStatement": "Gym", "Email": "ada@example.com"}})
	}
	res, err = charge("1c1c2184-2842-b485-25ca-293525152401", "ch-early")
	if err != nil || resultOf(res, "result") != "0" || resultOf(res, "rejected") != "ERROR_MANDATE_NOT_FOUND" {
		t.Fatalf("charge before registration: %v, %v", res, err)
	}
	if err := s.RegisterMandate(order); err != nil {
		t.Fatal(err)
	}
	if err := s.RegisterMandate(order); err == nil {
		t.Fatal("a mandate was registered twice")
	}
	accounts = noticesOf(t, s, order, "account")
	if len(accounts) != 2 || ddMandate(accounts[1]) != "1" {
		t.Fatalf("account notifications after registration: %v", accounts)
	}
	res, err = charge("1c1c2184-2842-b485-25ca-293525152402", "ch-1")
	if err != nil || resultOf(res, "result") != "1" || resultOf(res, "orderid") == "" {
		t.Fatalf("charge of a registered mandate: %v, %v", res, err)
	}
	chargeOrder := resultOf(res, "orderid")
	if p, cr := noticesOf(t, s, chargeOrder, "pending"), noticesOf(t, s, chargeOrder, "credit"); len(p) != 1 || len(cr) != 1 {
		t.Fatalf("charge notifications: pending %v, credit %v", p, cr)
	}
	s.mu.Lock()
	m := s.merchants[c.Username]
	last := m.ledger[len(m.ledger)-1]
	s.mu.Unlock()
	if last.orderID != chargeOrder || last.kind != "Charge" || last.amount.Fixed() != "4.00" {
		t.Fatalf("ledger row %+v", last)
	}
}

func resultOf(res *wire.Result, k string) string {
	if res == nil {
		return ""
	}
	v, _ := wire.Scalar(res.Data.(map[string]any)[k])
	return v
}

// TestDepositAttributeRules: URLTarget outside _top, _self and _parent, and suggested
// amounts with a fixed Amount, are refused.
func TestDepositAttributeRules(t *testing.T) {
	s, c, k := start(t, Options{})
	d := deposit(c, "r-target", "https://shop.example.com/n")
	d["Attributes"].(map[string]any)["URLTarget"] = "_blank"
	if _, err := send(t, s, k, "Deposit", u1, d); code(err) != wire.CodeMalformedURLTarget {
		t.Fatalf("URLTarget _blank: %v", err)
	}
	d = deposit(c, "r-suggested", "https://shop.example.com/n")
	d["Attributes"].(map[string]any)["SuggestedMinAmount"] = "5.00"
	if _, err := send(t, s, k, "Deposit", u2, d); code(err) != wire.CodeInvalidOrderAttribute {
		t.Fatalf("SuggestedMinAmount with Amount: %v", err)
	}
}

// TestMandateBelongsToItsMerchant: a direct-debit mandate is the merchant's whose
// SelectAccount obtained it; another merchant that sends its AccountID and EndUserID
// (Charge or AccountPayout) names an account it does not know.
func TestMandateBelongsToItsMerchant(t *testing.T) {
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "not now", http.StatusServiceUnavailable)
	}))
	defer recv.Close()
	s, a, ka := start(t, Options{AllowLoopbackHTTP: true, Options: simkit.Options{RetryBase: time.Hour, RetryMax: time.Hour}})
	b, err := s.NewMerchant("other")
	if err != nil {
		t.Fatal(err)
	}
	kb, err := wire.ParsePrivateKey(b.PrivateKey.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	sa := map[string]any{"Username": a.Username, "Password": a.Password.Reveal(), "NotificationURL": recv.URL + "/n",
		"EndUserID": "u-1", "MessageID": "sa-own", "Attributes": map[string]any{"Firstname": "Ada", "Lastname": "Lovelace",
			"Country": "SE", "Locale": "sv_SE", "Email": "ada@example.com", "RequestDirectDebitMandate": "1",
			"SuccessURL": "https://shop.example.com/ok", "FailURL": "https://shop.example.com/fail"}}
	res, err := send(t, s, ka, "SelectAccount", u1, sa)
	if err != nil {
		t.Fatal(err)
	}
	order := resultOf(res, "orderid")
	if err := s.CompleteOrder(order, ActionApprove); err != nil {
		t.Fatal(err)
	}
	accounts := noticesOf(t, s, order, "account")
	if len(accounts) != 2 || ddMandate(accounts[1]) != "1" {
		t.Fatalf("account notifications: %v", accounts)
	}
	account, _ := wire.Scalar(accounts[0]["accountid"])
	charge := func(c Credentials, k *rsa.PrivateKey, uuid, ref string) (*wire.Result, error) {
		return send(t, s, k, "Charge", uuid, map[string]any{"Username": c.Username, "Password": c.Password.Reveal(),
			"AccountID": account, "NotificationURL": recv.URL + "/n", "EndUserID": "u-1", "MessageID": ref,
			"Amount": "4.00", "Currency": "EUR", "Attributes": map[string]any{"ShopperStatement": "Gym", "Email": "ada@example.com"}})
	}
	res, err = charge(b, kb, "2c1c2184-2842-b485-25ca-293525152401", "ch-other")
	if err != nil || resultOf(res, "result") != "0" || resultOf(res, "rejected") != "ERROR_ACCOUNT_NOT_FOUND" {
		t.Fatalf("charge by another merchant: %v, %v", res, err)
	}
	payout := map[string]any{"Username": b.Username, "Password": b.Password.Reveal(), "AccountID": account,
		"NotificationURL": recv.URL + "/n", "EndUserID": "u-1", "MessageID": "po-other", "Amount": "4.00",
		"Currency": "EUR", "Attributes": map[string]any{"ShopperStatement": "Refund"}}
	if _, err := send(t, s, kb, "AccountPayout", "2c1c2184-2842-b485-25ca-293525152402", payout); code(err) != wire.CodeUnknown {
		t.Fatalf("payout by another merchant to the account: %v", err)
	}
	res, err = charge(a, ka, "2c1c2184-2842-b485-25ca-293525152403", "ch-own")
	if err != nil || resultOf(res, "result") != "1" || resultOf(res, "orderid") == "" {
		t.Fatalf("charge by the mandate's merchant: %v, %v", res, err)
	}
}
