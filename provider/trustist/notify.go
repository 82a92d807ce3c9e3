package trustist

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
)

// Notification verification errors. A notification rejected with one of these is
// answered 400 by the notify.Handler and never reaches the application; one whose object
// could not be fetched for a passing reason wraps notify.ErrRetryLater and is answered
// 503, so that Trustist delivers it again.
var (
	// ErrMalformed: the body is not a JSON object.
	ErrMalformed = errors.New("trustist: notification body is not a JSON object")
	// ErrNoObject: the body names no payment, standing order or onboard session.
	ErrNoObject = errors.New("trustist: notification names no payment, standing order or onboard session")
	// ErrUnknownObject: the API does not know the payment, standing order or onboard
	// session named (another merchant's or tenant's, or a forged id).
	ErrUnknownObject = errors.New("trustist: notification names an object the Trustist API does not know")
	// ErrUnverifiable: the notification cannot be checked against the API: an
	// onboard-session notification when no tenant key is configured to read the session.
	ErrUnverifiable = errors.New("trustist: notification cannot be checked against the Trustist API")
	// ErrUnconfirmed: the API does not (yet) report what the notification claims — a
	// completion while the payment still reads as pending, from a lagging read or a
	// forged body. It always comes wrapped with notify.ErrRetryLater: the notification is
	// answered 503, so that Trustist delivers it again, and is confirmed then.
	ErrUnconfirmed = errors.New("trustist: the API does not confirm the notification's claim yet")
)

// VerifyNotification implements notify.Verifier. Trustist does not sign its webhooks, so
// the body is only a hint: the payment (or standing order) it names is fetched again
// with the merchant key, and the event is built from the API's answer — its status,
// amount and reference — never from the body. A notification naming an object the API
// does not know is rejected.
//
// What the body claims (its status, else its event type) must be confirmed by the API
// before anything is delivered: a claim of completion needs a completed payment, a claim
// of failure or cancellation a final status, a standing-order status other than pending
// a standing order that is no longer pending. A claim the API does not confirm yet — the
// read still says pending — is ErrUnconfirmed wrapped with notify.ErrRetryLater, so the
// handler answers 503 and Trustist delivers the notification again; nothing reaches the
// application from the unconfirmed read. A claim the API has moved past (a failure
// notification for a payment the payer has since paid) yields the API's status.
//
// Member names are matched case-insensitively (paymentId, PaymentId, payment_id), and
// both event spellings (payment.completed, StandingOrderCreated) are accepted. The
// notification ID is the object id and the status the API reported, so a redelivery is
// deduplicated while a later status change is a new notification. The event's Detail
// is the object the API confirmed it with: a *Payment or a *StandingOrder (Event.As).
//
// A tenant webhook about an onboard session (Session.Id) is confirmed by reading the
// session with the tenant key, and becomes an identity.* or account.* event (see
// verifySession and the package documentation).
func (p *Client) VerifyNotification(ctx context.Context, r *notify.Request) (*notify.Notification, error) {
	hint, err := parseHint(r.Body)
	if err != nil {
		return nil, err
	}
	switch {
	case hint.paymentID != "":
		return p.verifyPayment(ctx, hint, r.Body)
	case hint.standingOrderID != "":
		return p.verifyStandingOrder(ctx, hint, r.Body)
	case hint.sessionID != "":
		return p.verifySession(ctx, hint, r.Body)
	}
	return nil, ErrNoObject
}

// hint is what a notification body claims.
type hint struct {
	paymentID       string
	standingOrderID string
	event           string
	// sessionID is the onboard session a tenant notification names (Session.Id).
	sessionID string
	// status is the body's status member (COMPLETED in the documented example).
	status string
}

// keySeparators are dropped from member names before they are compared.
var keySeparators = strings.NewReplacer("_", "", "-", "")

// normKey lower-cases a member name and drops underscores and hyphens.
func normKey(k string) string {
	return keySeparators.Replace(strings.ToLower(k))
}

// parseHint reads a notification body: one JSON object. Its members are taken in the
// order of their names, so a body whose members disagree is read the same whatever their
// order.
func parseHint(body []byte) (hint, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil || obj == nil {
		return hint{}, ErrMalformed
	}
	var h hint
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		if normKey(k) == "session" {
			if err := h.takeSession(obj[k]); err != nil {
				return hint{}, err
			}
			continue
		}
		var s string
		isString := json.Unmarshal(obj[k], &s) == nil
		if err := h.take(normKey(k), isString, s); err != nil {
			return hint{}, err
		}
	}
	return h, h.check()
}

// take records one member of a notification body, by its normalised name.
func (h *hint) take(key string, isString bool, text string) error {
	switch key {
	case "paymentid":
		return takeID(&h.paymentID, "paymentId", isString, text)
	case "standingorderid":
		return takeID(&h.standingOrderID, "standingOrderId", isString, text)
	case "eventtype", "event", "type":
		if isString && h.event == "" {
			h.event = text
		}
	case "status":
		if isString && h.status == "" {
			h.status = text
		}
	case "sessionid":
		return takeID(&h.sessionID, "sessionId", isString, text)
	}
	return nil
}

// takeID records the object id a member named name gives, refusing a second, different
// one.
func takeID(dst *string, name string, isString bool, text string) error {
	if !isString {
		return errors.Join(ErrMalformed, errors.New(name+" is not a string"))
	}
	if *dst != "" && *dst != text {
		return errors.Join(ErrMalformed, errors.New("the body gives two different "+name+" values"))
	}
	*dst = text
	return nil
}

// check refuses ids that cannot name a Trustist object.
func (h *hint) check() error {
	for _, id := range []string{h.paymentID, h.standingOrderID, h.sessionID} {
		if id != "" && checkID("id", id) != nil {
			return errors.Join(ErrMalformed, errors.New("the object id is not a valid id"))
		}
	}
	return nil
}

// claimedPayment is the payment status a notification claims: its status member when
// that is a status the table knows, else its event type (payment.completed,
// payment.failed, also spelt PaymentCompleted), else pending, which claims nothing.
func (h *hint) claimedPayment() provider.PaymentStatus {
	if s, ok := paymentStatuses[normalizeStatus(h.status)]; ok {
		return s
	}
	switch eventName(h.event) {
	case "paymentcompleted":
		return provider.PaymentSucceeded
	case "paymentfailed":
		return provider.PaymentDeclined
	}
	return provider.PaymentPending
}

// eventName lower-cases an event type and drops its separators, so payment.completed,
// payment_completed and PaymentCompleted compare equal.
func eventName(e string) string {
	return eventSeparators.Replace(strings.ToLower(e))
}

var eventSeparators = strings.NewReplacer(".", "", "_", "", "-", "")

// confirmsPayment reports whether a payment the API reports as api confirms a
// notification claiming claimed. Only a completed payment confirms a completion; any
// final status confirms a failure or cancellation (the API's word wins: a payer may pay
// after a failed attempt, and Trustist's webhook page says failed payments can be
// retried, https://api.trustistecommerce.com/docs/PaymentWebhooks); an authorisation is
// confirmed by any status past pending; a claim of creation, or none, by any status.
func confirmsPayment(claimed, api provider.PaymentStatus) bool {
	switch {
	case claimed == provider.PaymentSucceeded:
		return api == provider.PaymentSucceeded
	case claimed.Final():
		return api.Final()
	case claimed == provider.PaymentAuthorized:
		return api == provider.PaymentAuthorized || api.Final()
	}
	return true
}

// unconfirmed reports a claim the API's answer does not confirm yet. The message names
// the neutral statuses only, never text from the body.
func unconfirmed(what, claimed, api string) error {
	return fmt.Errorf("%w: %w: the notification claims the %s is %s, the API reports %s",
		ErrUnconfirmed, notify.ErrRetryLater, what, claimed, api)
}

func (p *Client) verifyPayment(ctx context.Context, h hint, body []byte) (*notify.Notification, error) {
	claimed := h.claimedPayment()
	v, err := p.confirm.read(ctx, objectKey{paymentObject, h.paymentID},
		func(v any) bool { return confirmsPayment(claimed, v.(*provider.Payment).Status) },
		func(ctx context.Context) (any, bool, error) {
			pm, err := p.GetPayment(ctx, h.paymentID)
			if err != nil {
				return nil, false, err
			}
			return pm, pm.Status.Final(), nil
		})
	if err != nil {
		return nil, confirmError(err)
	}
	pm := v.(*provider.Payment)
	if !confirmsPayment(claimed, pm.Status) {
		return nil, unconfirmed("payment", string(claimed), string(pm.Status))
	}
	status := normalizeStatus(pm.ProviderStatus)
	ev := notify.Event{
		ID: "payment/" + pm.ID + "/" + status, Provider: Name, Kind: eventKind(pm.Status),
		PaymentID: pm.ID, MerchantReference: pm.MerchantReference, Amount: pm.Amount,
		ProviderEvent: h.event, ProviderStatus: pm.ProviderStatus, Raw: body,
	}
	if d, ok := pm.Detail.(*Payment); ok {
		// A copy: the read may be remembered and answer later notifications too.
		c := *d
		c.Raw = slices.Clone(d.Raw)
		ev.Detail = &c
	}
	return &notify.Notification{ID: ev.ID, Event: ev}, nil
}

func (p *Client) verifyStandingOrder(ctx context.Context, h hint, body []byte) (*notify.Notification, error) {
	// A standing order claimed active, completed, failed or cancelled that the API still
	// reports as pending is not confirmed yet.
	claimed := StandingOrderPending
	if h.status != "" {
		claimed = standingOrderStatus(h.status)
	}
	confirms := func(so *StandingOrder) bool {
		return claimed == StandingOrderPending || so.Status != StandingOrderPending
	}
	v, err := p.confirm.read(ctx, objectKey{standingOrderObject, h.standingOrderID},
		func(v any) bool { return confirms(v.(*StandingOrder)) },
		func(ctx context.Context) (any, bool, error) {
			so, err := p.GetStandingOrder(ctx, h.standingOrderID)
			if err != nil {
				return nil, false, err
			}
			return so, so.Status.final(), nil
		})
	if err != nil {
		return nil, confirmError(err)
	}
	so := v.(*StandingOrder)
	if !confirms(so) {
		return nil, unconfirmed("standing order", string(claimed), string(so.Status))
	}
	ev := notify.Event{
		ID: "standing-order/" + so.ID + "/" + normalizeStatus(so.ProviderStatus), Provider: Name, Kind: standingOrderKinds[so.Status],
		MerchantReference: so.Reference, Amount: so.Amount, ProviderEvent: h.event, ProviderStatus: so.ProviderStatus, Raw: body,
	}
	c := *so
	ev.Detail = &c
	return &notify.Notification{ID: ev.ID, Event: ev}, nil
}

// confirmError classifies a failed look-up of the object a notification names. An object
// the API does not know is a bad notification (400, ErrUnknownObject). A look-up that
// failed for a passing reason — Trustist unavailable or unreachable (5xx, connection
// error), rate limiting, the bound on confirmation reads, an answer whose
// Server-Authorization is missing (when required) or does not verify, or the verifier's
// deadline — wraps notify.ErrRetryLater, so the notification is answered 503 and
// Trustist delivers it again. Anything else (refused credentials, an answer that cannot
// be read) rejects it with 400.
func confirmError(err error) error {
	switch provider.CodeOf(err) {
	case provider.NotFound:
		return errors.Join(ErrUnknownObject, err)
	case provider.ProviderUnavailable, provider.RateLimited, provider.UnknownOutcome:
		return fmt.Errorf("trustist: the notification could not be confirmed with the API now: %w: %w", notify.ErrRetryLater, err)
	}
	if errors.Is(err, notify.ErrRetryLater) { // the bound on confirmation reads
		return err
	}
	if errors.Is(err, errUnverified) {
		// An answer whose Server-Authorization is missing or wrong says nothing about the
		// object: the notification is neither confirmed nor refuted, and is delivered
		// again rather than lost to an intermediary.
		return fmt.Errorf("trustist: the API's answer could not be authenticated: %w: %w", notify.ErrRetryLater, err)
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return fmt.Errorf("trustist: confirming the notification with the API took too long: %w: %w", notify.ErrRetryLater, err)
	}
	return err
}

// NotificationReply implements notify.Verifier: 200 when processed, 500 when the
// application failed, so that Trustist delivers the notification again.
func (p *Client) NotificationReply(_ *notify.Notification, o notify.Outcome) (*notify.Reply, error) {
	h := http.Header{"Content-Type": {"application/json"}}
	if o == notify.Processed {
		return &notify.Reply{StatusCode: http.StatusOK, Header: h, Body: []byte(`{"received":true}`)}, nil
	}
	return &notify.Reply{StatusCode: http.StatusInternalServerError, Header: h, Body: []byte(`{"received":false}`)}, nil
}
