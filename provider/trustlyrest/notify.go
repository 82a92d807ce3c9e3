package trustlyrest

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustlyrest/internal/signing"
)

// Notification errors. VerifyNotification's errors wrap one of them; test with errors.Is.
var (
	// ErrMissingAuthorization: the notification has no Authorization header.
	ErrMissingAuthorization = signing.ErrMissingAuthorization
	// ErrBadAuthorization: the Authorization header is not "Basic base64(accessId:signature)".
	ErrBadAuthorization = signing.ErrBadAuthorization
	// ErrWrongAccessID: the notification is for another accessId or merchantId.
	ErrWrongAccessID = signing.ErrWrongAccessID
	// ErrBadSignature: the signature does not match the body.
	ErrBadSignature = signing.ErrBadSignature
	// ErrMalformedNotification: the body is empty, too large, not form encoding, or lacks a
	// field every notification carries.
	ErrMalformedNotification = errors.New("trustlyrest: malformed notification")
)

// notificationBudget bounds the API calls VerifyNotification makes (reading the payment,
// looking for its capture, capturing) so that the reply reaches Trustly within the 3 seconds
// it waits (https://amer.developers.trustly.com/payments/docs/event-notifications-webhooks).
const notificationBudget = 2 * time.Second

// MaxNotificationBody is the largest notification body accepted, in bytes.
const MaxNotificationBody = signing.MaxNotificationBody

// webhook is a verified notification's fields (the webhooks of Trustly's OpenAPI document,
// https://amer.developers.trustly.com/openapi.json).
type webhook struct {
	eventID, eventType       string
	objectID, parentID       string
	merchantRef, statusMsg   string
	splitToken               string
	txType, status, paymentT int
	createdAt                time.Time
	// success is a Refresh notification's success field ("true", "false" or "").
	success string
	// dispute holds a Dispute notification's own fields.
	dispute *Dispute
}

// VerifyNotification implements notify.Verifier. It checks, before anything else is done
// with the body: the form content type; the HMAC signature of the URL-decoded body carried
// in "Authorization: Basic base64(accessId:signature)", in constant time; the accessId in the
// header and the body's accessId and merchantId against the configuration. It then reads the
// event from the numeric status and transactionType — never from eventType, whose spellings
// differ between Trustly's sources — and maps it to a neutral event (see eventKind).
//
// Event.PaymentID is the payment's id from Pay (the authorization transactionId), also for
// the notifications of the capture the adapter makes itself (read from parentObjectId, or
// from the capture itself). A capture made with Capture is a capture.* event naming
// CaptureID and PaymentID; a charge under a mandate a payment.* event whose PaymentID is
// the charge's capture and MandateID the mandate; a mandate's authorization a mandate.*
// event naming MandateID.
// Event.ID and the dedupe key are Trustly's eventId.
//
// An Authorize notification carries the splitToken a capture needs. For a payment the
// adapter captures itself (not made with CaptureManual) it captures the payment with it
// before the notification is passed on; if
// the capture cannot be made for a reason a retry may cure, the notification is rejected,
// so Trustly delivers it again, token and all. The adapter does not keep the token: for a
// payment made with CaptureManual, or a mandate, keep it (see SplitToken). The Authorize
// notification of an interactive payout's authorization makes the payout's deposit in the
// same way (see fillDisbursement and the package documentation).
//
// The API calls a notification needs (reading the payment or a parent transaction, looking
// for the capture, capturing) share a budget of 2 seconds, so that the reply reaches Trustly
// within the 3 seconds it waits. When the budget runs out or the API answers with an error a
// retry may cure, the error wraps notify.ErrRetryLater and the handler answers 503: Trustly
// delivers the notification again, and the capture, looked up by its merchantReference, is
// not sent twice.
func (c *Client) VerifyNotification(ctx context.Context, r *notify.Request) (*notify.Notification, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/x-www-form-urlencoded" {
			return nil, fmt.Errorf("%w: content type is not application/x-www-form-urlencoded", ErrMalformedNotification)
		}
	}
	form, err := signing.VerifyNotification(c.accessID, c.accessKey.Bytes(), r.Header.Get("Authorization"), r.Body)
	if err != nil {
		if errors.Is(err, signing.ErrMalformedBody) {
			return nil, fmt.Errorf("%w: %w", ErrMalformedNotification, err)
		}
		return nil, fmt.Errorf("trustlyrest: notification rejected: %w", err)
	}
	w, err := c.readWebhook(form)
	if err != nil {
		return nil, err
	}
	ev := notify.Event{
		ID: w.eventID, Provider: Name, ProviderEvent: w.eventType,
		ProviderStatus:    rawStatus(w.status, w.statusMsg),
		MerchantReference: callerReference(w.merchantRef), OccurredAt: w.createdAt, Raw: r.Body,
	}
	work, cancel := context.WithTimeout(ctx, c.notifyBudget)
	defer cancel()
	if err := c.fillEvent(work, w, &ev); err != nil {
		if ctx.Err() == nil && (work.Err() != nil || provider.CodeOf(err).Retryable()) {
			// Trustly's API was slow or failing: not the notification's fault.
			return nil, fmt.Errorf("%w: %w", notify.ErrRetryLater, err)
		}
		return nil, err
	}
	// After fillEvent, which reads a Dispute's transaction type and status back.
	ev.Detail = w.public()
	return &notify.Notification{ID: w.eventID, Event: ev}, nil
}

// Webhook is a verified notification's fields, which Event.As reaches (a *Webhook
// target). The splitToken an Authorize notification carries is not among them: read it
// with SplitToken(Event.Raw) where a capture needs it.
type Webhook struct {
	EventID, EventType string
	// ObjectID is the transaction the notification concerns; ParentObjectID its parent
	// (a capture's authorization), when it has one.
	ObjectID, ParentObjectID string
	MerchantReference        string
	// TransactionType, Status and PaymentType are Trustly's numbers (-1 when the
	// notification carries none); StatusMessage the text beside Status.
	TransactionType, Status, PaymentType int
	StatusMessage                        string
	CreatedAt                            time.Time
	// Dispute holds a Dispute notification's own fields; nil for other notifications.
	// A Dispute carries no transactionType nor status: those above are the disputed
	// transaction's, read back from Trustly.
	Dispute *Dispute
}

// public returns what Event.As reaches of w.
func (w *webhook) public() *Webhook {
	return &Webhook{EventID: w.eventID, EventType: w.eventType, ObjectID: w.objectID, ParentObjectID: w.parentID,
		MerchantReference: w.merchantRef, TransactionType: w.txType, Status: w.status, PaymentType: w.paymentT,
		StatusMessage: w.statusMsg, CreatedAt: w.createdAt, Dispute: w.dispute}
}

// readWebhook checks and reads a verified notification's fields.
func (c *Client) readWebhook(form signing.Form) (*webhook, error) {
	if id, ok := form.Lookup("accessId"); ok && id != c.accessID {
		return nil, fmt.Errorf("trustlyrest: notification rejected: %w (body)", ErrWrongAccessID)
	}
	if mid, ok := form.Lookup("merchantId"); ok && mid != c.merchantID {
		return nil, fmt.Errorf("trustlyrest: notification rejected: %w (merchantId)", ErrWrongAccessID)
	}
	// The signature covers the form-decoded body, so re-encoding the separator before a
	// field ("&splitToken=" as "%26splitToken%3D") keeps it valid while merging that field
	// into the value before it: the field goes missing, and the value before it — perhaps
	// the splitToken itself — changes. A value holding "&name=" of a field a webhook
	// carries is such a merge, and the notification is refused: read anyway, it could
	// make a deposit or capture with a token that is not the authorization's, which
	// Trustly refuses for good.
	// Re-encoding the '=' after a field's name ("createdAt%3D...") merges its value into
	// the name: the field goes missing (a createdAt, which bounds a replay's age; a
	// merchantReference, whose suffix tells the adapter's own capture from the merchant's).
	// No Trustly field name holds '=' or '&', and no type name or token holds '&', so
	// those are refused whatever field was merged.
	for _, p := range form {
		if strings.ContainsAny(p.Key, "&=") {
			return nil, fmt.Errorf("%w: a field name holds a re-encoded separator", ErrMalformedNotification)
		}
		if unmergeable[p.Key] && strings.Contains(p.Value, "&") {
			return nil, fmt.Errorf("%w: %s holds a re-encoded separator", ErrMalformedNotification, p.Key)
		}
		if k := mergedField(p.Value); k != "" {
			return nil, fmt.Errorf("%w: %s holds a %s field (a re-encoded separator)", ErrMalformedNotification, p.Key, k)
		}
	}
	w := &webhook{
		eventID: form.Get("eventId"), eventType: form.Get("eventType"), objectID: form.Get("objectId"),
		parentID: form.Get("parentObjectId"), merchantRef: form.Get("merchantReference"),
		statusMsg: form.Get("statusMessage"), splitToken: form.Get("splitToken"), success: form.Get("success"),
	}
	isDispute := strings.EqualFold(w.eventType, eventDispute)
	if isDispute && w.objectID == "" {
		// A Dispute names its transaction in transactionId as well.
		w.objectID = form.Get("transactionId")
	}
	// The signature covers the form-decoded body, so re-encoding the separator after
	// eventId ("&eventType=" as "%26eventType%3D") keeps it valid while merging the next
	// field into eventId. An eventId must be a Trustly id (digits), so such a merge is
	// refused and every genuine variant of a webhook carries the same id: the store
	// answers it as a redelivery.
	if !validID(w.eventID) {
		return nil, fmt.Errorf("%w: eventId is missing or not a Trustly id", ErrMalformedNotification)
	}
	if !validID(w.objectID) {
		return nil, fmt.Errorf("%w: objectId is missing or not a transaction id", ErrMalformedNotification)
	}
	if w.parentID != "" && !validID(w.parentID) {
		return nil, fmt.Errorf("%w: parentObjectId is not a transaction id", ErrMalformedNotification)
	}
	// Whatever the object, so that the handler's age limit applies to every webhook.
	if s := form.Get("createdAt"); s != "" {
		ms, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%w: createdAt is not epoch milliseconds", ErrMalformedNotification)
		}
		w.createdAt = millis(ms).Time()
	}
	if ot := form.Get("objectType"); ot != "" && ot != "Transaction" && !isDispute {
		w.txType, w.status, w.paymentT = -1, -1, -1
		return w, nil
	}
	var err error
	// A Dispute carries no transactionType nor status (the Dispute webhook of
	// https://amer.developers.trustly.com/openapi.json): fillEvent reads them back.
	if w.txType, err = formInt(form, "transactionType", !isDispute); err != nil {
		return nil, err
	}
	if w.status, err = formInt(form, "status", !isDispute); err != nil {
		return nil, err
	}
	if isDispute {
		w.dispute = &Dispute{TransactionID: form.Get("transactionId"), Reference: form.Get("reference"),
			ReturnType: form.Get("returnType"), CustomerID: form.Get("customerId"),
			TransactionDatetime: form.Get("transactionDatetime"), ReturnDatetime: form.Get("returnDatetime"),
			amountText: form.Get("amountReturned")}
	}
	if w.paymentT, err = formInt(form, "paymentType", false); err != nil {
		return nil, err
	}
	return w, nil
}

// webhookFields are the fields of Trustly's webhooks the adapter reads (the webhooks of
// https://amer.developers.trustly.com/openapi.json).
var webhookFields = map[string]bool{
	"accessId": true, "merchantId": true, "eventId": true, "eventType": true, "objectId": true, "objectType": true,
	"parentObjectId": true, "merchantReference": true, "statusMessage": true, "splitToken": true, "success": true,
	"transactionType": true, "status": true, "paymentType": true, "createdAt": true, "transactionId": true,
	"reference": true, "returnType": true, "customerId": true, "transactionDatetime": true, "returnDatetime": true,
	"amountReturned": true,
}

// unmergeable are the fields whose value is a name or a token, never text with '&' in it:
// one that holds '&' had the field after it merged in.
var unmergeable = map[string]bool{"eventType": true, "objectType": true, "splitToken": true, "success": true}

// mergedField returns the name of a webhook field that value holds as "&name=", "" when
// it holds none.
func mergedField(value string) string {
	for rest := value; ; {
		i := strings.IndexByte(rest, '&')
		if i < 0 {
			return ""
		}
		rest = rest[i+1:]
		if name, _, ok := strings.Cut(rest, "="); ok && webhookFields[name] {
			return name
		}
	}
}

func formInt(form signing.Form, key string, required bool) (int, error) {
	s, ok := form.Lookup(key)
	if !ok || s == "" {
		if required {
			return 0, fmt.Errorf("%w: %s is missing", ErrMalformedNotification, key)
		}
		return -1, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < -1 || n > 1000 {
		return 0, fmt.Errorf("%w: %s is not a numeric code", ErrMalformedNotification, key)
	}
	return n, nil
}

// eventKind maps a notification's transactionType, payment type and status to a neutral kind,
// through the status table:
//
//	Authorize of a payment (type 1, Deferred/Recurring/Instant): the "auth" column —
//	    requires action/pending → payment.pending, authorized → payment.authorized,
//	    declined/failed/expired → payment.failed, canceled → payment.canceled
//	Authorize of an account (type 1, Disbursement/Verification/Retrieval): the "verify"
//	    column — verified → account.verified, failed → account.failed
//	Authorize of a mandate (type 1, Recurring): see mandateStatus — authorized →
//	    mandate.active, on hold → mandate.pending, voided → mandate.canceled, declined,
//	    failed, expired or left → mandate.failed; the payer still on the page → other
//	Pay (2) and Capture (3): the "money" column — succeeded → payment.succeeded,
//	    pending → payment.pending, failed → payment.failed, canceled → payment.canceled;
//	    a capture made with Capture: succeeded → capture.succeeded, failed or canceled →
//	    capture.failed, in flight → other
//	Refund (4): succeeded → refund.succeeded, failed/canceled → refund.failed
//	Deposit (6): succeeded → payout.succeeded, failed/canceled → payout.failed
//
// Anything else, including in-flight refunds and deposits, is notify.Other.
func eventKind(txType, paymentType, status int) notify.Kind {
	row := statusOf(status)
	switch txType {
	case typeAuthorize:
		if paymentType == paymentTypeDisbursement || paymentType == paymentTypeVerification || paymentType == paymentTypeRetrieval {
			switch row.verify {
			case provider.VerificationVerified:
				return notify.AccountVerified
			case provider.VerificationFailed:
				return notify.AccountFailed
			}
			return notify.Other
		}
		return paymentKind(row.auth)
	case typePay, typeCapture:
		if status == statusReversed {
			return notify.PaymentReversed // the money went back after the capture completed
		}
		return paymentKind(row.money)
	case typeRefund:
		switch row.refund {
		case provider.RefundSucceeded:
			return notify.RefundSucceeded
		case provider.RefundFailed, provider.RefundCanceled:
			return notify.RefundFailed
		}
	case typeDeposit:
		switch row.payout {
		case provider.PayoutSucceeded:
			return notify.PayoutSucceeded
		case provider.PayoutFailed, provider.PayoutCanceled:
			return notify.PayoutFailed
		}
	}
	return notify.Other
}

func paymentKind(s provider.PaymentStatus) notify.Kind {
	switch s {
	case provider.PaymentSucceeded:
		return notify.PaymentSucceeded
	case provider.PaymentAuthorized:
		return notify.PaymentAuthorized
	case provider.PaymentDeclined, provider.PaymentFailed, provider.PaymentExpired:
		return notify.PaymentFailed
	case provider.PaymentCanceled:
		return notify.PaymentCanceled
	}
	return notify.PaymentPending
}

// fillEvent sets the event's kind and object ids, looking parents up where the notification
// does not name them, and captures an authorized payment that the adapter captures itself.
func (c *Client) fillEvent(ctx context.Context, w *webhook, ev *notify.Event) error {
	if strings.Contains(w.merchantRef, "&") {
		// A field after merchantReference that the adapter does not read may have been
		// merged into it by a re-encoded separator (see readWebhook), hiding the suffix
		// that marks the adapter's own capture or deposit: Trustly's record decides.
		t, err := c.getTransaction(ctx, w.objectID)
		if err != nil {
			return fmt.Errorf("trustlyrest: reading the notification's transaction for its merchantReference: %w", err)
		}
		w.merchantRef = t.reference()
		ev.MerchantReference = callerReference(w.merchantRef)
	}
	if handled, err := c.fillByEventType(ctx, w, ev); handled || err != nil {
		return err
	}
	ev.Kind = eventKind(w.txType, w.paymentT, w.status)
	switch w.txType {
	case typeAuthorize:
		switch {
		case w.paymentT == paymentTypeDisbursement:
			// A verification VerifyAccount made, or an interactive payout's authorization:
			// which one is read back from Trustly, never from the notification's
			// merchantReference (see below).
			return c.fillDisbursement(ctx, w, ev)
		case w.paymentT == paymentTypeVerification || w.paymentT == paymentTypeRetrieval:
			// The authorization is both the verification VerifyAccount returned and the
			// account payouts are sent to.
			ev.AccountID, ev.VerificationID = w.objectID, w.objectID
		case w.paymentT == paymentTypeRecurring:
			ev.MandateID = w.objectID
			ev.Kind = mandateKind(mandateStatus(w.status))
		default:
			ev.PaymentID = w.objectID
			// Whether the payment is captured here is decided from the transaction read
			// back (captureOnNotification), never from the notification's
			// merchantReference or paymentType: re-encoding a separator merges fields
			// without breaking the signature, which covers the decoded body.
			if w.splitToken != "" && reached(w.status) && c.captureMode != CaptureManual {
				return c.captureOnNotification(ctx, w, ev)
			}
		}
	case typePay:
		ev.PaymentID = w.objectID
	case typeCapture:
		parent, err := c.parentOf(ctx, w)
		if err != nil {
			return err
		}
		pt := w.paymentT
		if pt < 0 {
			t, err := c.getTransaction(ctx, w.objectID)
			if err != nil {
				return fmt.Errorf("trustlyrest: reading the notification's capture: %w", err)
			}
			pt = t.paymentType()
		}
		switch {
		case pt == paymentTypeRecurring:
			// A charge under a mandate: the capture is the payment Charge returned.
			ev.PaymentID, ev.MandateID = w.objectID, parent
		case strings.HasSuffix(w.merchantRef, ".c"):
			// The capture the adapter made of a payment it captures itself: the payment's
			// own progress.
			ev.PaymentID = parent
		default:
			// A capture made with Capture.
			ev.PaymentID, ev.CaptureID = parent, w.objectID
			ev.Kind = captureKind(captureStatus(w.status))
		}
	case typeRefund:
		ev.RefundID = w.objectID
		capture, err := c.parentOf(ctx, w)
		if err != nil {
			return err
		}
		// The refund's parent is the capture; the payment is the capture's parent, or the
		// capture itself for a charge under a mandate.
		t, err := c.getTransaction(ctx, capture)
		if err != nil {
			return fmt.Errorf("trustlyrest: reading the refunded capture: %w", err)
		}
		ev.PaymentID = capture
		if int(t.TransactionType) == typeCapture && validID(string(t.OriginalTransactionID)) && !isCharge(t) {
			ev.PaymentID = string(t.OriginalTransactionID)
		}
	case typeDeposit:
		if strings.HasSuffix(w.merchantRef, payoutPageSuffix+".d") {
			// Perhaps the deposit of an interactive payout, which is known by its
			// authorization's id: read back to be sure.
			return c.fillPayoutDeposit(ctx, w, ev)
		}
		ev.PayoutID = w.objectID
		account, err := c.parentOf(ctx, w)
		if err != nil {
			return err
		}
		ev.AccountID = account
	}
	return nil
}

// captureKind is the kind of a notification about a capture made with Capture: only its
// outcome is an event; in-flight statuses are notify.Other.
func captureKind(s provider.CaptureStatus) notify.Kind {
	switch s {
	case provider.CaptureSucceeded:
		return notify.CaptureSucceeded
	case provider.CaptureFailed, provider.CaptureCanceled:
		return notify.CaptureFailed
	}
	return notify.Other
}

// mandateKind is the kind of a notification about a mandate's authorization.
func mandateKind(s provider.MandateStatus) notify.Kind {
	switch s {
	case provider.MandatePending:
		return notify.MandatePending
	case provider.MandateActive:
		return notify.MandateActive
	case provider.MandateFailed:
		return notify.MandateFailed
	case provider.MandateCanceled:
		return notify.MandateCanceled
	}
	return notify.Other
}

// parentOf returns the notification's parentObjectId, or reads the transaction's
// originalTransactionId when the notification does not carry it.
func (c *Client) parentOf(ctx context.Context, w *webhook) (string, error) {
	if w.parentID != "" {
		return w.parentID, nil
	}
	t, err := c.getTransaction(ctx, w.objectID)
	if err != nil {
		return "", fmt.Errorf("trustlyrest: reading the notification's transaction: %w", err)
	}
	if !validID(string(t.OriginalTransactionID)) {
		return "", fmt.Errorf("%w: transaction %s has no parent", ErrMalformedNotification, quoteShort(w.objectID))
	}
	return string(t.OriginalTransactionID), nil
}

// captureOnNotification captures a payment whose Authorize notification arrived. A failure a
// retry may cure rejects the notification; a refusal is reported in ProviderStatus and the
// notification is passed on — as payment.failed when the refusal ends the payment (see
// captureEndsPayment), once the authorization is voided (see endRefusedPayment).
func (c *Client) captureOnNotification(ctx context.Context, w *webhook, ev *notify.Event) error {
	auth, err := c.getTransaction(ctx, w.objectID)
	if err == nil {
		if !autoCaptured(auth) {
			// A payment made with CaptureManual, or not a payment's authorization at all
			// (a mandate's, say): the merchant captures or charges it.
			return nil
		}
		if st := int(auth.Status); !reached(st) {
			// No longer authorized (voided after a refused capture, say): nothing to
			// capture. A capture made before the void (a cancel leaves it) takes the
			// money, and its own notifications report the payment; without one, the
			// payment is as Trustly holds it now.
			cap, err := c.findChild(ctx, auth.id(), typeCapture, captureReference(auth.reference()), true)
			if err != nil {
				return fmt.Errorf("trustlyrest: reading payment %s's capture: %w", w.objectID, err)
			}
			if cap == nil {
				ev.Kind = eventKind(w.txType, w.paymentT, st)
			}
			ev.ProviderStatus += "; now " + rawStatus(st, auth.StatusMessage)
			return nil
		}
		_, err = c.captureAuth(ctx, auth, w.splitToken)
	}
	switch {
	case err == nil:
		return nil
	case provider.CodeOf(err).Retryable() || ctx.Err() != nil:
		return fmt.Errorf("trustlyrest: capturing payment %s after its authorization: %w", w.objectID, err)
	case !isRefusal(err):
		// Not Trustly refusing the capture (an answer that could not be read, say): the
		// capture may still be made, so the notification is to be delivered again.
		return fmt.Errorf("trustlyrest: capturing payment %s after its authorization: %w: %w", w.objectID, notify.ErrRetryLater, err)
	}
	if captureEndsPayment(err) {
		if verr := c.endRefusedPayment(ctx, auth); verr != nil {
			return fmt.Errorf("trustlyrest: voiding payment %s after Trustly refused its capture (%w): %w: %w", w.objectID, err,
				notify.ErrRetryLater, verr)
		}
		ev.Kind = notify.PaymentFailed
	}
	ev.ProviderStatus += "; capture refused: " + strings.TrimSpace(err.Error())
	return nil
}

// NotificationReply implements notify.Verifier. Trustly wants HTTP 200 within 3 seconds and
// otherwise delivers the notification again every 5 minutes for 12 hours
// (https://amer.developers.trustly.com/payments/docs/event-notifications-webhooks). The
// reply is 200 with an empty body once the application's callback succeeded, and 500 when
// it failed, so that Trustly delivers the notification again.
//
// Acknowledging only after the callback is the safe default: an event is never lost. The
// cost is that a callback slower than Trustly's 3 seconds causes redeliveries, which the
// handler's dedupe answers without calling the application twice. Keep the callback fast —
// store or queue the event and return.
func (c *Client) NotificationReply(_ *notify.Notification, o notify.Outcome) (*notify.Reply, error) {
	if o == notify.Processed {
		return &notify.Reply{StatusCode: http.StatusOK}, nil
	}
	return &notify.Reply{StatusCode: http.StatusInternalServerError}, nil
}

// SplitToken returns the splitToken an Authorize notification carries, from its body
// (notify.Event.Raw, already verified by the handler). Applications that capture payments
// made with CaptureManual, or charge mandates, must keep it: Trustly documents the
// token only in this notification — its API reference has no splitToken in the transactions
// GET /transactions/{id} returns — and the adapter keeps nothing between calls. Pass it
// in the BeforeSend hook of Capture or Charge, as TransactionOptions.SplitToken. ([I] When
// Trustly's transaction does carry it, Capture and Charge use that.)
func SplitToken(raw []byte) (string, error) {
	f, err := signing.DecodeForm(string(raw))
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrMalformedNotification, err)
	}
	tok, ok := f.Lookup("splitToken")
	if !ok || tok == "" {
		return "", fmt.Errorf("%w: the notification carries no splitToken (only an authorization's Authorize notification does)", ErrMalformedNotification)
	}
	return tok, nil
}
