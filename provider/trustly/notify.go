package trustly

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustly/internal/wire"
)

// replyState is what the reply must echo, and for a debit, whose it is (see debitStatus).
type replyState struct {
	method, uuid string
	debit        debitOf
}

// debitOf says whose order a debit notification concerns, which decides its answer.
type debitOf int

const (
	debitUnknown  debitOf = iota // an order no call of the merchant made, or no record to tell
	debitDeposit                 // a deposit or charge (reversed), or a direct-debit refund
	debitWithdraw                // a Withdraw: the payee asks for the money
)

// otherNotification is the event of a verified notification whose method the adapter
// does not know. Its id is the notificationid, or the uuid when there is none.
func (c *Client) otherNotification(r *notify.Request, n *wire.Notification) *notify.Notification {
	id := n.NotificationID()
	if id == "" {
		id = "uuid:" + n.UUID
	}
	ev := notify.Event{ID: id, Provider: Name, Kind: notify.Other, ProviderEvent: n.Method, ProviderStatus: n.Method,
		MerchantReference: n.MessageID(), Raw: r.Body, Detail: notificationData(n)}
	if ts := n.Timestamp(); ts != "" {
		ev.OccurredAt = parseTimestamp(ts)
	}
	return &notify.Notification{ID: id, Event: ev, ReplyState: replyState{method: n.Method, uuid: n.UUID}}
}

// textData and textAttributes are the members of a notification's data and of its
// attributes that the adapter reads, all of which Trustly sends as text or a number.
var (
	textData = []string{"notificationid", "orderid", "messageid", "enduserid", "amount", "currency", "timestamp",
		"accountid", "verified", "kycentityid", "refund"}
	textAttributes = []string{"refund", "directdebitmandate", "personid", "firstname", "lastname", "dob", "street",
		"zipcode", "city", "country", "name", "address", "clearinghouse", "bank", "descriptor", "lastdigits"}
)

// checkTextMembers refuses a notification in which a member the adapter reads as text is
// an array or an object. The signature covers the serialized data, where an array or an
// object reads as the concatenation of its text (["2010-01-20 ","14:42:04"] as
// "2010-01-20 14:42:04"), so such a body verifies with the genuine signature while the
// member reads as absent: a timestamp that bounds a replay's age, a refund flag that tells
// a direct-debit refund from its deposit. The attributes, for the same reason, must be an
// object when present.
func checkTextMembers(n *wire.Notification) error {
	check := func(m map[string]any, keys []string, where string) error {
		for _, k := range keys {
			switch m[k].(type) {
			case map[string]any, []any:
				return reject("%s notification's %s%s is not text (a reshaped body)", n.Method, where, k)
			}
		}
		return nil
	}
	if err := check(n.Data, textData, ""); err != nil {
		return err
	}
	switch n.Data["attributes"].(type) {
	case nil, map[string]any:
	default:
		// {"refund":"1"} reads as "refund1", and so does the text "refund1".
		return reject("%s notification's attributes are not an object (a reshaped body)", n.Method)
	}
	return check(n.Attributes(), textAttributes, "attributes.")
}

// isUUID reports whether s has a UUID's form, 8-4-4-4-12 hexadecimal digits, as every
// notification uuid Trustly sends (trustly-jsonrpc.md §3.4, §3.5).
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := range len(s) {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// checkFlags refuses a notification in which a flag whose "1" changes what it means reads
// as unset while the serialized data holds the flag's name followed by 1. The serialization
// runs names and values together, so the boundaries between them can be moved without
// changing it: "refund":"1" sent as "refund1":"", the attributes' members as a data
// member "attributesref":"und1", "directdebitmandate":"1" split after the value before
// it. Such a body verifies with the genuine signature while the flag reads as unset: a
// direct-debit refund's debit as the reversal of the deposit, an active mandate as
// pending. The values of messageid and enduserid, which the merchant chooses and which
// sort apart from every flag, do not count. size is the body's length, which bounds the
// serialized data's.
func checkFlags(n *wire.Notification, size int) error {
	refund := !isSet(n.Data["refund"]) && !isSet(n.Attributes()["refund"])
	mandate := directDebitMandate(n) != "1"
	if !refund && !mandate {
		return nil
	}
	found := func(data map[string]any) (refundMoved, mandateMoved bool) {
		text, err := wire.AppendPlaintext(make([]byte, 0, size), "", "", data)
		if err != nil {
			return true, true // verified, so serializable: cannot happen
		}
		return refund && bytes.Contains(text, []byte("refund1")), mandate && bytes.Contains(text, []byte("directdebitmandate1"))
	}
	r, m := found(n.Data)
	if r || m {
		// Once more without the merchant's own texts, which may hold either name.
		data := make(map[string]any, len(n.Data))
		for k, v := range n.Data {
			if k != "messageid" && k != "enduserid" {
				data[k] = v
			}
		}
		r, m = found(data)
	}
	switch {
	case r:
		return reject("%s notification whose refund flag was moved out of its member (a reshaped body)", n.Method)
	case m:
		return reject("%s notification whose directdebitmandate was moved out of its member (a reshaped body)", n.Method)
	}
	return nil
}

// boundaryNames are the data members whose names a regrouped notification moves into a
// value or another member's name to change what it reads: the ids that decide whose it is
// and whether it was seen, the timestamp that bounds a replay's age, and the members whose
// loss changes what it says (trustly-jsonrpc.md §6.2). The refund flag has checkFlags.
var boundaryNames = []string{"amount", "attributes", "currency", "notificationid", "orderid", "timestamp", "verified"}

// identityAttributes are the attributes Trustly documents for the notifications whose
// attributes are the end user's identity: kyc (https://eu.developers.trustly.com/doc/reference/kyc-notification)
// and account with Lean KYC (https://eu.developers.trustly.com/doc/reference/account-notification);
// trustly-jsonrpc.md §6.2.
var identityAttributes = map[string][]string{
	"kyc": {"city", "country", "dob", "firstname", "lastname", "personid", "street", "zipcode"},
	"account": {"address", "bank", "city", "clearinghouse", "descriptor", "directdebitmandate", "lastdigits", "name",
		"personid", "zipcode"},
}

// checkBoundaries refuses a notification whose names and values may have been regrouped
// under its signature. The serialization runs every name and value together, so a body
// whose boundaries were moved verifies with the genuine signature. Trustly signs every
// merchant's notifications with one key, and the messageid and enduserid are the texts
// the merchant sent: another merchant can write "notificationid…orderid…" into its own
// MessageID and regroup its genuine notification into one about our order — a credit of
// our deposit nobody paid, or one carrying a notificationid Trustly has yet to send us,
// which would be remembered, as not ours, under it, and ours answered as its redelivery.
// The rest of the genuine text must then go into some member after the forged ones (the
// orderid's value, the timestamp's, or a member of another name). So no member but
// messageid, enduserid and attributes (whose text comes before the ids and may hold the
// merchant's) may hold one of boundaryNames in its value, nor in its name unless it is
// that name.
//
// A kyc or account notification's attributes are the end user's identity: their names
// must be the documented ones, and no value may hold the name of an attribute that the
// notification lacks or that sorts after the value's own ("city":"STOCKHOLMcountrySweden",
// "dob":"1965-12-17f","irstname":"Joe"). A genuine value holding such a name (in lower
// case, as the names are) is refused too: the price of telling it from a regrouped one.
func checkBoundaries(n *wire.Notification) error {
	buf := make([]byte, 0, 64)
	serialized := func(v any) []byte {
		buf = buf[:0]
		out, err := wire.AppendPlaintext(buf, "", "", v)
		if err != nil {
			return nil // verified, so serializable: cannot happen
		}
		buf = out
		return out
	}
	holds := func(text []byte, names []string, skip func(name string) bool) string {
		for _, name := range names {
			if !skip(name) && bytes.Contains(text, []byte(name)) {
				return name
			}
		}
		return ""
	}
	for k, v := range n.Data {
		switch k {
		case "messageid", "enduserid":
			continue // the merchant's own texts, which may hold anything
		case "attributes":
			// Their text comes before the ids: what they swallow of the members after
			// them (the currency, the merchant's texts) leaves an id missing or is
			// harmless, and a forged id made of their text leaves the genuine one to be
			// absorbed after it, which the rule below refuses.
			continue
		}
		if name := holds([]byte(k), boundaryNames, func(name string) bool { return name == k }); name != "" {
			return reject("%s notification with a member named %q (a regrouped body)", n.Method, k)
		}
		if name := holds(serialized(v), boundaryNames, func(string) bool { return false }); name != "" {
			return reject("%s notification whose %s holds %q (a regrouped body)", n.Method, k, name)
		}
	}
	names, ok := identityAttributes[n.Method]
	if !ok {
		return nil
	}
	a := n.Attributes()
	for k, v := range a {
		if !slices.Contains(names, k) {
			return reject("%s notification with attribute %q, which Trustly does not document (a regrouped body?)", n.Method, k)
		}
		text := serialized(v)
		if name := holds(text, names, func(name string) bool { _, present := a[name]; return present && name <= k }); name != "" {
			return reject("%s notification whose attribute %s holds %q (a regrouped body)", n.Method, k, name)
		}
	}
	return nil
}

// ErrNotification is matched by every notification rejection.
var ErrNotification = errors.New("trustly: notification rejected")

func reject(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrNotification, fmt.Sprintf(format, args...))
}

// VerifyNotification implements notify.Verifier: it verifies the signature with the
// Trustly public key over the raw decoded tree, checks the method and the fields it needs,
// and builds the neutral event.
func (c *Client) VerifyNotification(ctx context.Context, r *notify.Request) (*notify.Notification, error) {
	if r.Method != "" && r.Method != http.MethodPost {
		return nil, reject("HTTP method %s; Trustly POSTs notifications", r.Method)
	}
	n, err := wire.DecodeNotification(r.Body, c.s.trustlyPub, wire.WithMaxBodySize(notify.DefaultMaxBodyBytes))
	if err != nil {
		if errors.Is(err, wire.ErrBadSignature) {
			return nil, fmt.Errorf("%w: signature does not verify with the %s: %w", ErrNotification, c.s.publicKeyName(), err)
		}
		return nil, fmt.Errorf("%w: %w", ErrNotification, err)
	}
	if !isUUID(n.UUID) {
		// The signed text begins with the method and the uuid run together: a uuid of
		// another form may have had characters moved to or from the method ("credit2",
		// "58a2184-..."), keeping the signature while the method reads as another.
		return nil, reject("%s notification whose uuid is not a UUID", n.Method)
	}
	if err := checkTextMembers(n); err != nil {
		return nil, err
	}
	if err := checkFlags(n, len(r.Body)); err != nil {
		return nil, err
	}
	kinds, known := notificationKinds[n.Method]
	id, orderID := n.NotificationID(), n.OrderID()
	if !known {
		// A method added after this adapter was written: Trustly's Java client answers
		// unknown notifications OK once verified. It is acknowledged, so that Trustly
		// stops redelivering it, and reaches the application as Other with the raw body —
		// when its order is one of ours.
		other := c.otherNotification(r, n)
		calls := provider.CallsFrom(ctx)
		switch {
		case calls != nil && orderID == "":
			// Naming no order, it cannot be shown to be the merchant's: Trustly signs
			// every merchant's notifications with one key.
			other.NotOurs = fmt.Errorf("a %s notification naming no order", n.Method)
		case calls != nil:
			_, found, err := orderCall(ctx, calls, orderID, n.MessageID())
			if err != nil {
				return nil, fmt.Errorf("%w: reading what %s notification %s concerns: %w", notify.ErrRetryLater, n.Method, other.ID, err)
			}
			if !found {
				other.NotOurs = notOurs(orderID, n.MessageID())
			}
		}
		return other, nil
	}
	if err := checkBoundaries(n); err != nil {
		return nil, err
	}
	if id == "" {
		return nil, reject("%s notification without notificationid", n.Method)
	}
	if orderID == "" {
		return nil, reject("%s notification without orderid", n.Method)
	}
	detail := notificationData(n)
	ev := notify.Event{ID: id, Provider: Name, ProviderEvent: n.Method, ProviderStatus: n.Method,
		MerchantReference: n.MessageID(), Raw: r.Body, Detail: detail}
	amount, cur := n.Amount(), n.Currency()
	switch {
	case amount != "" && cur != "":
		if ev.Amount, err = parseAmount(amount, cur); err != nil {
			return nil, reject("%s notification amount: %v", n.Method, err)
		}
	case amountRequired[n.Method]:
		return nil, reject("%s notification without amount and currency", n.Method)
	}
	if ts := n.Timestamp(); ts != "" {
		ev.OccurredAt = parseTimestamp(ts)
	}
	if n.Method == "account" {
		accountID, _ := n.Get("accountid")
		verified, ok := n.Get("verified")
		if accountID == "" || !ok {
			return nil, reject("account notification without accountid or verified")
		}
		ev.AccountID, ev.Identity = accountID, detail.Holder
		ev.ProviderStatus = "verified=" + verified
	}

	d, err := c.classify(ctx, n, id, ev.Amount)
	if err != nil {
		return nil, fmt.Errorf("%w: reading what %s notification %s concerns: %w", notify.ErrRetryLater, n.Method, id, err)
	}
	ev.Kind = kinds[d.class]
	switch d.class {
	case classDeposit:
		ev.PaymentID, ev.MandateID = orderID, d.mandateID
	case classDDRefund:
		ev.PaymentID, ev.MandateID, ev.RefundID = orderID, d.mandateID, d.refundID
	case classDepositRefund:
		ev.PaymentID, ev.RefundID = orderID, d.refundID
	case classPayout:
		ev.PayoutID = orderID
	}
	switch {
	case d.class == classMandate:
		ev.MandateID = orderID // the SelectAccount order CreateMandate returned
		if n.Method == "account" {
			ev.ProviderStatus = "directdebitmandate=" + directDebitMandate(n)
			if d.mandateActive {
				ev.Kind = notify.MandateActive
			}
		}
	case n.Method == "account" && ev.ProviderStatus != "verified=1":
		ev.Kind = notify.AccountFailed
	case n.Method == "cancel" && d.class == classDeposit && d.afterPending:
		// The end user finished the deposit (pending) but the bank never confirmed it: the
		// payment failed rather than being abandoned.
		ev.Kind = notify.PaymentFailed
	}
	if ev.Kind == notify.AccountVerified || ev.Kind == notify.AccountFailed {
		ev.VerificationID = orderID // the SelectAccount order VerifyAccount returned
	}
	if ev.Kind == notify.PaymentIdentified {
		ev.PaymentID, ev.Identity = orderID, kycIdentity(n)
	}
	if ev.Kind == notify.PayoutRequested && d.orderAmount.IsValid() && !ev.Amount.Equal(d.orderAmount) {
		// The payee chose another amount than the Withdraw allowed: never the merchant's
		// to pay, whatever the application would decide.
		d.unrecorded = fmt.Errorf("a debit of %s on Withdraw order %s, which was made for %s", ev.Amount, orderID, d.orderAmount)
	}
	nn := &notify.Notification{ID: id, Event: ev, ReplyState: replyState{method: n.Method, uuid: n.UUID},
		AsksDecision: ev.Kind == notify.PaymentIdentified || ev.Kind == notify.PayoutRequested}
	switch {
	case d.foreign:
		nn.NotOurs = notOurs(orderID, n.MessageID())
	case d.unrecorded != nil:
		nn.NotOurs = d.unrecorded
	}
	if n.Method == "debit" && nn.NotOurs == nil {
		switch d.class {
		case classPayout:
			nn.ReplyState = replyState{method: n.Method, uuid: n.UUID, debit: debitWithdraw}
		case classDeposit, classDepositRefund:
			nn.ReplyState = replyState{method: n.Method, uuid: n.UUID, debit: debitDeposit}
		case classDDRefund:
			if d.ownDeposit {
				nn.ReplyState = replyState{method: n.Method, uuid: n.UUID, debit: debitDeposit}
			}
		}
	}
	return nn, nil
}

// NotificationReply implements notify.Verifier. A processed notification gets the signed
// reply echoing its uuid and method with status OK, HTTP 200 — for kyc, the application's
// decision (see kycStatus), and for a debit, OK or FAILED (see debitStatus); PKCS#1 v1.5
// signatures are deterministic, so a redelivery answered alike gets the same bytes. When
// the application could not process it, the answer is HTTP 500 without a Trustly reply,
// which Trustly treats as undelivered and sends again with the same notificationid
// (https://eu.developers.trustly.com/doc/reference/notifications-overview). A signed
// FAILED is sent only as the answer to a debit: Trustly acts on it — a FAILED debit
// aborts a withdrawal — so a failed callback leads to redelivery and nothing else. The
// same holds for kyc: a failed callback is neither CONTINUE nor FINISH, only redelivery.
func (c *Client) NotificationReply(n *notify.Notification, o notify.Outcome) (*notify.Reply, error) {
	st, ok := n.ReplyState.(replyState)
	if !ok {
		return nil, errors.New("trustly: notification was not verified by this adapter")
	}
	if o != notify.Processed {
		return &notify.Reply{StatusCode: http.StatusInternalServerError, Header: http.Header{"Content-Type": {"text/plain; charset=utf-8"}},
			Body: []byte("notification not processed; deliver it again\n")}, nil
	}
	status := "OK"
	switch st.method {
	case "kyc":
		status = kycStatus(n.Decision)
	case "debit":
		status = debitStatus(st.debit, n.Decision)
	}
	body, err := wire.EncodeNotificationReply(c.s.key, st.method, st.uuid, status)
	if err != nil {
		return nil, err
	}
	return &notify.Reply{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}}, Body: body}, nil
}

// The answers to a kyc notification, in the reply's data.status
// (https://eu.developers.trustly.com/doc/reference/kyc-notification, also
// https://docs.trustly.com/api/kyc-notification): CONTINUE allows the deposit — Trustly
// goes on to have the end user sign the transfer — and FINISH denies it, for example when
// the player is self-excluded, under age or has reached a deposit limit. The reply has the
// form of every notification reply, {"result":{"signature","uuid","method":"kyc",
// "data":{"status":...}},"version":"1.1"}, as Trustly's .NET client sends its kyc answer
// (trustly/trustly-client-net commit a9b71f1, "Implement KYC notification handler":
// NotificationResponse.Status through NotificationArgs.RespondWithCustomStatus). Trustly also documents "CONTINUE with a
// limit", whose fields are in an appendix this adapter does not know; it never sends one.
const (
	kycContinue = "CONTINUE"
	kycFinish   = "FINISH"
)

// kycStatus is the kyc answer for the application's decision. Only an explicit Continue
// lets the deposit go on. Undecided — a callback that returned nil without deciding, a
// notification of an order that is not the merchant's, or one answered without asking the
// application — is FINISH: the notification exists so that the merchant vets the payer
// before money moves, CONTINUE says the merchant "has performed all necessary checks", and
// a check nobody made must not be reported as passed. FINISH moves no money and the end
// user can start a new deposit; a wrongful CONTINUE cannot be taken back.
func kycStatus(d notify.Decision) string {
	if d == notify.Continue {
		return kycContinue
	}
	return kycFinish
}

// The answers to a debit notification (project fact file trustly-jsonrpc.md §4.3, §6.2;
// https://eu.developers.trustly.com/doc-old/docs/withdraw): for a Withdraw, OK says the
// merchant has taken the amount from what it owes the payee and the withdrawal goes on;
// FAILED aborts it, and Trustly sends a cancel.
const (
	debitOK     = "OK"
	debitFailed = "FAILED"
)

// debitStatus is the answer to a debit notification. OK lets money move when the debit
// is a Withdraw's, so it is sent only for an explicit Continue of the application on a
// Withdraw order of the merchant's own (a PayoutRequested event the Gateway matched to
// the merchant's Payout, of the amount asked for). Undecided — a callback that returned
// nil without deciding, a notification the Gateway refused as not the merchant's (another
// merchant's order, another amount, a second debit of the order), one answered without
// asking the application — and Abort are FAILED: the payee can ask again, while a wrongful
// OK pays out money the merchant may not owe. A debit of a deposit or charge of the
// merchant's (reversed after its credit), or a direct-debit refund's on such an order, is
// only acknowledged, OK. A debit of an order the adapter cannot place is FAILED: it may be
// a Withdraw.
func debitStatus(of debitOf, d notify.Decision) string {
	switch {
	case of == debitDeposit:
		return debitOK
	case of == debitWithdraw && d == notify.Continue:
		return debitOK
	}
	return debitFailed
}

// kycIdentity reads the end user's identity from a kyc notification's data: kycentityid,
// and attributes personid (Sweden, Finland and Estonia only), firstname, lastname, dob,
// street, zipcode, city and country
// (https://eu.developers.trustly.com/doc/reference/kyc-notification).
func kycIdentity(n *wire.Notification) *notify.Identity {
	a := n.Attributes()
	text := func(k string) string {
		v, _ := wire.Scalar(a[k])
		return v
	}
	entity, _ := n.Get("kycentityid")
	return &notify.Identity{ProviderID: entity, NationalID: text("personid"), FirstName: text("firstname"),
		LastName: text("lastname"), DateOfBirth: text("dob"), Street: text("street"), PostalCode: text("zipcode"),
		City: text("city"), Country: text("country")}
}

// decision is what a notification concerns.
type decision struct {
	class    orderClass
	refundID string // for classDepositRefund: the refund reported on, "" when none matched
	// afterPending: a deposit's cancel that came after its pending notification.
	afterPending bool
	// foreign: the Gateway's record shows that no call of the merchant created the order.
	foreign bool
	// unrecorded, when set, says why a notification of our deposit's order reports on no
	// call of the merchant: a refund outcome no refund in the journal can be.
	unrecorded error
	// mandateID: for a charge's order, the mandate it was charged under.
	mandateID string
	// mandateActive: for a mandate's account notification, directdebitmandate is 1.
	mandateActive bool
	// orderAmount: for a payout's order, the amount its call asked for (zero when the
	// journal does not say).
	orderAmount money.Amount
	// ownDeposit: for a direct-debit refund's debit, the journal shows its order is a
	// deposit or charge of the merchant's.
	ownDeposit bool
}

func notOurs(orderID, messageID string) error {
	return fmt.Errorf("no call of this merchant created Trustly order %s (MessageID %q)", orderID, messageID)
}

// Marks recorded through provider.Calls: facts a notification of a deposit's order
// establishes that the reading of later ones needs.
const (
	markPending  = "trustly.pending"  // by orderid: a pending notification's id
	markCredited = "trustly.credited" // by orderid: the id of the credit that confirmed the deposit
	markRefund   = "trustly.refund"   // by refund id: the id of the notification reporting its outcome
	markDebit    = "trustly.debit"    // by orderid: the id of a Withdraw's first debit notification
)

// classify decides what a notification concerns. Trustly sends credit, cancel and
// payoutconfirmation for deposits, refunds and payouts alike, naming only the order, so
// the answer comes from the Gateway's record of the calls that created the order
// (provider.CallsFrom); without it only a direct-debit refund and the methods that mean
// one thing whatever the order are read. Refunds are made on the deposit's order.
func (c *Client) classify(ctx context.Context, n *wire.Notification, id string, amount money.Amount) (decision, error) {
	calls := provider.CallsFrom(ctx)
	if isSet(n.Data["refund"]) || isSet(n.Attributes()["refund"]) {
		d := decision{class: classDDRefund}
		if calls != nil && n.Method != "pending" {
			// The outcome of one of the refunds made of the order: the one the journal
			// holds with the notification's amount (a cancel names none) that no other
			// notification reported on, as for a refund of a deposit. None is one made
			// outside the Gateway: the event then names the payment alone.
			refund, _, err := c.refundReported(ctx, calls, n.OrderID(), id, amount, parseTimestamp(n.Timestamp()))
			if err != nil {
				return decision{}, err
			}
			d.refundID = refund
		}
		if n.Method == "debit" && calls != nil {
			// The answer to a debit lets money move when the order is a Withdraw's: it is
			// OK only on an order the journal shows is the merchant's deposit or charge,
			// the orders a direct-debit refund refers to (see debitStatus).
			order, found, err := creatingCall(ctx, calls, n)
			if err != nil {
				return decision{}, err
			}
			d.ownDeposit = found && (order.Op == provider.OpPay || order.Op == provider.OpCharge)
		}
		return d, nil
	}
	if calls == nil {
		return decision{class: classUnknown}, nil
	}
	order, found, err := creatingCall(ctx, calls, n)
	switch {
	case err != nil:
		return decision{}, err
	case !found:
		return decision{class: classUnknown, foreign: true}, nil
	case order.Op == provider.OpPayout:
		// An AccountPayout's order (Payout with an AccountID) or a Withdraw's (without).
		// Only a Withdraw's gets a debit: it is the payee asking for the money (§4.3),
		// whereas Trustly reports an AccountPayout only by payoutconfirmation, credit or
		// cancel (https://docs.trustly.com/api/accountpayout). So a debit on a payout's
		// order is a Withdraw's — and never a deposit's, whose debit (a reversal after its
		// credit) comes on an order a Pay or Charge created. The journal says which call
		// made the order; a debit of an order it does not place is answered FAILED (see
		// debitStatus).
		d := decision{class: classPayout, orderAmount: order.Amount}
		if n.Method == "debit" && (!amount.IsValid() || !order.Amount.IsValid() || amount.Equal(order.Amount)) {
			// A Withdraw is debited once; its debit, delivered again, keeps its
			// notificationid. A debit under another id would take the amount a second
			// time: it is not the merchant's to pay, and is answered FAILED unasked. (A
			// debit of another amount is refused as such, and takes no place here.)
			first, err := calls.Mark(ctx, markDebit, n.OrderID(), id)
			if err != nil {
				return decision{}, err
			}
			if first != id {
				d.unrecorded = fmt.Errorf("a second debit of Withdraw order %s (the first was notification %s)", n.OrderID(), first)
			}
		}
		return d, nil
	case order.Op == provider.OpVerifyAccount:
		return decision{class: classAccount}, nil
	case order.Op == provider.OpCreateMandate:
		return mandateNotification(ctx, calls, n, id)
	}
	// A deposit's or a charge's order: Trustly reports both with pending, then credit or
	// cancel (https://docs.trustly.com/api/charge), and refunds of either on their order.
	d, err := c.depositNotification(ctx, calls, order, n.OrderID(), id, n.Method, amount, parseTimestamp(n.Timestamp()))
	if order.Op == provider.OpCharge {
		d.mandateID = order.Parent
	}
	return d, err
}

// creatingCall finds the call that created the notification's order (see orderCall), or,
// when the journal no longer has it, refunds made of the order, which make it a deposit.
func creatingCall(ctx context.Context, calls provider.Calls, n *wire.Notification) (provider.Call, bool, error) {
	order, found, err := orderCall(ctx, calls, n.OrderID(), n.MessageID())
	if err == nil && !found {
		// The deposit's own call may be gone from the journal (past its retention) while
		// refunds made of it later are still there.
		var refunds []provider.Call
		refunds, err = calls.Children(ctx, n.OrderID(), provider.OpRefund)
		order, found = provider.Call{Op: provider.OpPay}, len(refunds) > 0
	}
	return order, found, err
}

// directDebitMandate is an account notification's attributes.directdebitmandate: "1" when
// the account has a registered direct-debit mandate (Trustly's Java client,
// AccountNotificationDataAttributes.java). [I] It may come as text or as a number.
func directDebitMandate(n *wire.Notification) string {
	v, _ := wire.Scalar(n.Attributes()["directdebitmandate"])
	if v == "" {
		v = "0"
	}
	return v
}

// mandateNotification reads a notification of a mandate's SelectAccount order and records
// what Charge and GetMandate need (see mandates.go): the account id of an account
// notification, as pending or active by its directdebitmandate, and a cancel as the
// mandate's failure.
func mandateNotification(ctx context.Context, calls provider.Calls, n *wire.Notification, id string) (decision, error) {
	d := decision{class: classMandate}
	switch n.Method {
	case "account":
		accountID, _ := n.Get("accountid")
		mark := markMandatePending
		if d.mandateActive = directDebitMandate(n) == "1"; d.mandateActive {
			mark = markMandateActive
		}
		_, err := calls.MarkKept(ctx, mark, n.OrderID(), accountID)
		return d, err
	case "cancel":
		_, err := calls.MarkKept(ctx, markMandateFailed, n.OrderID(), id)
		return d, err
	}
	return d, nil
}

// orderCall finds the call that created an order, by the orderid its answer gave.
//
// A notification may also name, by the MessageID it sent, a call whose answer is missing:
// in flight, or lost. That proves nothing: MessageIDs are unique per merchant only, and
// Trustly signs every merchant's notifications with one key, so another merchant's order
// with the same MessageID (and amount) reads alike. Such a notification is neither
// delivered nor dropped: orderCall returns errUnsettled, and the notification is answered
// so that Trustly delivers it again. By then the answer has been recorded, or the call,
// repeated with its idempotency key, has been settled from Trustly (the identical signed
// request gets the original answer, with the orderid), and the orderid decides.
func orderCall(ctx context.Context, calls provider.Calls, orderID, messageID string) (provider.Call, bool, error) {
	if c, ok, err := calls.ByProviderID(ctx, orderID); err != nil || ok {
		return c, ok && c.Op != provider.OpRefund, err
	}
	found, err := calls.ByReference(ctx, messageID)
	if err != nil {
		return provider.Call{}, false, err
	}
	var unsettled *provider.Call
	for i, c := range found {
		switch {
		case c.Op == provider.OpRefund:
		case c.ProviderID == orderID:
			// Its answer was recorded after the look-up by orderid above.
			return c, true, nil
		case c.ProviderID == "" && unsettled == nil:
			unsettled = &found[i]
		}
	}
	if unsettled != nil {
		return provider.Call{}, false, fmt.Errorf("%w: %s call %q sent MessageID %q and its answer, with its orderid, is missing; "+
			"another merchant's order may carry the same MessageID, so Trustly must deliver order %s's notification again once the "+
			"call is settled (repeat it with its idempotency key)", errUnsettled, unsettled.Op, unsettled.Key, messageID, orderID)
	}
	return provider.Call{}, false, nil
}

// notificationClockSkew is how far the journal's clock may run ahead of Trustly's: a call
// recorded up to this long after a notification's timestamp may still be what it reports
// on. Both are kept by NTP in practice; the margin is wide so that a slow clock never
// costs a genuine outcome.
const notificationClockSkew = 5 * time.Minute

// errUnattributed is matched by the error for a notification the journal cannot yet
// attribute to the deposit or to one of its refunds.
var errUnattributed = errors.New("trustly: the notification cannot be attributed yet")

// errUnsettled is matched by orderCall's error for a notification that names, by its
// MessageID alone, a call whose answer is missing.
var errUnsettled = errors.New("trustly: the notification's order may be another merchant's")

// depositNotification reads a notification of a deposit's order. The deposit's own
// notifications are pending, then credit (or cancel), and debit when a credited deposit
// is reversed. A refund's outcome arrives on the same order: payoutconfirmation when
// Trustly confirms it, credit (money back to the merchant) or cancel when it fails
// (https://eu.developers.trustly.com/doc/reference/refund). Trustly executes a refund only
// once the deposit has settled, so a credit or cancel is a refund's once the deposit's
// credit has been seen. Before, a credit of the deposit's amount is the deposit's; a
// cancel is the deposit's when it has no refunds, and is delivered again later when it
// has, since it may be a refund's overtaking the deposit's credit.
//
// sent is when Trustly says it sent the notification (zero when unknown).
func (c *Client) depositNotification(ctx context.Context, calls provider.Calls, deposit provider.Call, orderID, id, method string,
	amount money.Amount, sent time.Time) (decision, error) {
	switch method {
	case "kyc":
		// Trustly asks before the end user signs the transfer and waits for the answer
		// (https://eu.developers.trustly.com/doc/reference/kyc-notification): [I] a kyc of
		// a deposit already pending or credited is not Trustly asking but a captured one
		// posted again after the store forgot it (a kyc has no timestamp to refuse it by).
		for _, mark := range []string{markPending, markCredited} {
			if seen, err := calls.Marked(ctx, mark, orderID); err != nil || seen != "" {
				d := decision{class: classDeposit}
				if seen != "" {
					d.unrecorded = fmt.Errorf("a kyc of deposit %s, which went on past its identification (notification %s)", orderID, seen)
				}
				return d, err
			}
		}
		return decision{class: classDeposit}, nil
	case "pending":
		_, err := calls.Mark(ctx, markPending, orderID, id)
		return decision{class: classDeposit}, err
	case "payoutconfirmation":
		return c.refundOutcome(ctx, calls, orderID, id, method, amount, sent)
	case "credit", "cancel":
		own, err := depositsOwn(ctx, calls, deposit, orderID, id, method, amount)
		if err != nil {
			return decision{}, err
		}
		if !own {
			return c.refundOutcome(ctx, calls, orderID, id, method, amount, sent)
		}
		pending, err := calls.Marked(ctx, markPending, orderID)
		return decision{class: classDeposit, afterPending: pending != ""}, err
	}
	return decision{class: classDeposit}, nil
}

// depositsOwn reports whether a credit or cancel notification id concerns the deposit
// itself rather than one of its refunds.
func depositsOwn(ctx context.Context, calls provider.Calls, deposit provider.Call, orderID, id, method string, amount money.Amount) (bool, error) {
	if deposit.Key == "" {
		// The deposit's call is gone from the journal, its refunds are not: it was
		// credited long ago, and a credit or cancel now is a refund's.
		return false, nil
	}
	credited, err := calls.Marked(ctx, markCredited, orderID)
	switch {
	case err != nil:
		return false, err
	case credited != "":
		return credited == id, nil // a redelivery of the deposit's credit, or a refund's
	case method == "cancel":
		// Not credited as far as the journal knows: the deposit was abandoned or not
		// confirmed, unless a refund of it was made. Trustly then queued the refund until
		// the deposit settled, and a cancel may be the refund's, overtaking the deposit's
		// credit (lost on the way, or still with another instance); the cancel names no
		// amount to tell. Trustly delivers it again, by when the credit has been read.
		refunds, err := calls.Children(ctx, orderID, provider.OpRefund)
		switch {
		case err != nil:
			return false, err
		case len(refunds) > 0:
			return false, fmt.Errorf("%w: a cancel of deposit %s, which has refunds, before its credit was read: the deposit's or "+
				"a refund's", errUnattributed, orderID)
		}
		return true, nil
	case amount.IsValid() && deposit.Amount.IsValid() && !amount.Equal(deposit.Amount):
		return false, nil // not the deposit's amount: a refund's
	}
	first, err := calls.Mark(ctx, markCredited, orderID, id)
	return first == id, err
}

// refundOutcome reads a notification of the deposit orderID that reports a refund's
// outcome. When no refund of the deposit in the journal has its amount (none at all, when
// it names no amount), it reports on nothing the merchant did through the Gateway (a
// refund made in Trustly's back office, say): it is acknowledged as not ours rather than
// delivered as a refund event that names no refund.
func (c *Client) refundOutcome(ctx context.Context, calls provider.Calls, orderID, id, method string, amount money.Amount,
	sent time.Time) (decision, error) {
	refund, candidates, err := c.refundReported(ctx, calls, orderID, id, amount, sent)
	d := decision{class: classDepositRefund, refundID: refund}
	switch {
	case err != nil || candidates:
	case amount.IsValid():
		d.unrecorded = fmt.Errorf("a %s of %s on deposit %s, and no refund of it in the journal has that amount",
			method, amount, orderID)
	default:
		d.unrecorded = fmt.Errorf("a %s on deposit %s after its credit, and the journal holds no refund of it",
			method, orderID)
	}
	return d, err
}

// refundReported returns the refund of the deposit orderID that notification id reports
// on: the oldest refund with its amount (any, when it has none) that no other notification
// reported on, among those Trustly is known to have accepted first, then among those whose
// answer is missing. "" when none is left; candidates reports whether any refund has the
// amount, reported on or not.
//
// A refund made after Trustly sent the notification (by its signed timestamp, sent) is
// not one it can report on, whatever its amount: without this rule, an old notification
// posted again — the outcome of a refund made outside the Gateway, acknowledged as not
// ours when it came — would be taken for the outcome of a later refund of the same
// amount, and that refund's own outcome then for no one's. notificationClockSkew allows
// for Trustly's clock and the journal's disagreeing.
func (c *Client) refundReported(ctx context.Context, calls provider.Calls, orderID, id string, amount money.Amount,
	sent time.Time) (refundID string, candidates bool, err error) {
	refunds, err := calls.Children(ctx, orderID, provider.OpRefund)
	if err != nil {
		return "", false, err
	}
	slices.SortStableFunc(refunds, func(a, b provider.Call) int {
		switch {
		case a.Settled == b.Settled:
			return 0
		case a.Settled:
			return -1
		}
		return 1
	})
	for _, r := range refunds {
		if amount.IsValid() && !amount.Equal(r.Amount) {
			continue
		}
		if !sent.IsZero() && r.CreatedAt.After(sent.Add(notificationClockSkew)) {
			continue
		}
		candidates = true
		refundID := c.requestUUID("Refund", r.Key) // the Refund's id (see Client.Refund)
		first, err := calls.Mark(ctx, markRefund, refundID, id)
		if err != nil {
			return "", true, err
		}
		if first == id {
			return refundID, true, nil
		}
	}
	return "", candidates, nil
}

func isSet(v any) bool {
	s, _ := wire.Scalar(v)
	return s == "1"
}

// parseAmount reads an incoming amount, which need not have two decimals ("11",
// "5.00000000000000000000").
func parseAmount(value, currency string) (money.Amount, error) {
	cur, err := money.ParseCurrency(currency)
	if err != nil {
		return money.Amount{}, err
	}
	d, err := decimal.NewFromString(value)
	if err != nil {
		return money.Amount{}, fmt.Errorf("%q is not a decimal", value)
	}
	return money.FromDecimal(d, cur)
}

// timestampLayouts are the PostgreSQL-style forms Trustly sends,
// e.g. "2010-01-20 14:42:04.675645+01".
var timestampLayouts = []string{"2006-01-02 15:04:05.999999999-07", "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999Z07:00"}

// parseTimestamp returns the zero time for text it cannot read; the time is informative.
func parseTimestamp(s string) time.Time {
	for _, l := range timestampLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t
		}
	}
	return time.Time{}
}

// NotificationData is a verified notification's data as Trustly sent it, which Event.As
// reaches (a *NotificationData target): what the neutral event leaves out, such as an
// account notification's bank, last digits and direct-debit mandate flag.
//
// An account notification's attributes carry the account holder's name, address and
// person id, so NotificationData's String, GoString, Format (every fmt verb) and LogValue
// show only Method, NotificationID, OrderID and MessageID. Read the other fields directly.
type NotificationData struct {
	// Method is the notification's method: credit, debit, pending, cancel, account, kyc, ...
	Method         string
	NotificationID string
	OrderID        string
	MessageID      string
	EndUserID      string
	// Amount and Currency are as sent (Amount in Trustly's decimal text); empty when the
	// notification carries none.
	Amount, Currency string
	// Timestamp is as sent, e.g. "2010-01-20 14:42:04.675645+01".
	Timestamp string
	// Attributes are data.attributes' text and number members, as written.
	Attributes map[string]string
	// AccountID and Verified are an account notification's accountid and verified ("1" or
	// "0").
	AccountID, Verified string
	// ClearingHouse, Bank, Descriptor (the account as the bank shows it, masked) and
	// LastDigits describe an account notification's account; DirectDebitMandate is "1"
	// when a direct-debit mandate is registered for it, "0" when not (attributes of the
	// same names).
	ClearingHouse, Bank, Descriptor, LastDigits, DirectDebitMandate string
	// Holder is the account holder as an account notification reports them when the
	// merchant uses Trustly's Lean KYC service: attributes personid (as NationalID), name,
	// address (as Street), zipcode and city
	// (https://eu.developers.trustly.com/doc/reference/account-notification); nil when
	// the notification carries none of them.
	Holder *notify.Identity
}

// String shows the notification's method and ids only, e.g.
// "trustly credit notification 1 (orderid 2, messageid m)".
func (d NotificationData) String() string {
	return "trustly " + d.Method + " notification " + d.NotificationID + " (orderid " + d.OrderID + ", messageid " + d.MessageID + ")"
}

// GoString shows the method and ids only, as Go syntax.
func (d NotificationData) GoString() string {
	return fmt.Sprintf("trustly.NotificationData{Method:%q, NotificationID:%q, OrderID:%q, MessageID:%q}",
		d.Method, d.NotificationID, d.OrderID, d.MessageID)
}

// Format writes GoString for %#v, String quoted for %q, and String for every other verb,
// so that no verb or flag (%+v, %x, %s) reaches the attributes.
func (d NotificationData) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		fmt.Fprint(f, d.GoString())
	case verb == 'q':
		fmt.Fprintf(f, "%q", d.String())
	default:
		fmt.Fprint(f, d.String())
	}
}

// LogValue logs the method and ids only.
func (d NotificationData) LogValue() slog.Value {
	return slog.GroupValue(slog.String("method", d.Method), slog.String("notification_id", d.NotificationID),
		slog.String("order_id", d.OrderID), slog.String("message_id", d.MessageID))
}

// notificationData copies what n's data says, for Event.Detail.
func notificationData(n *wire.Notification) *NotificationData {
	d := &NotificationData{Method: n.Method, NotificationID: n.NotificationID(), OrderID: n.OrderID(),
		MessageID: n.MessageID(), EndUserID: n.EndUserID(), Amount: n.Amount(), Currency: n.Currency(),
		Timestamp: n.Timestamp()}
	d.AccountID, _ = n.Get("accountid")
	d.Verified, _ = n.Get("verified")
	for k, v := range n.Attributes() {
		if text, ok := wire.Scalar(v); ok {
			if d.Attributes == nil {
				d.Attributes = map[string]string{}
			}
			d.Attributes[k] = text
		}
	}
	a := d.Attributes
	d.ClearingHouse, d.Bank, d.Descriptor, d.LastDigits = a["clearinghouse"], a["bank"], a["descriptor"], a["lastdigits"]
	d.DirectDebitMandate = a["directdebitmandate"]
	if n.Method == "account" && (a["personid"] != "" || a["name"] != "" || a["address"] != "" || a["zipcode"] != "" || a["city"] != "") {
		d.Holder = &notify.Identity{NationalID: a["personid"], Name: a["name"], Street: a["address"],
			PostalCode: a["zipcode"], City: a["city"]}
	}
	return d
}
