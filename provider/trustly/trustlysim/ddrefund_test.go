package trustlysim

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/paybridge/paybridge/provider/simkit"
	"github.com/paybridge/paybridge/provider/trustly/internal/wire"
)

// A refund of a direct-debit Charge is reported as Trustly reports direct-debit refunds:
// pending, then debit when it is paid out or cancel when it fails, each on the charge's
// order and carrying "refund":"1" — not the payoutconfirmation and credit of a refund of
// a Deposit.
func TestChargeRefundIsReportedAsADirectDebitRefund(t *testing.T) {
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "not now", http.StatusServiceUnavailable)
	}))
	defer recv.Close()
	s, c, k := start(t, Options{AllowLoopbackHTTP: true, HoldRefunds: true,
		Options: simkit.Options{RetryBase: time.Hour, RetryMax: time.Hour}})
	sa := map[string]any{"Username": c.Username, "Password": c.Password.Reveal(), "NotificationURL": recv.URL + "/n",
		"EndUserID": "u-1", "MessageID": "dd-sa", "Attributes": map[string]any{"Firstname": "Ada", "Lastname": "Lovelace",
			"Country": "SE", "Locale": "sv_SE", "Email": "ada@example.com", "RequestDirectDebitMandate": "1",
			"SuccessURL": "https://shop.example.com/ok", "FailURL": "https://shop.example.com/fail"}}
	res, err := send(t, s, k, "SelectAccount", "3d2c1b0a-0000-4000-8000-000000000001", sa)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CompleteOrder(resultOf(res, "orderid"), ActionApprove); err != nil {
		t.Fatal(err)
	}
	account, _ := wire.Scalar(noticesOf(t, s, resultOf(res, "orderid"), "account")[0]["accountid"])
	res, err = send(t, s, k, "Charge", "3d2c1b0a-0000-4000-8000-000000000002", map[string]any{"Username": c.Username,
		"Password": c.Password.Reveal(), "AccountID": account, "NotificationURL": recv.URL + "/n", "EndUserID": "u-1",
		"MessageID": "dd-ch", "Amount": "10.00", "Currency": "EUR",
		"Attributes": map[string]any{"ShopperStatement": "Gym", "Email": "ada@example.com"}})
	if err != nil || resultOf(res, "result") != "1" {
		t.Fatalf("charge: %v, %v", res, err)
	}
	order := resultOf(res, "orderid")
	waitMethods(t, s, order, "pending", "credit")
	refund := func(n int, amount string) {
		t.Helper()
		if _, err := send(t, s, k, "Refund", fmt.Sprintf("3d2c1b0a-0000-4000-8000-%012d", 10+n), refundData(c, order, amount)); err != nil {
			t.Fatalf("refund of %s: %v", amount, err)
		}
	}
	refund(1, "4.00")
	waitMethods(t, s, order, "pending", "credit", "pending")
	if err := s.ConfirmRefund(order); err != nil {
		t.Fatal(err)
	}
	waitMethods(t, s, order, "pending", "credit", "pending", "debit")
	refund(2, "3.00")
	if err := s.FailRefund(order); err != nil {
		t.Fatal(err)
	}
	waitMethods(t, s, order, "pending", "credit", "pending", "debit", "pending", "cancel")
	check := func(method string, i int, amount string) {
		t.Helper()
		d := noticesOf(t, s, order, method)[i]
		if v, _ := wire.Scalar(d["refund"]); v != "1" {
			t.Errorf("%s %d: refund %v, want \"1\"", method, i, d["refund"])
		}
		if amount != "" {
			if v, _ := wire.Scalar(d["amount"]); v != amount {
				t.Errorf("%s %d: amount %v, want %s", method, i, d["amount"], amount)
			}
		}
	}
	check("pending", 1, "4.00")
	check("debit", 0, "4.00")
	check("pending", 2, "3.00")
	check("cancel", 0, "")
	// The failed refund returned its amount: 6.00 of the charge is refundable, no more.
	if _, err := send(t, s, k, "Refund", "3d2c1b0a-0000-4000-8000-000000000020", refundData(c, order, "6.01")); code(err) != wire.CodeInvalidAmount {
		t.Fatalf("refund past the charge: %v", err)
	}
	refund(3, "6.00")
}
