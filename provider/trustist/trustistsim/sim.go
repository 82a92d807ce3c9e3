package trustistsim

import (
	"crypto/rand"
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
	// Options are the settings every simulator takes: the address to listen on, Chaos,
	// and the webhook retry back-off (defaults: 1s doubling up to 1m, 20 attempts, a
	// client with a 10-second timeout).
	simkit.Options
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
	// Now is the server's clock (default time.Now).
	Now func() time.Time
	// TenantWebhookURL receives the tenant webhooks (onboard.session.completed and
	// onboard.session.failed, PascalCase); SetTenantWebhookURL changes it. Events raised
	// while it is empty are not delivered.
	TenantWebhookURL string
}

// Server simulates the Trustist Ecommerce API: Hawk authentication exactly as a Hawk
// server checks it (MAC, payload hash against the body, ±60 s skew answered with an
// authenticated WWW-Authenticate ts/tsm, nonce replay refused), merchant and tenant key
// permissions (403), payments with a hosted pay page, standing orders, customers,
// onboard sessions that connect a bank account, the merchant-info call, and merchant
// webhooks delivered with retries until a 2xx answer. Create one with Start. The
// embedded simkit.Server gives its URL, Close, the fault knobs and Deliveries, and prints
// it without its keys. It is safe for concurrent use.
type Server struct {
	simkit.Server
	// The simulator's own state sits behind one pointer, which never prints.
	*server
}

// server is a Server's state. It holds credentials and keys, and is never printed.
type server struct {
	kit      *simkit.Kit
	opts     Options
	merchant trustist.Key
	tenant   trustist.Key
	currency money.Currency
	hawk     *hawk.Server

	// The knobs, read without the lock.
	skew      atomic.Int64 // a time.Duration
	corruptSA atomic.Bool
	stripSA   atomic.Bool
	badTSM    atomic.Bool

	mu             sync.Mutex
	lagReads       int
	webhookURL     string
	tenantHookURL  string
	payments       map[string]*payment
	standingOrders map[string]*standingOrder
	customers      map[string]*customer
	custOrder      []string
	sessions       map[string]*session
	added          addedMerchants
	revoked        map[string]bool  // tenant-key permissions withdrawn (ais.go)
	endpoints      []*TenantWebhook // registered tenant webhook endpoints (webhookendpoints.go)
}

// Start starts a Server listening on Options.Addr (default: a free port of 127.0.0.1).
// Close it when done.
func Start(opts Options) (*Server, error) {
	st := &server{
		opts:           opts,
		merchant:       opts.Merchant,
		tenant:         opts.Tenant,
		currency:       opts.Currency,
		payments:       map[string]*payment{},
		standingOrders: map[string]*standingOrder{},
		customers:      map[string]*customer{},
		sessions:       map[string]*session{},
		tenantHookURL:  opts.TenantWebhookURL,
	}
	if st.merchant.IsZero() {
		st.merchant = trustist.Key{HawkID: uuid.NewString(), HawkKey: secret.New("sk_test_" + simkit.RandomHex(20))}
	}
	if st.tenant.IsZero() {
		st.tenant = trustist.Key{HawkID: uuid.NewString(), HawkKey: secret.New("tk_test_" + simkit.RandomHex(20))}
	}
	if st.currency.IsZero() {
		st.currency = money.MustCurrency("GBP")
	}
	base, kit, err := simkit.Listen(opts.Options, simkit.Config{Name: "trustistsim", SignedAnswers: true,
		Details: []string{"merchant", st.merchant.HawkID, "tenant", st.tenant.HawkID}})
	if err != nil {
		return nil, err
	}
	st.kit = kit
	s := &Server{Server: base, server: st}
	s.hawk = &hawk.Server{Credentials: s.keyOf, Now: s.now}
	kit.Serve(s)
	return s, nil
}

// MerchantKey returns the merchant key the server accepts.
func (s *Server) MerchantKey() trustist.Key { return s.merchant }

// TenantKey returns the tenant key the server accepts.
func (s *Server) TenantKey() trustist.Key { return s.tenant }

// Config returns an adapter configuration for this server, with both keys.
func (s *Server) Config() trustist.Config {
	return trustist.Config{BaseURL: s.URL(), Merchant: s.merchant, Tenant: s.tenant, Currency: s.currency}
}

// SetWebhookURL sets the merchant's webhook URL, as configured in the TrustistTransfer
// portal. Events raised while it is empty are not delivered.
func (s *Server) SetWebhookURL(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhookURL = u
}

// SetClockSkew moves the server's clock by d, so clients' timestamps look stale.
func (s *Server) SetClockSkew(d time.Duration) { s.skew.Store(int64(d)) }

// CorruptServerAuthorization makes responses carry a Server-Authorization header that
// does not verify, as a tampering intermediary would produce.
func (s *Server) CorruptServerAuthorization(on bool) { s.corruptSA.Store(on) }

// StripServerAuthorization makes answers to authenticated requests carry no
// Server-Authorization header, as an intermediary that removes the header (and may then
// edit the body) would deliver them. Hawk lets a server leave the header out.
func (s *Server) StripServerAuthorization(on bool) { s.stripSA.Store(on) }

// ForgeTimestampReplies makes stale-timestamp replies carry a tsm that does not
// authenticate the server time.
func (s *Server) ForgeTimestampReplies(on bool) { s.badTSM.Store(on) }

// now returns the server time: its clock, moved by SetClockSkew.
func (s *Server) now() time.Time {
	now := time.Now()
	if s.opts.Now != nil {
		now = s.opts.Now()
	}
	return now.Add(time.Duration(s.skew.Load()))
}

// keyOf returns the Hawk key of a known id.
func (s *Server) keyOf(id string) ([]byte, bool) {
	switch id {
	case s.merchant.HawkID:
		return s.merchant.HawkKey.Bytes(), true
	case s.tenant.HawkID:
		return s.tenant.HawkKey.Bytes(), true
	}
	return s.addedKey(id)
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
