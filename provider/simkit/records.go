package simkit

import (
	"net/http"

	"github.com/paybridge/paybridge/money"
)

// Delivery is the record of one notification a simulator raised and of its delivery
// attempts. The simulators fill it alike; where a protocol has no such thing a field
// stays empty, as each field says.
type Delivery struct {
	// Seq numbers the simulator's notifications in the order they were raised, from 1.
	Seq int
	// Event names the notification: Trustist's eventType ("payment.completed"),
	// Trustly's method ("credit", "kyc"), Trustly REST's eventType ("Authorize").
	Event string
	// EventID is the id the notification carries: Trustly's notificationid, Trustly
	// REST's eventId; "" for Trustist, whose webhooks carry none.
	EventID string
	// ObjectID is what the notification is about: a Trustist payment or standing order,
	// a Trustly order, a Trustly REST transaction.
	ObjectID string
	// URL is where it is sent, Header and Body what is posted (Trustly REST signs in the
	// Authorization header, Trustly in the body).
	URL    string
	Header http.Header
	Body   []byte
	// Attempts counts the posts made so far; one cut short by Close is not counted.
	Attempts int
	// LastStatus is the HTTP status of the last attempt's answer (0 when none came).
	LastStatus int
	// Reply is what the last answer said, where the protocol has the simulator read
	// it: the status of a Trustly reply whose signature verified ("OK", "CONTINUE").
	// ReplyError says why the last answer did not acknowledge the notification, where
	// the simulator knows more than the HTTP status. Both are "" for the protocols that
	// take a 2xx status as the acknowledgement.
	Reply, ReplyError string
	// Acknowledged is true once the receiver acknowledged it; delivery stops then.
	Acknowledged bool
	// GaveUp is true when every attempt failed, and for a notification that had no URL
	// to go to or was raised once the simulator was closing.
	GaveUp bool
}

// clone returns a copy of d that shares nothing with it.
func (d *Delivery) clone() Delivery {
	c := *d
	c.Header = d.Header.Clone()
	c.Body = append([]byte(nil), d.Body...)
	return c
}

// Movement is one movement of money a simulator's provider applied to the merchant's
// account, for reconciling what a client did against what the provider holds.
type Movement struct {
	// Merchant is the merchant whose account moved: Trustly's username, Trustly REST's
	// merchantId, Trustist's merchant Hawk id.
	Merchant string
	// Kind is what moved the money, in the provider's words: "Payment" (Trustist);
	// "Deposit", "Refund" or "AccountPayout" (Trustly); "Capture", "Refund", "Deposit"
	// or "Pay" (Trustly REST).
	Kind string
	// ID is the provider's id of what moved: the payment, the order (a deposit's order
	// for its refunds), the transaction. ParentID is what it belongs to where the
	// protocol links them: Trustly REST's originalTransactionId; "" elsewhere.
	ID, ParentID string
	// Reference is the merchant's reference for it: the payment's reference, the order's
	// MessageID (a refund's ExternalReference for a refund), the merchantReference.
	Reference string
	// Status is its status as the API reports it ("COMPLETE", Trustly REST's "2").
	Status string
	// Amount is the amount moved, positive.
	Amount money.Amount
}
