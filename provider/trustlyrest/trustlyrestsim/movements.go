package trustlyrestsim

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider/simkit"
)

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

var movementKinds = map[int]string{typeCapture: "Capture", typeRefund: "Refund", typeDeposit: "Deposit", typePay: "Pay"}

// Movements returns the money movements applied, in the order they were created: a
// capture, a refund, a deposit (payout) or an Instant payment, unless it was voided,
// canceled, denied or failed. An Instant payment counts once authorized; captures,
// refunds and deposits from their creation. Kind is "Capture", "Refund", "Deposit" or
// "Pay"; ID is the transaction and ParentID its originalTransactionId (the
// authorization of a capture or deposit, the capture of a refund); Reference its
// merchantReference; Status its numeric status.
func (s *Server) Movements() []simkit.Movement {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []simkit.Movement
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
		out = append(out, simkit.Movement{Merchant: t.pay.m.merchantID, Kind: kind, ID: t.id, ParentID: t.original,
			Reference: t.merchantRef, Status: strconv.Itoa(t.status), Amount: money.FromMinorCurrency(t.amount, cur)})
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
