package trustlysim

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/paybridge/paybridge/provider/simkit"
	"github.com/paybridge/paybridge/provider/trustly/internal/wire"
)

// faultAnswer applies an answer fault to the body of a processed request.
func (s *Server) faultAnswer(fault simkit.Fault, resp []byte) []byte {
	switch fault {
	case simkit.UnsignedFault:
		b, err := wire.EncodeUnsignedError(wire.CodeUnknown, wire.CodeName(wire.CodeUnknown))
		if err == nil {
			return b
		}
	case simkit.BadSignatureFault:
		return forgeSignature(resp)
	}
	return resp
}

// forgeSignature replaces the value of the answer's signature member with the base64 of
// 256 zero bytes: a signature of the right form that does not verify.
func forgeSignature(resp []byte) []byte {
	key := []byte(`"signature":"`)
	i := bytes.Index(resp, key)
	if i < 0 {
		return resp
	}
	start := i + len(key)
	end := bytes.IndexByte(resp[start:], '"')
	if end < 0 {
		return resp
	}
	forged := base64.StdEncoding.EncodeToString(make([]byte, 256))
	out := append([]byte(nil), resp[:start]...)
	out = append(out, forged...)
	return append(out, resp[start+end:]...)
}

// writeAnswer writes a processed request's answer as fault says.
func (s *Server) writeAnswer(w http.ResponseWriter, r *http.Request, fault simkit.Fault, resp []byte) {
	s.kit.Answer(w, r, fault, http.StatusOK, http.Header{"Content-Type": {"application/json"}}, s.faultAnswer(fault, resp))
}

// Movements returns the money movements applied to the merchants' accounts, by merchant
// and then by order id (a deposit's refunds in the order they were accepted): a credited
// deposit or charge, an accepted refund that has not failed (FailRefund), an accepted
// payout that has not failed (FailPayout), a withdrawal whose debit the merchant accepted
// and that was not denied or failed. Kind is "Deposit", "Charge", "Refund",
// "AccountPayout" or "Withdraw"; ID is the order moved (the deposit's or charge's for its refunds); Reference is the order's MessageID, a
// refund's Attributes.ExternalReference for a refund ("" when it was sent without one).
// Trustly's API reports no order status, so Status is "".
func (s *Server) Movements() []simkit.Movement {
	s.mu.Lock()
	defer s.mu.Unlock()
	orders := slices.SortedFunc(maps.Values(s.orders), func(a, b *order) int {
		return cmp.Or(strings.Compare(a.m.username, b.m.username), cmp.Compare(len(a.id), len(b.id)), strings.Compare(a.id, b.id))
	})
	var out []simkit.Movement
	for _, o := range orders {
		m := simkit.Movement{Merchant: o.m.username, Kind: o.kind, ID: o.id, Reference: o.messageID, Amount: o.amount}
		switch o.kind {
		case "Deposit", "Charge":
			if o.state == stateCredited {
				out = append(out, m)
			}
			for _, r := range o.refunds {
				if r.state != stateCanceled {
					m.Kind, m.Reference, m.Amount = "Refund", r.reference, r.amount
					out = append(out, m)
				}
			}
		case "AccountPayout":
			if o.state != stateCanceled {
				out = append(out, m)
			}
		case "Withdraw":
			if o.state == stateHeld || o.state == stateExecuted {
				out = append(out, m)
			}
		}
	}
	return out
}

// CompleteOrder acts on an order's hosted page as the end user would, without going
// through HTTP: ActionApprove, ActionApproveDelayed, ActionDecline or ActionAbandon. It
// fails for an unknown order, an unknown action, and an order no longer awaiting the end
// user. On a deposit made with RequestKYC it returns once the kyc notification is queued;
// the action takes effect when the merchant answers CONTINUE.
func (s *Server) CompleteOrder(orderID, action string) error {
	s.mu.Lock()
	o := s.orders[orderID]
	page := o != nil && o.token != ""
	s.mu.Unlock()
	if !page {
		return fmt.Errorf("trustlysim: order %s has no hosted page", orderID)
	}
	_, err := s.act(o, action)
	return err
}
