package trustistsim

import (
	"fmt"
	"net/http"
	"sort"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider/simkit"
)

// Chaos is a seeded plan of random faults for API requests and webhook deliveries; see
// SetChaos.
type Chaos = simkit.Chaos

// FaultRates are the rates of the API request faults of a Chaos plan.
type FaultRates = simkit.FaultRates

// DeliveryRates are the rates of the webhook delivery faults of a Chaos plan.
type DeliveryRates = simkit.DeliveryRates

// ChaosCounts counts the faults a Chaos plan injected.
type ChaosCounts = simkit.ChaosCounts

// SetChaos turns random faults on, replacing any earlier plan (rates that are all zero
// turn them off). Each API request draws one fault:
//
//   - Fail: HTTP 503 before processing;
//   - Drop: processed, then the connection is closed without an answer;
//   - Delay: processed, then the answer is held for Requests.DelayBy;
//   - Malformed: processed, then answered with the first half of its body, under a
//     Server-Authorization header that covers what was sent;
//   - Unsigned: processed, then answered without a Server-Authorization header, which
//     Hawk allows;
//   - BadSignature: processed, then answered with a Server-Authorization whose MAC does
//     not verify.
//
// Each webhook delivery attempt draws a delivery fault (drop, duplicate, reorder, delay);
// webhooks are delivered until answered with a 2xx status, within Options.Attempts.
func (s *Server) SetChaos(c Chaos) error {
	if err := c.Apply(&s.faults, s.del); err != nil {
		return fmt.Errorf("trustistsim: %w", err)
	}
	return nil
}

// ChaosCounts returns the faults injected since SetChaos.
func (s *Server) ChaosCounts() ChaosCounts {
	return simkit.CountsOf(&s.faults, s.del)
}

// Movement is one payment, for reconciliation: Trustist moves money when the payer
// completes a payment, so a payment counts as applied once its status is COMPLETE.
type Movement struct {
	// PaymentID is the payment's id and Reference its reference.
	PaymentID, Reference string
	// Status is the payment's status as the API reports it.
	Status string
	// Completed reports that the payer paid it (status COMPLETE).
	Completed bool
	// Amount is the payment's amount.
	Amount money.Amount
}

// Movements returns every payment created, completed or not, in the order they were
// created.
func (s *Server) Movements() []Movement {
	s.mu.Lock()
	defer s.mu.Unlock()
	ps := make([]*payment, 0, len(s.payments))
	for _, p := range s.payments {
		ps = append(ps, p)
	}
	sort.Slice(ps, func(i, j int) bool {
		if !ps[i].created.Equal(ps[j].created) {
			return ps[i].created.Before(ps[j].created)
		}
		return ps[i].id < ps[j].id
	})
	out := make([]Movement, len(ps))
	for i, p := range ps {
		out[i] = Movement{PaymentID: p.id, Reference: p.reference, Status: p.status, Completed: p.status == StatusComplete, Amount: p.amount}
	}
	return out
}

// CompletePayment acts on a payment's pay page as the payer would, without going through
// HTTP: "approve", "decline" or "abandon", with the same effects and webhooks as the
// page's buttons. It fails for an unknown payment, an unknown action, and a payment that
// is no longer pending.
func (s *Server) CompletePayment(id, action string) error {
	if action != "approve" && action != "decline" && action != "abandon" {
		return fmt.Errorf("trustistsim: unknown action %q", action)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.payments[id]
	if p == nil {
		return fmt.Errorf("trustistsim: no payment %s", id)
	}
	if _, status := s.actLocked("pay", id, p.pageToken, action); status != 0 {
		return fmt.Errorf("trustistsim: %s on payment %s: HTTP %d %s", action, id, status, http.StatusText(status))
	}
	return nil
}
