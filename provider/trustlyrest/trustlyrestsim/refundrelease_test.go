package trustlyrestsim

import (
	"net/http"
	"net/url"
	"testing"
)

// A refund that fails, or is canceled before it is processed, returns nothing to the
// payer: its capture is again as refundable as before it, in amount and in status.
func TestFailedOrCanceledRefundLeavesTheCaptureRefundable(t *testing.T) {
	s := start(t, Options{SettleDelay: -1})
	a := apiClient{t, s}
	id, token := approvedDeferred(a, "release-1", "20.00")
	_, code, c := capture(a, id, url.Values{"merchantReference": {"release-cap"}, "amount": {"10.00"}, "splitToken": {token}})
	if code != 0 {
		t.Fatalf("capture: code %d", code)
	}
	capID := c["transaction"].(map[string]any)["transactionId"].(string)
	for _, st := range []int{stProcessed, stCompleted} {
		if err := s.Settle(capID, st); err != nil {
			t.Fatal(err)
		}
	}
	refund := func(amount string) string {
		t.Helper()
		_, code, r := a.do(http.MethodPost, "/transactions/"+capID+"/refund", "application/json", `{"amount":"`+amount+`"}`, "")
		if code != 0 {
			t.Fatalf("refund of %s: code %d", amount, code)
		}
		return r["transaction"].(map[string]any)["transactionId"].(string)
	}
	undo := map[string]func(id string){
		"failed": func(id string) {
			if err := s.Settle(id, stFailed); err != nil {
				t.Fatal(err)
			}
		},
		"canceled": func(id string) {
			if _, code, _ := a.do(http.MethodPost, "/transactions/"+id+"/cancel", "application/json", `{}`, ""); code != 0 {
				t.Fatalf("cancel of the pending refund: code %d", code)
			}
		},
	}
	for _, how := range []string{"failed", "canceled"} {
		// In full: the capture reads Refunded, then Completed again.
		r := refund("10.00")
		if got := s.Status(capID); got != stRefunded {
			t.Fatalf("%s: capture status %d after a full refund, want %d", how, got, stRefunded)
		}
		undo[how](r)
		if got := s.Status(capID); got != stCompleted {
			t.Errorf("%s full refund: capture status %d, want %d Completed", how, got, stCompleted)
		}
		// In part, beside a refund that stands: PartiallyRefunded throughout.
		kept := refund("2.00")
		r = refund("3.00")
		undo[how](r)
		if got := s.Status(capID); got != stPartRefund {
			t.Errorf("%s part refund: capture status %d, want %d PartiallyRefunded", how, got, stPartRefund)
		}
		// What the undone refunds held back can be refunded again; no more.
		last := refund("8.00")
		if st, code, _ := a.do(http.MethodPost, "/transactions/"+capID+"/refund", "application/json", `{"amount":"0.99"}`, ""); st != http.StatusBadRequest || code != codeInvalidParameter {
			t.Fatalf("%s: refund past the capture: HTTP %d code %d", how, st, code)
		}
		// Undo the standing refunds for the next round.
		for _, id := range []string{kept, last} {
			if err := s.Settle(id, stFailed); err != nil {
				t.Fatal(err)
			}
		}
		if got := s.Status(capID); got != stCompleted {
			t.Fatalf("%s: capture status %d after every refund failed, want %d", how, got, stCompleted)
		}
	}
}
