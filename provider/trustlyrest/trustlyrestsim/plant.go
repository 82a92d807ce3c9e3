package trustlyrestsim

import (
	"errors"
	"fmt"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider/simkit"
)

// Knobs that plant discrepancies between Trustly's books and the calls made, for
// reconciliation tests. They change the simulator's state without an API call and send no
// notification.

// ErrNotPlantable is returned by Rebook for a transaction it cannot change.
var ErrNotPlantable = errors.New("trustlyrestsim: the transaction cannot be rebooked")

// BookWithoutCall books a completed capture of amount under a new, authorized Deferred
// payment that no API call established: a movement Trustly's transactions list shows and
// no call of the merchant's made. reference is the merchantReference of both. It returns
// the capture's transactionId.
func (s *Server) BookWithoutCall(amount money.Amount, reference string) (string, error) {
	cur := amount.Currency().String()
	if cur != "USD" && cur != "CAD" {
		return "", fmt.Errorf("trustlyrestsim: currency %s is not USD or CAD", cur)
	}
	if amount.Minor() <= 0 {
		return "", fmt.Errorf("trustlyrestsim: the amount must be positive")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := &payment{m: s.primary, id: s.newIDLocked(), paymentType: 2, merchantRef: reference, currency: cur, amount: amount.Minor(),
		description: "booked without a call", token: simkit.RandomHex(12)}
	auth := &tx{id: s.newIDLocked(), typ: typeAuthorize, ppStatus: "AC100", merchantRef: reference, amount: amount.Minor(), pay: p}
	s.addTxLocked(auth)
	auth.setStatus(stAuthorized, "AC100")
	auth.used = amount.Minor()
	c := &tx{id: s.newIDLocked(), typ: typeCapture, ppStatus: "AC106", original: auth.id, merchantRef: reference + ".booked",
		amount: amount.Minor(), pay: p}
	s.addTxLocked(c)
	c.setStatus(stCompleted, "AC106")
	return c.id, nil
}

// Rebook changes the amount Trustly's books show for a capture, refund or deposit, as if
// Trustly had booked another amount than the call asked for.
func (s *Server) Rebook(id string, amount money.Amount) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.txs[id]
	if t == nil || (t.typ != typeCapture && t.typ != typeRefund && t.typ != typeDeposit && t.typ != typePay) ||
		t.pay.currency != amount.Currency().String() || amount.Minor() <= 0 {
		return ErrNotPlantable
	}
	t.amount = amount.Minor()
	return nil
}
