package trustlyrestsim

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/paybridge/paybridge/provider/simkit"
	"github.com/paybridge/paybridge/provider/trustlyrest/internal/signing"
)

// notifyLocked sends the notification of t's current status to the payment's notification
// URL (or the server's), signed as Trustly signs it
// (https://amer.developers.trustly.com/payments/reference/validate-the-notification-signature).
// Fields follow the order of Trustly's published example.
func (s *Server) notifyLocked(t *tx, eventType string) {
	s.sendLocked(t, eventType, nil)
}

// eventForLocked returns where a notification about t goes — its payment's
// notificationUrl, else its merchant's — and a new eventId for it; url is "" when there
// is nowhere, and then no eventId is used. s.mu must be held.
func (s *Server) eventForLocked(t *tx) (url, eventID string) {
	url = t.pay.notificationURL
	if url == "" {
		url = t.pay.m.notifyURL
	}
	if url == "" {
		return "", ""
	}
	s.nextEvent++
	return url, strconv.FormatInt(s.nextEvent, 10)
}

// sendLocked sends a notification of eventType about t: Trustly's common fields with t's
// status, then extra. It returns the notification's eventId ("" when there is nowhere to
// send it).
func (s *Server) sendLocked(t *tx, eventType string, extra signing.Form) string {
	m := t.pay.m
	url, eventID := s.eventForLocked(t)
	if url == "" {
		return ""
	}
	ref := t.merchantRef
	if ref == "" {
		ref = t.pay.merchantRef
	}
	f := signing.Form{
		{Key: "merchantId", Value: m.merchantID},
		{Key: "merchantReference", Value: ref},
		{Key: "paymentType", Value: strconv.Itoa(t.pay.paymentType)},
		{Key: "transactionType", Value: strconv.Itoa(t.typ)},
		{Key: "eventId", Value: eventID},
		{Key: "eventType", Value: eventType},
		{Key: "objectId", Value: t.id},
		{Key: "objectType", Value: "Transaction"},
	}
	if t.original != "" {
		f = append(f, signing.Pair{Key: "parentObjectId", Value: t.original})
	}
	f = append(f,
		signing.Pair{Key: "message", Value: ""},
		signing.Pair{Key: "timeZone", Value: "Etc/UTC"},
		signing.Pair{Key: "createdAt", Value: strconv.FormatInt(time.Now().UnixMilli(), 10)},
		signing.Pair{Key: "accessId", Value: m.accessID},
		signing.Pair{Key: "paymentProviderTransaction.status", Value: t.ppStatus},
		signing.Pair{Key: "paymentProviderTransaction.statusMessage", Value: t.ppStatus},
		signing.Pair{Key: "status", Value: strconv.Itoa(t.status)},
		signing.Pair{Key: "statusMessage", Value: statusNames[t.status]},
	)
	if eventType == "Authorize" && t.typ == typeAuthorize && t.status == stAuthorized && t.splitToken != "" {
		f = append(f, signing.Pair{Key: "splitToken", Value: t.splitToken})
	}
	s.deliverLocked(m, t, eventType, eventID, url, append(f, extra...))
	return eventID
}

// deliverLocked signs the form f with merchant m's key and queues its delivery to url.
func (s *Server) deliverLocked(m *merchant, t *tx, eventType, eventID, url string, f signing.Form) {
	body := []byte(signing.EncodeForm(f))
	auth, err := signing.SignNotification(m.accessID, m.key, body, signing.HMACSHA1)
	if err != nil {
		return
	}
	s.kit.Notify(simkit.Delivery{Event: eventType, EventID: eventID, ObjectID: t.id, URL: url, Body: body,
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Authorization": {auth}}})
}

// scheduleSettle moves a pending capture, refund or deposit to 3 Processed and then to
// 4 Completed, each after SettleDelay, unless settlement is held.
func (s *Server) scheduleSettle(id string) {
	if s.opts.SettleDelay < 0 {
		return
	}
	s.kit.Go(func() {
		for _, next := range []int{stProcessed, stCompleted} {
			if simkit.Sleep(s.kit.Context(), s.opts.SettleDelay) != nil {
				return
			}
			if err := s.Settle(id, next); err != nil {
				return
			}
		}
	})
}

// ErrNotSettleable is returned by Settle for a transaction that cannot move to the status.
var ErrNotSettleable = errors.New("trustlyrestsim: the transaction cannot move to that status")

// Settle moves a capture, refund or deposit forward: from 1 Pending to 3 Processed, or from
// 3 Processed (or a refunded capture's 11/12) to 4 Completed, with its notification. It
// also lets a test settle by hand when Options.SettleDelay is negative. Statuses 5 Failed
// and 8 Denied end a pending or processed transaction.
func (s *Server) Settle(id string, status int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.txs[id]
	if t == nil || (t.typ != typeCapture && t.typ != typeRefund && t.typ != typeDeposit) {
		return ErrNotSettleable
	}
	switch {
	case status == stProcessed && t.status == stPending:
		t.setStatus(stProcessed, "AC105")
		s.notifyLocked(t, "Process")
	case status == stCompleted && t.status == stProcessed:
		t.setStatus(stCompleted, "AC106")
		s.notifyLocked(t, "Complete")
	case status == stCompleted && (t.status == stPartRefund || t.status == stRefunded):
		// Refunded before completion could not happen; nothing to do.
	case (status == stFailed || status == stDenied) && (t.status == stPending || t.status == stProcessed):
		t.setStatus(status, "AC101")
		s.releaseLocked(t)
		s.notifyLocked(t, "Failed")
	default:
		return ErrNotSettleable
	}
	return nil
}

// Status returns a transaction's status, or -1 for an unknown id.
func (s *Server) Status(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.txs[id]; t != nil {
		return t.status
	}
	return -1
}

func nowUTC() time.Time { return time.Now().UTC() }
