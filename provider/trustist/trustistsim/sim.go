package trustistsim

import (
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/paybridge/paybridge/internal/hawk"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider/simkit"
	"github.com/paybridge/paybridge/provider/trustist"
	"github.com/paybridge/paybridge/secret"
)

// Options configure a Server. The zero Options are usable.
type Options struct {
	// Merchant and Tenant are the keys the server accepts (default: random keys).
	Merchant trustist.Key
	Tenant   trustist.Key
	// Currency is the merchant account's currency (default GBP).
	Currency money.Currency
	// TenantPayments lets the tenant key create and read payments too; Trustist grants this
	// to some tenant keys. Off by default: the tenant key is refused on payment endpoints.
	TenantPayments bool
	// StandingOrdersDisabled makes the merchant's bank monitoring off, so standing-order
	// requests are refused as Trustist refuses them.
	StandingOrdersDisabled bool
	// SendCreatedEvents delivers payment.created webhooks when payments are created.
	// Off by default: only outcomes (payment.completed, payment.failed) are delivered.
	SendCreatedEvents bool
	// FullCreateAnswer makes POST /v1/payments answer with the whole payment (status,
	// amount, reference...) as GET /v1/payments/{id} does. Off by default: the create
	// answer carries only the members the create-payment page documents — id, payLink,
	// payIdString and payerServicesUrl — so clients must read the payment back.
	FullCreateAnswer bool
	// PascalCaseWebhooks writes webhook members in PascalCase (PaymentId, EventType), as
	// some Trustist payloads do.
	PascalCaseWebhooks bool
	// RetryFirst, RetryMax and Attempts set the webhook retry back-off (defaults 1s, 1m,
	// 20 attempts).
	RetryFirst time.Duration
	RetryMax   time.Duration
	Attempts   int
	// DeliveryClient posts webhooks (default: a client with a 10-second timeout).
	DeliveryClient *http.Client
	// Now is the server's clock (default time.Now).
	Now func() time.Time
	// Chaos injects seeded random faults into API requests and webhook deliveries from
	// the start (see Server.SetChaos); New panics when its rates are invalid. The zero
	// value injects none.
	Chaos Chaos
}

// Server simulates the Trustist Ecommerce API: Hawk authentication exactly as a Hawk
// server checks it (MAC, payload hash against the body, ±60 s skew answered with an
// authenticated WWW-Authenticate ts/tsm, nonce replay refused), merchant and tenant key
// permissions (403), payments with a hosted pay page, standing orders, customers,
// onboard sessions that connect a bank account, the merchant-info call, and merchant
// webhooks delivered with retries until a 2xx answer. Create one with Start (listening
// on 127.0.0.1) or New (a bare http.Handler). It is safe for concurrent use.
type Server struct {
	// All state sits behind one pointer, so that the Server prints without it: see
	// secret.Opaque.
	*server
}

// server is a Server's state. It holds credentials and keys, and is never printed.
type server struct {
	opts     Options
	merchant trustist.Key
	tenant   trustist.Key
	currency money.Currency
	hawk     *hawk.Server
	del      *simkit.Deliverer
	faults   simkit.Faults

	base     atomic.Value // string
	requests atomic.Int64
	srv      *http.Server

	mu             sync.Mutex
	skew           time.Duration
	corruptSA      bool
	stripSA        bool
	lagReads       int
	badTSM         bool
	webhookURL     string
	payments       map[string]*payment
	standingOrders map[string]*standingOrder
	customers      map[string]*customer
	custOrder      []string
	sessions       map[string]*session
	deliveries     []*Delivery
}

// New returns a Server that is not listening. baseURL is the address it will be reached
// at (it appears in pay links and onboarding URLs); serve it with any http.Server.
func New(baseURL string, opts Options) *Server {
	s := &Server{&server{
		opts:           opts,
		merchant:       opts.Merchant,
		tenant:         opts.Tenant,
		currency:       opts.Currency,
		payments:       map[string]*payment{},
		standingOrders: map[string]*standingOrder{},
		customers:      map[string]*customer{},
		sessions:       map[string]*session{},
	}}
	s.base.Store(strings.TrimRight(baseURL, "/"))
	if s.merchant.IsZero() {
		s.merchant = trustist.Key{HawkID: uuid.NewString(), HawkKey: secret.New("sk_test_" + randomHex(20))}
	}
	if s.tenant.IsZero() {
		s.tenant = trustist.Key{HawkID: uuid.NewString(), HawkKey: secret.New("tk_test_" + randomHex(20))}
	}
	if s.currency.IsZero() {
		s.currency = money.MustCurrency("GBP")
	}
	client := opts.DeliveryClient
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	if s.opts.RetryFirst <= 0 {
		s.opts.RetryFirst = time.Second
	}
	if s.opts.RetryMax <= 0 {
		s.opts.RetryMax = time.Minute
	}
	if s.opts.Attempts <= 0 {
		s.opts.Attempts = 20
	}
	s.hawk = &hawk.Server{Credentials: s.keyOf, Now: s.now}
	s.del = simkit.NewDeliverer(client, s.opts.RetryFirst, s.opts.RetryMax, s.opts.Attempts)
	if err := s.SetChaos(opts.Chaos); err != nil {
		panic(err)
	}
	return s
}

// Start starts a Server listening on a free port of 127.0.0.1. Close it when done.
func Start(opts Options) (*Server, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := New("http://"+l.Addr().String(), opts)
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(l) }()
	return s, nil
}

// URL returns the server's base URL, e.g. http://127.0.0.1:40123.
func (s *Server) URL() string { return s.base.Load().(string) }

// MerchantKey returns the merchant key the server accepts.
func (s *Server) MerchantKey() trustist.Key { return s.merchant }

// TenantKey returns the tenant key the server accepts.
func (s *Server) TenantKey() trustist.Key { return s.tenant }

// Config returns an adapter configuration for this server, with both keys.
func (s *Server) Config() trustist.Config {
	return trustist.Config{BaseURL: s.URL(), Merchant: s.merchant, Tenant: s.tenant, Currency: s.currency}
}

// Requests returns how many API requests (under /v1 and /api) the server has received,
// refused ones included. Hosted pages are not counted.
func (s *Server) Requests() int64 { return s.requests.Load() }

// Close stops the listener (when started with Start) and webhook deliveries, and waits
// for deliveries in progress to end.
func (s *Server) Close() {
	s.del.Close() // no delivery starts once this has begun
	if s.srv != nil {
		_ = s.srv.Close()
	}
}

// SetWebhookURL sets the merchant's webhook URL, as configured in the TrustistTransfer
// portal. Events raised while it is empty are not delivered.
func (s *Server) SetWebhookURL(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhookURL = u
}

// FailNext makes the next n API requests fail with 503 before they are processed.
func (s *Server) FailNext(n int) { s.faults.FailNext(n) }

// DropNextResponse makes the next n API requests be processed and then answered by
// closing the connection, as when a reply is lost.
func (s *Server) DropNextResponse(n int) { s.faults.DropNext(n) }

// SetLatency delays every API request by d before it is processed.
func (s *Server) SetLatency(d time.Duration) { s.faults.SetLatency(d) }

// SetClockSkew moves the server's clock by d, so clients' timestamps look stale.
func (s *Server) SetClockSkew(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.skew = d
}

// CorruptServerAuthorization makes responses carry a Server-Authorization header that
// does not verify, as a tampering intermediary would produce.
func (s *Server) CorruptServerAuthorization(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.corruptSA = on
}

// StripServerAuthorization makes answers to authenticated requests carry no
// Server-Authorization header, as an intermediary that removes the header (and may then
// edit the body) would deliver them. Hawk lets a server leave the header out.
func (s *Server) StripServerAuthorization(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stripSA = on
}

// ForgeTimestampReplies makes stale-timestamp replies carry a tsm that does not
// authenticate the server time.
func (s *Server) ForgeTimestampReplies(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.badTSM = on
}

func (s *Server) now() time.Time {
	now := time.Now()
	if s.opts.Now != nil {
		now = s.opts.Now()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return now.Add(s.skew)
}

// keyOf returns the Hawk key of a known id.
func (s *Server) keyOf(id string) ([]byte, bool) {
	switch id {
	case s.merchant.HawkID:
		return s.merchant.HawkKey.Bytes(), true
	case s.tenant.HawkID:
		return s.tenant.HawkKey.Bytes(), true
	}
	return nil, false
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// shortID returns a ShortGuid-style id of 12 letters and digits, like Trustist's
// customer ids (3kTp9j2mN5xR).
func shortID() string {
	const alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	// Make sure the id contains a digit, so digit-shifting tamper tests always change it.
	b[3] = alphabet[len(alphabet)-8+int(b[3])%8]
	return string(b)
}
