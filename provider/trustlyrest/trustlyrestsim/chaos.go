package trustlyrestsim

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider/simkit"
)

// Chaos is a seeded plan of random faults for REST requests and notification
// deliveries; see SetChaos.
type Chaos = simkit.Chaos

// FaultRates are the rates of the REST request faults of a Chaos plan.
type FaultRates = simkit.FaultRates

// DeliveryRates are the rates of the notification delivery faults of a Chaos plan.
type DeliveryRates = simkit.DeliveryRates

// ChaosCounts counts the faults a Chaos plan injected.
type ChaosCounts = simkit.ChaosCounts

// SetChaos turns random faults on, replacing any earlier plan (rates that are all zero
// turn them off). Each REST request draws one fault:
//
//   - Fail: HTTP 503 with error 100 before processing;
//   - Drop: processed, then the connection is closed without an answer;
//   - Delay: processed, then the answer is held for Requests.DelayBy;
//   - Malformed: processed, then answered with the first half of its body.
//
// Trustly REST does not sign its answers, so Unsigned and BadSignature rates are
// refused. Each notification delivery attempt draws a delivery fault (drop, duplicate,
// reorder, delay); notifications are delivered until answered with a 2xx status, within
// Options.MaxAttempts.
func (s *Server) SetChaos(c Chaos) error {
	if c.Requests.Unsigned != 0 || c.Requests.BadSignature != 0 {
		return errors.New("trustlyrestsim: Trustly REST answers carry no signature; Unsigned and BadSignature rates do not apply")
	}
	if err := c.Apply(&s.faults, s.del); err != nil {
		return fmt.Errorf("trustlyrestsim: %w", err)
	}
	return nil
}

// ChaosCounts returns the faults injected since SetChaos.
func (s *Server) ChaosCounts() ChaosCounts {
	return simkit.CountsOf(&s.faults, s.del)
}

// txIndex finds transactions without scanning them all: by parent, by merchantReference
// and by their payment's merchantReference, each in creation order.
type txIndex struct {
	children  map[string][]string // originalTransactionId → ids
	byPayment map[string][]string // payment.merchantReference → ids
	byRef     map[string][]*tx    // merchantReference → transactions
}

func newTxIndex() txIndex {
	return txIndex{children: map[string][]string{}, byPayment: map[string][]string{}, byRef: map[string][]*tx{}}
}

func (x *txIndex) add(t *tx) {
	if t.original != "" {
		x.children[t.original] = append(x.children[t.original], t.id)
	}
	x.byPayment[t.pay.merchantRef] = append(x.byPayment[t.pay.merchantRef], t.id)
	x.byRef[t.merchantRef] = append(x.byRef[t.merchantRef], t)
}

// Movement is one money movement the simulator applied, for reconciliation: a capture, a
// refund, a deposit (payout) or an Instant payment, unless it was voided, canceled,
// denied or failed.
type Movement struct {
	// Kind is "Capture", "Refund", "Deposit" or "Pay".
	Kind string
	// TransactionID is the movement's transaction and ParentID its
	// originalTransactionId (the authorization of a capture or deposit, the capture of
	// a refund).
	TransactionID, ParentID string
	// Reference is the transaction's merchantReference.
	Reference string
	// Status is its numeric status.
	Status int
	// Amount is the amount moved, positive.
	Amount money.Amount
}

var movementKinds = map[int]string{typeCapture: "Capture", typeRefund: "Refund", typeDeposit: "Deposit", typePay: "Pay"}

// Movements returns the money movements applied, in the order they were created. An
// Instant payment counts once authorized; captures, refunds and deposits from their
// creation, until voided, canceled, denied or failed.
func (s *Server) Movements() []Movement {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Movement
	for _, id := range s.txOrder {
		t := s.txs[id]
		kind, moves := movementKinds[t.typ]
		switch {
		case !moves, t.status == stVoided, t.status == stCanceled, t.status == stDenied, t.status == stFailed:
			continue
		case t.typ == typePay && !t.reached:
			continue
		}
		cur, err := money.ParseCurrency(t.pay.currency)
		if err != nil {
			continue
		}
		out = append(out, Movement{Kind: kind, TransactionID: t.id, ParentID: t.original, Reference: t.merchantRef,
			Status: t.status, Amount: money.FromMinorCurrency(t.amount, cur)})
	}
	return out
}

// CompletePage acts on a transaction's hosted page as the payer would, without going
// through HTTP: "approve", "decline" or "abandon", with the same effects and
// notifications as the page's buttons. It fails for an unknown transaction, an unknown
// action, and a page that is no longer active.
func (s *Server) CompletePage(transactionID, action string) error {
	s.mu.Lock()
	t := s.txs[transactionID]
	token := ""
	if t != nil {
		token = t.pay.token
	}
	s.mu.Unlock()
	if t == nil {
		return fmt.Errorf("trustlyrestsim: no transaction %s", transactionID)
	}
	rec := httptest.NewRecorder()
	s.actOnPage(rec, transactionID, token, action)
	if rec.Code != http.StatusSeeOther {
		return fmt.Errorf("trustlyrestsim: %s on transaction %s: HTTP %d %s", action, transactionID, rec.Code, strings.TrimSpace(rec.Body.String()))
	}
	return nil
}
