package trustly

import (
	"slices"
	"sync"
	"sync/atomic"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
)

// Name is the adapter's name, used in results, events and errors.
const Name = "trustly"

// Client is the Trustly adapter and Trustly's own API client. It implements
// provider.Provider, Refunder, Payouter, AccountVerifier and notify.Verifier, and offers
// the Trustly methods that have no neutral form (Balance, AccountLedger, ...). It is safe
// for concurrent use.
type Client struct {
	s         *settings
	closed    atomic.Bool
	uncertain *uncertainBook
	orders    *orderBook
}

var (
	_ provider.Provider        = (*Client)(nil)
	_ provider.Refunder        = (*Client)(nil)
	_ provider.Payouter        = (*Client)(nil)
	_ provider.AccountVerifier = (*Client)(nil)
	_ notify.Verifier          = (*Client)(nil)
)

// New returns a Client for cfg, or an InvalidRequest *provider.Error naming the first bad
// Config field.
func New(cfg Config) (*Client, error) {
	s, err := cfg.check()
	if err != nil {
		return nil, err
	}
	return &Client{s: s, uncertain: newUncertainBook(4096), orders: newOrderBook(100_000)}, nil
}

// String describes the Client without its credentials.
func (c *Client) String() string {
	return "trustly.Client{username: " + c.s.username + ", environment: " + string(c.s.env) + "}"
}

// GoString describes the Client without its credentials.
func (c *Client) GoString() string { return c.String() }

// Name implements provider.Provider.
func (c *Client) Name() string { return Name }

// Account implements provider.Accounted: the merchant's API username, which keeps the
// journal entries of Gateways for different merchants apart.
func (c *Client) Account() string { return c.s.username }

// Environment returns the environment the Client was configured for.
func (c *Client) Environment() Environment { return c.s.env }

// Capabilities implements provider.Provider.
func (c *Client) Capabilities() provider.Capabilities {
	const noRead = "Trustly's API has no call that reads it back; outcomes arrive as notifications"
	return provider.Capabilities{
		Operations: []provider.Operation{
			provider.OpPay, provider.OpRefund, provider.OpPartialRefund, provider.OpMultipleRefunds,
			provider.OpPayout, provider.OpVerifyAccount, provider.OpVerifyAccountInteractive, provider.OpNotifications,
		},
		Currencies: slices.Clone(c.s.currencies),
		// A repeat with the same idempotency key is the byte-identical signed request
		// (same UUID), which Trustly answers with its first result.
		RepeatableWrites: []provider.Operation{provider.OpPay, provider.OpRefund, provider.OpPayout},
		Notes: map[provider.Operation]string{
			provider.OpGetPayment:             "a deposit's status: " + noRead,
			provider.OpGetRefund:              "a refund's status: " + noRead,
			provider.OpGetPayout:              "a payout's status: " + noRead + " (GetWithdrawals on the Client reports a payout's transfer state)",
			provider.OpGetAccountVerification: "an account selection: " + noRead,
			provider.OpCustomers:              "Trustly keeps no customer records; end users are identified by Person.ID (EndUserID) on each request",
		},
	}
}

// As implements provider.Provider: it sets a **Client target.
func (c *Client) As(target any) bool {
	if t, ok := target.(**Client); ok {
		*t = c
		return true
	}
	return false
}

// Close implements provider.Provider. Calls after Close fail. When the Client built its
// own HTTP client (Config.HTTPClient nil), its idle connections are closed; a client given
// in Config belongs to the caller and is left alone.
func (c *Client) Close() error {
	if !c.closed.Swap(true) && c.s.ownClient {
		c.s.httpClient.CloseIdleConnections()
	}
	return nil
}

// uncertainBook remembers, per method and MessageID, the last request whose outcome was
// unknown, so that a later ERROR_DUPLICATE_MESSAGE_ID can be resolved. It holds at most max
// entries, dropping the oldest.
type uncertainBook struct {
	mu    sync.Mutex
	max   int
	m     map[string]uncertainEntry
	order []string
}

type uncertainEntry struct {
	uuid string
	fp   [32]byte
}

func newUncertainBook(max int) *uncertainBook {
	return &uncertainBook{max: max, m: map[string]uncertainEntry{}}
}

func (b *uncertainBook) remember(method, messageID, uuid string, fp [32]byte) {
	k := method + "\x00" + messageID
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.m[k]; !ok {
		b.order = append(b.order, k)
	}
	b.m[k] = uncertainEntry{uuid: uuid, fp: fp}
	for len(b.order) > b.max {
		delete(b.m, b.order[0])
		b.order = b.order[1:]
	}
}

func (b *uncertainBook) lookup(method, messageID string) (uncertainEntry, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	e, ok := b.m[method+"\x00"+messageID]
	return e, ok
}

func (b *uncertainBook) forget(method, messageID string) {
	k := method + "\x00" + messageID
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.m[k]; !ok {
		return
	}
	delete(b.m, k)
	if i := slices.Index(b.order, k); i >= 0 {
		b.order = slices.Delete(b.order, i, i+1)
	}
}

// orderKind is what a Trustly order was created for.
type orderKind int

const (
	orderUnknown orderKind = iota // an order the Client did not record
	orderDeposit                  // a pay-in: Deposit (or a Charge that was refunded)
	orderPayout
	orderSelectAccount
)

// orderRecord is what the Client knows about one order.
type orderRecord struct {
	kind orderKind
	// pending: a pending notification arrived (deposits).
	pending bool
	// credited is the notificationid of the credit that confirmed the deposit.
	credited string
	// refunds are the accepted refunds of a deposit without a reported outcome, oldest
	// first; settled holds the ids of those with one.
	refunds []refundRecord
	settled map[string]bool
	// decided is how each notification of the order was read, so that a redelivery
	// (same notificationid) reads the same although the record has moved on.
	decided map[string]decision
}

// refundRecord is one accepted Refund of a deposit.
type refundRecord struct {
	id     string
	amount money.Amount
	// queued: accepted while the deposit was known not to be credited yet; Trustly holds
	// such a refund until the deposit settles, so the deposit's own credit comes first.
	queued bool
}

// decision is how one notification was read.
type decision struct {
	class    orderClass
	refundID string
	// afterPending: a deposit's notification that came after its pending one.
	afterPending bool
}

// orderBook remembers the kind of the orders this Client created or saw, and the state
// needed to read their notifications (which do not say what the order is). It holds at
// most max orders, dropping the oldest.
type orderBook struct {
	mu    sync.Mutex
	max   int
	recs  map[string]*orderRecord
	order []string
	// byMessage is the kind of the orders this Client asked for, by MessageID, recorded
	// before the request is sent: Trustly may notify about an order before its answer
	// has been read. A MessageID used for two kinds maps to orderUnknown.
	byMessage map[string]orderKind
	messages  []string
}

func newOrderBook(max int) *orderBook {
	return &orderBook{max: max, recs: map[string]*orderRecord{}, byMessage: map[string]orderKind{}}
}

// expect records that an order of kind k is being created with messageID.
func (b *orderBook) expect(messageID string, k orderKind) {
	if messageID == "" {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if old, ok := b.byMessage[messageID]; ok {
		if old != k {
			b.byMessage[messageID] = orderUnknown
		}
		return
	}
	b.byMessage[messageID] = k
	b.messages = append(b.messages, messageID)
	for len(b.messages) > b.max {
		delete(b.byMessage, b.messages[0])
		b.messages = b.messages[1:]
	}
}

// recordLocked returns the record of orderID, creating it with kind k when missing.
func (b *orderBook) recordLocked(orderID string, k orderKind) *orderRecord {
	if r := b.recs[orderID]; r != nil {
		return r
	}
	r := &orderRecord{kind: k}
	b.recs[orderID] = r
	b.order = append(b.order, orderID)
	for len(b.order) > b.max {
		delete(b.recs, b.order[0])
		b.order = b.order[1:]
	}
	return r
}

// add records an order the Client created.
func (b *orderBook) add(orderID string, k orderKind) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.recordLocked(orderID, k).kind = k
}

// addRefund records an accepted refund of a deposit. Repeating a refund (same id) records
// it once.
func (b *orderBook) addRefund(depositID, refundID string, amount money.Amount) {
	b.mu.Lock()
	defer b.mu.Unlock()
	_, known := b.recs[depositID]
	r := b.recordLocked(depositID, orderDeposit)
	if r.kind != orderDeposit || r.settled[refundID] {
		return
	}
	for _, x := range r.refunds {
		if x.id == refundID {
			return
		}
	}
	// [I] Only a deposit this Client created or saw pending, and whose credit it has not
	// seen, is known to be unsettled. A deposit it has no record of is taken as settled.
	queued := known && r.credited == ""
	r.refunds = append(r.refunds, refundRecord{id: refundID, amount: amount, queued: queued})
}

// classify reads a notification of orderID (with the MessageID messageID) under the
// book's lock with read, and remembers the result for redeliveries of notificationID.
func (b *orderBook) classify(orderID, messageID, notificationID string, read func(r *orderRecord) decision) decision {
	b.mu.Lock()
	defer b.mu.Unlock()
	r := b.recs[orderID]
	if r != nil {
		if d, ok := r.decided[notificationID]; ok {
			return d
		}
	}
	if r == nil {
		r = &orderRecord{}
		if messageID != "" {
			r.kind = b.byMessage[messageID]
		}
	}
	d := read(r)
	if r.kind == orderUnknown {
		return d // nothing learnt: keep no record
	}
	if _, stored := b.recs[orderID]; !stored {
		kept := b.recordLocked(orderID, r.kind)
		*kept = *r
		r = kept
	}
	if r.decided == nil {
		r.decided = map[string]decision{}
	}
	r.decided[notificationID] = d
	return d
}

// hasUnqueuedRefunds reports whether a refund is outstanding that is not waiting for the
// deposit to settle: then the deposit was credited before, and a credit or cancel now
// concerns the refund.
func (r *orderRecord) hasUnqueuedRefunds() bool {
	for _, x := range r.refunds {
		if !x.queued {
			return true
		}
	}
	return false
}

// settle removes the outstanding refund of r that a notification with amount (zero when
// none) reports on, and returns its id: the oldest with that amount, or the oldest when
// the notification has no amount. It returns "" when none matches.
func (r *orderRecord) settle(amount money.Amount) string {
	for i, x := range r.refunds {
		if amount.IsZero() || x.amount.Equal(amount) {
			r.refunds = append(r.refunds[:i:i], r.refunds[i+1:]...)
			if r.settled == nil {
				r.settled = map[string]bool{}
			}
			r.settled[x.id] = true
			return x.id
		}
	}
	return ""
}
