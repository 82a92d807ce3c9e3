package memprovider

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shopspring/decimal"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/secret"
)

// HostedBase is the base of the hosted-page URLs a Backend hands out.
const HostedBase = "https://pay.memprovider.invalid"

// Backend is the provider side of memprovider. It is safe for concurrent use. It prints
// and logs without its keys.
type Backend struct {
	*backendCore   // the state, keys included
	secret.Printed // memprovider.Backend{}
}

type backendCore struct {
	apiKey     secret.Value
	webhookKey secret.Value
	client     *http.Client
	notifyURL  string
	retryBase  time.Duration
	retryMax   time.Duration
	attempts   int
	float      decimal.Decimal
	now        func() time.Time
	chargeWait time.Duration
	ledgerPage int

	requests atomic.Int64
	// movements counts the money movements applied; lose is how many answers to
	// writes are still to be lost.
	movements atomic.Int64
	lose      atomic.Int64
	seq       atomic.Int64

	mu       sync.Mutex
	payments map[string]*payment
	refunds  map[string]*provider.Refund
	payouts  map[string]*provider.Payout
	// payoutPages are the interactive payouts whose payee has not yet chosen an
	// account: the NotificationURL each was made with, by payout id.
	payoutPages map[string]string
	captures    map[string]*provider.Capture
	mandates    map[string]*mandate
	ledger      []*ledgerRow
	verifs      map[string]*verification
	customers   map[string]*provider.Customer
	custOrder   []string
	idem        map[string]idemEntry
	balance     map[money.Currency]money.Amount
	deliveries  map[string]*Delivery

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

type payment struct {
	p         provider.Payment
	notifyURL string
	// manual says the payment was made with CaptureManual: approval authorizes it, and
	// Capture takes the money.
	manual bool
	detail PaymentDetail
}

// result returns a copy of the payment for a caller, with its Detail.
func (pm *payment) result() *provider.Payment {
	out := pm.p
	out.Detail = pm.detail.clone()
	return &out
}

type verification struct {
	v         provider.AccountVerification
	holderID  string
	notifyURL string
}

type idemEntry struct {
	id          string
	fingerprint string
}

// Delivery records the delivery of one notification.
type Delivery struct {
	EventID  string
	Kind     notify.Kind
	URL      string
	Attempts int
	// Acknowledged is true once the receiver answered 2xx.
	Acknowledged bool
	// LastStatus is the HTTP status of the last attempt (0 when the connection failed).
	LastStatus int
}

// BackendOption configures a Backend.
type BackendOption func(*Backend)

// WithAPIKey sets the API key clients must present (default: random).
func WithAPIKey(k secret.Value) BackendOption { return func(b *Backend) { b.apiKey = k } }

// WithWebhookKey sets the key notifications are signed with (default: random).
func WithWebhookKey(k secret.Value) BackendOption { return func(b *Backend) { b.webhookKey = k } }

// WithNotificationURL sets where notifications go when a request names no NotificationURL.
func WithNotificationURL(u string) BackendOption { return func(b *Backend) { b.notifyURL = u } }

// WithDeliveryClient sets the HTTP client used to deliver notifications.
func WithDeliveryClient(c *http.Client) BackendOption { return func(b *Backend) { b.client = c } }

// WithRetry sets the notification retry back-off (first wait, largest wait) and the number
// of attempts (defaults: 20ms, 1s, 30 attempts).
func WithRetry(first, max time.Duration, attempts int) BackendOption {
	return func(b *Backend) { b.retryBase, b.retryMax, b.attempts = first, max, attempts }
}

// WithFloat sets the merchant's opening balance in every currency, in major units
// (default 1000000). Payouts beyond the balance fail with InsufficientFunds.
func WithFloat(major int64) BackendOption {
	return func(b *Backend) { b.float = decimal.NewFromInt(major) }
}

// WithChargeDelay sets how long a Charge under a mandate stays PaymentPending before it
// succeeds (default 10ms), as a direct debit waits for the payer's bank.
func WithChargeDelay(d time.Duration) BackendOption { return func(b *Backend) { b.chargeWait = d } }

// WithLedgerPageSize sets how many entries one page of Client.Ledger reads (default 50);
// each page is one request to the Backend.
func WithLedgerPageSize(n int) BackendOption { return func(b *Backend) { b.ledgerPage = max(n, 1) } }

// NewBackend returns an empty Backend. Close it to stop notification deliveries.
func NewBackend(opts ...BackendOption) *Backend {
	ctx, cancel := context.WithCancel(context.Background())
	b := &Backend{&backendCore{
		apiKey:      secret.New("mem_" + randomHex(16)),
		webhookKey:  secret.New("whsec_" + randomHex(16)),
		client:      &http.Client{Timeout: 5 * time.Second},
		retryBase:   20 * time.Millisecond,
		retryMax:    time.Second,
		attempts:    30,
		float:       decimal.NewFromInt(1_000_000),
		now:         time.Now,
		chargeWait:  10 * time.Millisecond,
		ledgerPage:  50,
		payments:    map[string]*payment{},
		refunds:     map[string]*provider.Refund{},
		payouts:     map[string]*provider.Payout{},
		payoutPages: map[string]string{},
		captures:    map[string]*provider.Capture{},
		mandates:    map[string]*mandate{},
		verifs:      map[string]*verification{},
		customers:   map[string]*provider.Customer{},
		idem:        map[string]idemEntry{},
		balance:     map[money.Currency]money.Amount{},
		deliveries:  map[string]*Delivery{},
		ctx:         ctx,
		cancel:      cancel,
	}, secret.PrintAs("memprovider.Backend")}
	for _, o := range opts {
		o(b)
	}
	return b
}

// APIKey returns the key clients must present.
func (b *Backend) APIKey() secret.Value { return b.apiKey }

// WebhookKey returns the key notifications are signed with.
func (b *Backend) WebhookKey() secret.Value { return b.webhookKey }

// Requests returns how many API calls the backend has received, including refused ones.
func (b *Backend) Requests() int64 { return b.requests.Load() }

// Movements returns how many money movements the backend has applied: payments created
// (by Pay or by a Charge under a mandate), captures, refunds and payouts made. A write
// repeated with its idempotency key is not counted again.
func (b *Backend) Movements() int64 { return b.movements.Load() }

// LoseNextAnswers makes the next n successful writes (Pay, Refund, Payout, Capture, Void,
// CreateMandate, Charge, CancelMandate) take effect
// and then answer with UnknownOutcome, as when a reply is lost on the way back.
func (b *Backend) LoseNextAnswers(n int) { b.lose.Store(int64(n)) }

func (b *Backend) loseAnswer() bool {
	for {
		n := b.lose.Load()
		if n <= 0 {
			return false
		}
		if b.lose.CompareAndSwap(n, n-1) {
			return true
		}
	}
}

// Close stops notification deliveries and waits for them to end.
func (b *Backend) Close() {
	b.cancel()
	b.wg.Wait()
}

// Deliveries returns a snapshot of every notification delivery so far.
func (b *Backend) Deliveries() []Delivery {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]Delivery, 0, len(b.deliveries))
	for _, d := range b.deliveries {
		out = append(out, *d)
	}
	return out
}

// Balance returns the merchant's balance in c.
func (b *Backend) Balance(c money.Currency) money.Amount {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.balanceLocked(c)
}

func (b *Backend) balanceLocked(c money.Currency) money.Amount {
	if a, ok := b.balance[c]; ok {
		return a
	}
	a, err := money.FromDecimal(b.float, c)
	if err != nil {
		a = money.FromMinorCurrency(0, c)
	}
	b.balance[c] = a
	return a
}

func (b *Backend) newID(prefix string) string {
	return prefix + "_" + strconv.FormatInt(b.seq.Add(1), 10) + randomHex(4)
}

// authenticate counts the call and checks the key.
func (b *Backend) authenticate(key secret.Value) error {
	b.requests.Add(1)
	if key.IsZero() || !key.Equal(b.apiKey) {
		return &provider.Error{Code: provider.Unauthenticated, ProviderCode: "invalid_api_key",
			Message: "the API key was not accepted", HTTPStatus: http.StatusUnauthorized}
	}
	return nil
}

// remember implements idempotency: it returns the id stored under key, or "" after
// storing id. A key reused with a different request is refused.
func (b *Backend) rememberLocked(scope, key, fingerprint, id string) (string, error) {
	k := scope + "\x00" + key
	if e, ok := b.idem[k]; ok {
		if e.fingerprint != fingerprint {
			return "", &provider.Error{Code: provider.Duplicate, ProviderCode: "idempotency_key_reused",
				Message: "the idempotency key was used before with a different request", HTTPStatus: http.StatusConflict}
		}
		return e.id, nil
	}
	b.idem[k] = idemEntry{id: id, fingerprint: fingerprint}
	return "", nil
}

func notFound(what, id string) error {
	return &provider.Error{Code: provider.NotFound, ProviderCode: "not_found",
		Message: what + " " + strconv.Quote(id) + " does not exist", HTTPStatus: http.StatusNotFound}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func fingerprint(parts ...string) string { return strings.Join(parts, "\x1f") }
