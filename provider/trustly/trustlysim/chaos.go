package trustlysim

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/http"
	"sort"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider/simkit"
	"github.com/paybridge/paybridge/provider/trustly/internal/wire"
)

// Chaos is a seeded plan of random faults for API requests and notification deliveries;
// see SetChaos.
type Chaos = simkit.Chaos

// FaultRates are the rates of the API request faults of a Chaos plan.
type FaultRates = simkit.FaultRates

// DeliveryRates are the rates of the notification delivery faults of a Chaos plan.
type DeliveryRates = simkit.DeliveryRates

// ChaosCounts counts the faults a Chaos plan injected.
type ChaosCounts = simkit.ChaosCounts

// SetChaos turns random faults on, replacing any earlier plan (rates that are all zero
// turn them off). Each API request draws one fault:
//
//   - Fail: HTTP 503 before processing;
//   - Drop: processed, then the connection is closed without an answer;
//   - Delay: processed, then the answer is held for Requests.DelayBy;
//   - Malformed: processed, then answered with the first half of its body;
//   - Unsigned: processed, then answered with Trustly's unsigned error form (620);
//   - BadSignature: processed, then answered with the signature of the answer replaced
//     by one that does not verify.
//
// A processed request's answer is stored under its UUID before the fault is applied, so
// the identical request is answered as if no fault had happened. Each notification
// delivery attempt draws a delivery fault (drop, duplicate, reorder, delay); a
// notification waiting for delivery also lets the next one of the same order go first at
// the reorder rate. Deliveries go on until the merchant acknowledges them, within
// Options.MaxAttempts.
func (s *Server) SetChaos(c Chaos) error {
	if err := c.Apply(&s.faults, s.del); err != nil {
		return fmt.Errorf("trustlysim: %w", err)
	}
	return nil
}

// ChaosCounts returns the faults injected since SetChaos.
func (s *Server) ChaosCounts() ChaosCounts {
	return simkit.CountsOf(&s.faults, s.del)
}

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
	s.faults.Answer(w, r, fault, http.StatusOK, http.Header{"Content-Type": {"application/json"}}, s.faultAnswer(fault, resp))
}

// Movement is one money movement the simulator applied to a merchant's account, for
// reconciliation: a credited deposit, an accepted refund that has not failed, or an
// accepted payout that has not failed.
type Movement struct {
	// Kind is "Deposit", "Refund" or "AccountPayout".
	Kind string
	// OrderID is the order moved: the deposit for a deposit and its refunds, the payout
	// order for a payout.
	OrderID string
	// MessageID is the order's MessageID.
	MessageID string
	// Reference is a refund's Attributes.ExternalReference ("" for other kinds and for
	// refunds sent without one).
	Reference string
	// Amount is the amount moved, positive.
	Amount money.Amount
}

// Movements returns the money movements applied to the merchant's account, ordered by
// order id (a deposit's refunds in the order they were accepted). A deposit counts once
// credited; a refund once accepted, until it fails (FailRefund); a payout once accepted,
// until it fails (FailPayout).
func (s *Server) Movements(username string) []Movement {
	s.mu.Lock()
	defer s.mu.Unlock()
	var orders []*order
	for _, o := range s.orders {
		if o.m.username == username {
			orders = append(orders, o)
		}
	}
	sort.Slice(orders, func(i, j int) bool {
		if len(orders[i].id) != len(orders[j].id) {
			return len(orders[i].id) < len(orders[j].id)
		}
		return orders[i].id < orders[j].id
	})
	var out []Movement
	for _, o := range orders {
		switch o.kind {
		case "Deposit":
			if o.state == stateCredited {
				out = append(out, Movement{Kind: "Deposit", OrderID: o.id, MessageID: o.messageID, Amount: o.amount})
			}
			for _, r := range o.refunds {
				if r.state != stateCanceled {
					out = append(out, Movement{Kind: "Refund", OrderID: o.id, MessageID: o.messageID, Reference: r.reference, Amount: r.amount})
				}
			}
		case "AccountPayout":
			if o.state != stateCanceled {
				out = append(out, Movement{Kind: "AccountPayout", OrderID: o.id, MessageID: o.messageID, Amount: o.amount})
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
