package trustlysim

import (
	"net/http"

	"github.com/google/uuid"

	"github.com/paybridge/paybridge/provider/simkit"
	"github.com/paybridge/paybridge/provider/trustly/internal/wire"
)

// notice is a notification waiting in its order's outbox: its record in Deliveries, the
// uuid its reply must echo, and, for a kyc notification, what to do with the answer.
type notice struct {
	d    *simkit.Delivery
	uuid string
	// answered, when set, is called once delivery has ended, with the acknowledged
	// reply's status ("" when none came) and whether the Server closed first.
	answered func(status string, stopped bool)
}

var notificationHeader = http.Header{"Content-Type": {"application/json; charset=utf-8"}}

// notifyLocked queues a notification for an order. Notifications of one order are
// delivered one after the other; the next starts when the previous one was acknowledged
// or given up. Its record's Event is the method, EventID the notificationid and Reply the
// data.status of the last reply whose signature verified.
func (s *Server) notifyLocked(o *order, method string, extra map[string]any) {
	data := map[string]any{"orderid": o.id, "messageid": o.messageID, "enduserid": o.endUserID,
		"notificationid": randomDigits(10), "timestamp": timestamp(s.opts.Clock())}
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
	n := &notice{uuid: id, d: s.kit.Raise(simkit.Delivery{Event: method, EventID: data["notificationid"].(string),
		ObjectID: o.id, URL: o.notifyURL, Header: notificationHeader, Body: body})}
	switch {
	case method == "kyc":
		n.answered = func(status string, stopped bool) { s.kycAnswered(o, status, stopped) }
	case method == "debit" && o.kind == "Withdraw":
		n.answered = func(status string, stopped bool) { s.debitAnswered(o, status, stopped) }
	}
	o.outbox = append(o.outbox, n)
	if !o.sending && s.kit.Go(func() { s.drain(o) }) {
		o.sending = true
	}
}

func (s *Server) drain(o *order) {
	for {
		s.mu.Lock()
		if len(o.outbox) == 0 || s.kit.Context().Err() != nil {
			o.sending = false
			s.mu.Unlock()
			return
		}
		n := o.outbox[0]
		o.outbox = o.outbox[1:]
		s.mu.Unlock()
		s.deliver(o, n)
	}
}

// deliver sends n until it is acknowledged, attempts run out or the Server closes. Under
// random delivery faults, before each attempt n may let the next notification of its
// order go first: it then goes back into the outbox behind that one.
func (s *Server) deliver(o *order, n *notice) {
	requeued := false
	d := s.kit.Deliver(n.d, func(status int, reply []byte) (bool, string, string) {
		return s.checkReply(o, n, status, reply)
	}, func() bool {
		requeued = s.overtaken(o, n)
		return requeued
	})
	if n.answered == nil || requeued {
		return // no one waits for the answer, or delivery goes on later
	}
	status := d.Reply
	if !d.Acknowledged {
		status = ""
	}
	n.answered(status, status == "" && s.kit.Context().Err() != nil)
}

// checkReply verifies a reply with the merchant's key: it acknowledges n when it is a
// signed OK (CONTINUE or FINISH for kyc, OK or FAILED for a withdrawal's debit) that
// echoes n's uuid and method, answered with HTTP 200.
func (s *Server) checkReply(o *order, n *notice, status int, reply []byte) (ok bool, replyStatus, problem string) {
	if o.m.pub == nil {
		return false, "", ""
	}
	st, err := wire.DecodeNotificationReply(reply, o.m.pub, n.d.Event, n.uuid)
	if err != nil {
		return false, "", err.Error()
	}
	good := st == "OK" || (n.d.Event == "kyc" && (st == "CONTINUE" || st == "FINISH")) ||
		(n.d.Event == "debit" && o.kind == "Withdraw" && st == "FAILED")
	if good && status == http.StatusOK {
		return true, st, ""
	}
	return false, st, "reply status " + st
}

// overtaken reports whether n, waiting for delivery, lets the next notification of its
// order go first (see simkit.Deliverer.Overtake); n is then put back behind it.
func (s *Server) overtaken(o *order, n *notice) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(o.outbox) == 0 || !s.kit.Overtake() {
		return false
	}
	o.outbox = append(o.outbox[:1:1], append([]*notice{n}, o.outbox[1:]...)...)
	return true
}
