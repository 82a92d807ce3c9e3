package trustlysim

import (
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/paybridge/paybridge/provider/trustly/internal/wire"
)

// Delivery is the record of one notification and its delivery attempts.
type Delivery struct {
	Method         string
	OrderID        string
	NotificationID string
	UUID           string
	URL            string
	Body           []byte
	// Attempts is how many times it was sent (the Options.MaxAttempts bound applies from
	// the last time it was overtaken by a later notification of its order).
	Attempts int
	// LastHTTPStatus is the HTTP status of the last reply (0 when none arrived).
	LastHTTPStatus int
	// ReplyStatus is the data.status of the last reply whose signature verified.
	ReplyStatus string
	// ReplyVerified reports that the last reply was signed with the merchant's key and
	// echoed the notification's uuid and method.
	ReplyVerified bool
	// ReplyError says why the last reply was not accepted, when it was not.
	ReplyError string
	// Acknowledged reports that a verified reply with status OK (CONTINUE or FINISH for
	// kyc) arrived; delivery then stopped.
	Acknowledged bool

	// answered, when set, is called once delivery has ended, with the acknowledged
	// reply's status ("" when none came) and whether the Server closed first.
	answered func(status string, stopped bool)
}

// Deliveries returns a copy of every notification record, in the order they were made.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Delivery, len(s.deliveries))
	for i, d := range s.deliveries {
		out[i] = *d
	}
	return out
}

// notifyLocked queues a notification for an order. Notifications of one order are
// delivered one after the other; the next starts when the previous one was acknowledged
// or given up.
func (s *Server) notifyLocked(o *order, method string, extra map[string]any) {
	data := map[string]any{"orderid": o.id, "messageid": o.messageID, "enduserid": o.endUserID,
		"notificationid": randomDigits(10), "timestamp": timestamp(time.Now())}
	if method == "kyc" {
		// The kyc notification carries neither (see kyc.go).
		delete(data, "enduserid")
		delete(data, "timestamp")
	}
	for k, v := range extra {
		data[k] = v
	}
	id := uuid.NewString()
	body, err := wire.EncodeNotification(s.key, method, id, data)
	if err != nil {
		return
	}
	d := &Delivery{Method: method, OrderID: o.id, NotificationID: data["notificationid"].(string), UUID: id, URL: o.notifyURL, Body: body}
	if method == "kyc" {
		d.answered = func(status string, stopped bool) { s.kycAnswered(o, status, stopped) }
	}
	s.deliveries = append(s.deliveries, d)
	o.outbox = append(o.outbox, d)
	if !o.sending && s.del.Go(func() { s.drain(o) }) {
		o.sending = true
	}
}

func (s *Server) drain(o *order) {
	for {
		s.mu.Lock()
		if len(o.outbox) == 0 || s.del.Context().Err() != nil {
			o.sending = false
			s.mu.Unlock()
			return
		}
		d := o.outbox[0]
		o.outbox = o.outbox[1:]
		s.mu.Unlock()
		s.deliver(o, d)
	}
}

var notificationHeader = http.Header{"Content-Type": {"application/json; charset=utf-8"}}

// deliver sends d until it is acknowledged, attempts run out or the Server closes. Under
// random delivery faults, before each attempt d may let the next notification of its
// order go first: it then goes back into the outbox behind that one.
func (s *Server) deliver(o *order, d *Delivery) {
	requeued := false
	if d.answered != nil {
		defer func() {
			if requeued {
				return // delivery goes on later
			}
			s.mu.Lock()
			status := d.ReplyStatus
			if !d.Acknowledged {
				status = ""
			}
			s.mu.Unlock()
			d.answered(status, status == "" && s.del.Context().Err() != nil)
		}()
	}
	s.del.Retry(func(int) bool {
		if s.overtaken(o, d) {
			requeued = true
			return true
		}
		status, reply := s.del.Post(d.URL, notificationHeader, d.Body, 1<<20)
		s.mu.Lock()
		d.Attempts++
		d.LastHTTPStatus = status
		d.ReplyVerified, d.ReplyStatus, d.ReplyError = false, "", ""
		s.mu.Unlock()
		return s.checkReply(d, status, reply)
	})
}

// checkReply verifies a reply with the merchant's key and records the result.
func (s *Server) checkReply(d *Delivery, status int, reply []byte) bool {
	s.mu.Lock()
	o := s.orders[d.OrderID]
	s.mu.Unlock()
	if o == nil || o.m.pub == nil {
		return false
	}
	st, err := wire.DecodeNotificationReply(reply, o.m.pub, d.Method, d.UUID)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		d.ReplyError = err.Error()
		return false
	}
	d.ReplyVerified, d.ReplyStatus = true, st
	good := st == "OK" || (d.Method == "kyc" && (st == "CONTINUE" || st == "FINISH"))
	d.Acknowledged = good && status == http.StatusOK
	if !d.Acknowledged && d.ReplyError == "" {
		d.ReplyError = "reply status " + st
	}
	return d.Acknowledged
}

// overtaken reports whether d, waiting for delivery, lets the next notification of its
// order go first (see simkit.Deliverer.Overtake); d is then put back behind it.
func (s *Server) overtaken(o *order, d *Delivery) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(o.outbox) == 0 || !s.del.Overtake() {
		return false
	}
	o.outbox = append(o.outbox[:1:1], append([]*Delivery{d}, o.outbox[1:]...)...)
	return true
}
