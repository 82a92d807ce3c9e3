package trustistsim

import (
	"cmp"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/paybridge/paybridge/provider/simkit"
)

// Movements returns every payment created, completed or not, in the order they were
// created: Trustist moves money when the payer completes a payment, so a payment counts
// as applied once its Status is COMPLETE. Their Kind is "Payment".
func (s *Server) Movements() []simkit.Movement {
	s.mu.Lock()
	defer s.mu.Unlock()
	ps := slices.SortedFunc(maps.Values(s.payments), func(a, b *payment) int {
		return cmp.Or(a.created.Compare(b.created), strings.Compare(a.id, b.id))
	})
	out := make([]simkit.Movement, len(ps))
	for i, p := range ps {
		out[i] = simkit.Movement{Merchant: s.merchantOfLocked(p.id), Kind: "Payment", ID: p.id, Reference: p.reference, Status: p.status,
			Amount: p.amount}
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
