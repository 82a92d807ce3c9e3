package trustistsim

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/paybridge/paybridge/provider/simkit"
)

// Delivery records one webhook and its delivery attempts.
type Delivery struct {
	// Seq numbers deliveries in the order events were raised, from 1.
	Seq int
	// EventType is the event's name, e.g. payment.completed.
	EventType string
	// ObjectID is the payment or standing order the event is about.
	ObjectID string
	// URL is where it was sent.
	URL string
	// Body is the exact body posted.
	Body []byte
	// Attempts counts the POSTs made so far (a POST cut short by Close is not counted).
	Attempts int
	// LastStatus is the HTTP status of the last attempt (0 when the connection failed).
	LastStatus int
	// Acknowledged is true once the receiver answered 2xx; deliveries stop then.
	Acknowledged bool
	// GaveUp is true when every attempt failed.
	GaveUp bool
}

// Deliveries returns a snapshot of every webhook raised so far, oldest first.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Delivery, len(s.deliveries))
	for i, d := range s.deliveries {
		out[i] = *d
		out[i].Body = append([]byte(nil), d.Body...)
	}
	return out
}

// paymentEventLocked raises a merchant payment webhook; s.mu must be held. The payload
// is flat, as documented: merchantId, paymentId, orgId, created, status, amount,
// currency, description, reference, paymentMethod, eventType.
func (s *Server) paymentEventLocked(p *payment, event, status string) {
	s.raiseLocked(event, p.id, map[string]any{
		"merchantId":    s.merchant.HawkID,
		"paymentId":     p.id,
		"orgId":         nil,
		"created":       s.nowLocked().UTC().Format(time.RFC3339),
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
		"merchantId":      s.merchant.HawkID,
		"standingOrderId": o.id,
		"orgId":           nil,
		"created":         s.nowLocked().UTC().Format(time.RFC3339),
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
	d := &Delivery{Seq: len(s.deliveries) + 1, EventType: event, ObjectID: objectID, URL: s.webhookURL, Body: body}
	s.deliveries = append(s.deliveries, d)
	if d.URL == "" || !s.del.Go(func() { s.deliver(d) }) {
		d.GaveUp = true // no webhook URL, or the server is closed: nothing is sent
	}
}

var webhookHeader = http.Header{"Content-Type": {"application/json"}}

// deliver posts d until a 2xx answer, with exponential back-off, until Close.
func (s *Server) deliver(d *Delivery) {
	gaveUp := s.del.Retry(func(attempt int) bool {
		status, _ := s.del.Post(d.URL, webhookHeader, d.Body, 1<<16)
		if status == 0 && s.del.Context().Err() != nil {
			return true // cut short by Close: not an attempt the receiver answered
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		d.Attempts, d.LastStatus = attempt, status
		d.Acknowledged = simkit.Acknowledged(status)
		return d.Acknowledged
	})
	if gaveUp {
		s.mu.Lock()
		d.GaveUp = true
		s.mu.Unlock()
	}
}
