package trustly

import (
	"slices"
	"sync"
	"sync/atomic"

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

// Close implements provider.Provider. Calls after Close fail; idle connections of the
// default HTTP client are closed.
func (c *Client) Close() error {
	if !c.closed.Swap(true) {
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
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.m, method+"\x00"+messageID)
}

// orderKind is what a Trustly order was created for.
type orderKind int

const (
	orderUnknown orderKind = iota // an order the Client did not record
	orderDeposit
	orderPayout
	orderSelectAccount
)

// orderBook remembers the kind of the orders this Client created, and which deposits had
// a pending notification, so that notifications (which do not say) can be read. It holds
// at most max orders, dropping the oldest.
type orderBook struct {
	mu      sync.Mutex
	max     int
	kinds   map[string]orderKind
	pending map[string]bool
	order   []string
}

func newOrderBook(max int) *orderBook {
	return &orderBook{max: max, kinds: map[string]orderKind{}, pending: map[string]bool{}}
}

func (b *orderBook) add(orderID string, k orderKind) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.addLocked(orderID)
	b.kinds[orderID] = k
}

func (b *orderBook) addLocked(orderID string) {
	if _, ok := b.kinds[orderID]; ok {
		return
	}
	if b.pending[orderID] {
		return
	}
	b.order = append(b.order, orderID)
	for len(b.order) > b.max {
		delete(b.kinds, b.order[0])
		delete(b.pending, b.order[0])
		b.order = b.order[1:]
	}
}

func (b *orderBook) kind(orderID string) orderKind {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.kinds[orderID]
}

func (b *orderBook) markPending(orderID string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.addLocked(orderID)
	b.pending[orderID] = true
}

func (b *orderBook) hadPending(orderID string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.pending[orderID]
}
