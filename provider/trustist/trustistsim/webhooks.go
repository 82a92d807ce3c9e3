package trustistsim

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/paybridge/paybridge/provider/simkit"
)

// paymentEventLocked raises a merchant payment webhook; s.mu must be held. The payload
// is flat, as documented: merchantId, paymentId, orgId, created, status, amount,
// currency, description, reference, paymentMethod, eventType.
func (s *Server) paymentEventLocked(p *payment, event, status string) {
	s.raiseLocked(event, p.id, map[string]any{
		"merchantId":    s.merchantOfLocked(p.id),
		"paymentId":     p.id,
		"orgId":         nil,
		"created":       s.now().UTC().Format(time.RFC3339),
		"status":        status,
		"amount":        p.amount.JSONNumber(),
		"currency":      p.amount.Currency().String(),
		"description":   nullable(p.description),
		"reference":     p.reference,
		"paymentMethod": "Bank Transfer",
		"eventType":     event,
	})
}

// standingOrderEventLocked raises a standing-order webhook; s.mu must be held. The
// event name follows the webhook page's example (StandingOrderCreated) and frequency is
// upper case there.
func (s *Server) standingOrderEventLocked(o *standingOrder, event, status string) {
	s.raiseLocked(event, o.id, map[string]any{
		"merchantId":      s.merchantOfLocked(o.id),
		"standingOrderId": o.id,
		"orgId":           nil,
		"created":         s.now().UTC().Format(time.RFC3339),
		"status":          status,
		"amount":          o.amount.JSONNumber(),
		"currency":        o.amount.Currency().String(),
		"frequency":       strings.ToUpper(o.frequency),
		"description":     nullable(o.description),
		"reference":       o.reference,
		"eventType":       event,
	})
}

func (s *Server) raiseLocked(event, objectID string, payload map[string]any) {
	if s.opts.PascalCaseWebhooks {
		pascal := make(map[string]any, len(payload))
		for k, v := range payload {
			r := []rune(k)
			r[0] = unicode.ToUpper(r[0])
			pascal[string(r)] = v
		}
		payload = pascal
	}
	body, err := json.Marshal(payload)
	if err != nil {
		return
	}
	s.kit.Notify(simkit.Delivery{Event: event, ObjectID: objectID, URL: s.webhookURLLocked(objectID),
		Header: http.Header{"Content-Type": {"application/json"}}, Body: body})
}
