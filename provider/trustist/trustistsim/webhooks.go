package trustistsim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode"
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
	// s.mu is held, and Close cancels s.ctx under s.mu before waiting: either this Add
	// happens before that Wait, or the server is closed and nothing is sent.
	if d.URL == "" || s.ctx.Err() != nil {
		d.GaveUp = true
		return
	}
	s.wg.Add(1)
	go s.deliver(d)
}

// deliver posts d until a 2xx answer, with exponential back-off, until Close.
func (s *Server) deliver(d *Delivery) {
	defer s.wg.Done()
	wait := s.opts.RetryFirst
	for attempt := 1; attempt <= s.opts.Attempts; attempt++ {
		status := s.post(d.URL, d.Body)
		if status == 0 && s.ctx.Err() != nil {
			return // cut short by Close: not an attempt the receiver answered
		}
		s.mu.Lock()
		d.Attempts, d.LastStatus = attempt, status
		d.Acknowledged = status >= 200 && status < 300
		done := d.Acknowledged
		s.mu.Unlock()
		if done {
			return
		}
		select {
		case <-s.ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, s.opts.RetryMax)
	}
	s.mu.Lock()
	d.GaveUp = true
	s.mu.Unlock()
}

func (s *Server) post(url string, body []byte) int {
	req, err := http.NewRequestWithContext(s.ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return 0
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	_ = resp.Body.Close()
	return resp.StatusCode
}
