// Package trustlysim is a Trustly JSON-RPC (api/1) look-alike for tests and local
// development. It has its own RSA key pair, checks each request's credentials and
// signature against the merchant's configured public key exactly as Trustly does, answers
// with Trustly's signed result and error envelopes and codes, keeps orders in a state
// machine, serves the hosted page an end user completes, and delivers signed notifications
// with retries until the merchant replies with a correctly signed OK.
//
// A Deposit made with Attributes.RequestKYC "1" is identity-checked as at Trustly: once
// the end user has acted at the bank (approve, approve later or decline), a kyc
// notification with the end user's identity goes out and the deposit waits. The
// merchant's signed CONTINUE lets the end user's action take effect; FINISH — or no valid
// answer before the attempts run out — ends the deposit with a cancel notification, and no
// money moves. The hosted page's form answers only once the merchant has answered.
//
// Start one on 127.0.0.1 with [Start], register a merchant with [Server.NewMerchant] (or
// [Server.AddMerchant] with your own public key), and point the trustly adapter at
// [Server.APIURL] with [Server.PublicKeyPEM] as its Trustly public key.
//
// Behaviour that Trustly documents but does not pin down is marked [I] in comments:
// ERROR_INVALID_AMOUNT (615) for a refund above what remains of the deposit,
// ERROR_INVALID_PARAMETERS (623) for bank details that fail validation, for an amount sent
// as a JSON number instead of text, for a Refund without the Attributes member and for
// an AccountPayout without Attributes.ShopperStatement, ERROR_UNKNOWN (620) for unknown
// order and account ids and for a request without the "version" member,
// ERROR_FUNCTION_ACCESS_DENIED (602) for methods the simulator does not offer; and the
// replay of error answers: once a request is authenticated, its answer, result or error,
// is stored under its UUID.
//
// Fault knobs: FailNext (503 before processing), SetLatency, DropNextReplies (processed,
// connection closed), GarbleNextReplies (processed, then a non-Trustly HTTP 500/502 page),
// UnsignedErrorNext (processed, then an unsigned 620), FailNextWith (a signed error of a
// given code), and SetChaos (seeded random request and notification faults). Outcome
// knobs: CompleteOrder, Settle, ConfirmRefund, FailRefund (with Options.HoldRefunds; without
// it refunds execute by themselves after Options.RefundDelay), FailPayout, GrantMandate.
// Movements lists the money the merchant's account moved, for reconciliation.
package trustlysim

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider/simkit"
	"github.com/paybridge/paybridge/provider/trustly/internal/wire"
	"github.com/paybridge/paybridge/secret"
)

// Options configure a Server. The zero value is valid.
type Options struct {
	// KeyBits is the size of the simulator's RSA key (default and minimum 2048).
	KeyBits int
	// RetryBase is the first wait before redelivering a notification that was not
	// acknowledged (default 1s); it doubles up to RetryMax (default 1m).
	RetryBase, RetryMax time.Duration
	// MaxAttempts bounds the deliveries of one notification (default 20).
	MaxAttempts int
	// AllowLoopbackHTTP accepts plain-http NotificationURLs on loopback hosts. Trustly
	// itself refuses every non-https NotificationURL with error 734; this option exists so
	// that tests can receive notifications on 127.0.0.1.
	AllowLoopbackHTTP bool
	// NoPayoutConfirmation turns off payoutconfirmation notifications (an option Trustly
	// enables per merchant; the simulator sends them unless told not to).
	NoPayoutConfirmation bool
	// RefundDelay is how long an accepted refund of a settled deposit waits before the
	// simulator executes it (default 1s). A refund of a deposit that has not settled yet
	// stays queued until the deposit settles, then waits as long, as at Trustly. An
	// executed refund is reported with a payoutconfirmation on the deposit's order
	// (unless NoPayoutConfirmation).
	RefundDelay time.Duration
	// HoldRefunds keeps every accepted refund queued until ConfirmRefund or FailRefund
	// decides it, for tests that drive a refund's outcome themselves.
	HoldRefunds bool
	// Client delivers notifications (default: a client with a 10-second timeout).
	Client *http.Client
	// Chaos injects seeded random faults into API requests and notification deliveries
	// from the start (see Server.SetChaos). The zero value injects none.
	Chaos Chaos
}

// Server is the simulator: an http.Handler serving the API at /api/1 and the hosted
// pages at /checkout/. It is safe for concurrent use.
type Server struct {
	// All state sits behind one pointer, so that the Server prints without it: see
	// secret.Opaque.
	*server
}

// server is a Server's state. It holds credentials and keys, and is never printed.
type server struct {
	opts   Options
	key    *rsa.PrivateKey
	pubPEM []byte
	hs     *httptest.Server
	base   string

	requests atomic.Int64
	faults   simkit.Faults
	// replies are the faults that change the answers of processed requests.
	replies struct {
		sync.Mutex
		errorNext []int
		// garbleNext answers processed requests with these HTTP statuses and a body that
		// is not a Trustly answer, one per request.
		garbleNext []int
		// unsignedNext answers that many processed requests with an unsigned error.
		unsignedNext int
	}

	del *simkit.Deliverer

	synthetic syntheticLedgers // see SetSyntheticLedger

	mu         sync.Mutex
	merchants  map[string]*merchant
	orders     map[string]*order
	tokens     map[string]*order
	accounts   map[string]*account
	replays    map[string]*replay // by merchant + UUID
	deliveries []*Delivery
	nextOrder  int64
}

type merchant struct {
	username   string
	password   string
	pub        *rsa.PublicKey
	messageIDs map[string]string // MessageID -> orderid
	balance    map[string]int64  // currency -> minor units
	ledger     []ledgerEntry
}

type ledgerEntry struct {
	at        time.Time
	orderID   string
	messageID string
	kind      string
	currency  string
	amount    money.Amount // signed
}

type replay struct {
	fp   [32]byte
	body []byte
}

// New returns a Server that is not listening; serve it yourself and give its public base
// URL (used in hosted-page URLs) as baseURL.
func New(baseURL string, opts Options) (*Server, error) {
	if opts.KeyBits < wire.MinKeyBits {
		opts.KeyBits = wire.MinKeyBits
	}
	if opts.RetryBase <= 0 {
		opts.RetryBase = time.Second
	}
	if opts.RetryMax <= 0 {
		opts.RetryMax = time.Minute
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 20
	}
	if opts.RefundDelay <= 0 {
		opts.RefundDelay = time.Second
	}
	if opts.Client == nil {
		opts.Client = &http.Client{Timeout: 10 * time.Second}
	}
	key, err := rsa.GenerateKey(rand.Reader, opts.KeyBits)
	if err != nil {
		return nil, fmt.Errorf("trustlysim: generating key: %w", err)
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return nil, err
	}
	n, _ := rand.Int(rand.Reader, big.NewInt(900_000_000))
	s := &Server{&server{
		opts: opts, key: key, pubPEM: pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}),
		base: strings.TrimRight(baseURL, "/"), del: simkit.NewDeliverer(opts.Client, opts.RetryBase, opts.RetryMax, opts.MaxAttempts),
		merchants: map[string]*merchant{}, orders: map[string]*order{}, tokens: map[string]*order{},
		accounts: map[string]*account{}, replays: map[string]*replay{}, nextOrder: 1_000_000_000 + n.Int64(),
	}}
	if err := s.SetChaos(opts.Chaos); err != nil {
		return nil, err
	}
	return s, nil
}

// Start returns a Server listening on 127.0.0.1 on a free port.
func Start(opts Options) (*Server, error) {
	s, err := New("", opts)
	if err != nil {
		return nil, err
	}
	s.hs = simkit.StartServer(s)
	s.base = s.hs.URL
	return s, nil
}

// URL returns the base URL of the simulator, e.g. "http://127.0.0.1:41234".
func (s *Server) URL() string { return s.base }

// APIURL returns the JSON-RPC endpoint, URL() + "/api/1", for trustly.Config.BaseURL.
func (s *Server) APIURL() string { return s.base + "/api/1" }

// PublicKeyPEM returns the simulator's public key ("PUBLIC KEY" PEM), which verifies its
// responses and notifications: trustly.Config.TrustlyPublicKey.
func (s *Server) PublicKeyPEM() []byte { return append([]byte(nil), s.pubPEM...) }

// PublicKey returns the simulator's public key.
func (s *Server) PublicKey() *rsa.PublicKey { return &s.key.PublicKey }

// Requests returns how many API requests the simulator has received (hosted pages and
// notifications excluded).
func (s *Server) Requests() int64 { return s.requests.Load() }

// Close stops the listener (when started with Start) and any notification deliveries,
// and waits for them to end.
func (s *Server) Close() {
	s.del.Close()
	if s.hs != nil {
		s.hs.Close()
	}
}

// AddMerchant registers a merchant: its API credentials and the public key (PEM) that
// verifies its requests and notification replies. A nil key is allowed and makes every
// request of the merchant fail with ERROR_NO_PUBLIC_KEY (639).
func (s *Server) AddMerchant(username, password string, publicKeyPEM []byte) error {
	if username == "" || password == "" {
		return errors.New("trustlysim: username and password are required")
	}
	m := &merchant{username: username, password: password, messageIDs: map[string]string{}, balance: map[string]int64{}}
	if publicKeyPEM != nil {
		pub, err := wire.ParsePublicKey(publicKeyPEM)
		if err != nil {
			return err
		}
		m.pub = pub
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.merchants[username]; dup {
		return fmt.Errorf("trustlysim: merchant %q exists", username)
	}
	s.merchants[username] = m
	return nil
}

// Credentials are a merchant's API credentials, as trustly.Config takes them.
type Credentials struct {
	Username string
	Password secret.Value
	// PrivateKey is the merchant's private key as PKCS#8 PEM.
	PrivateKey secret.Value
}

// NewMerchant registers a merchant with a random password and a new 2048-bit key pair
// and returns its credentials.
func (s *Server) NewMerchant(username string) (Credentials, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return Credentials{}, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return Credentials{}, err
	}
	pubDER, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return Credentials{}, err
	}
	pw := "pw-" + randomDigits(16)
	if err := s.AddMerchant(username, pw, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})); err != nil {
		return Credentials{}, err
	}
	return Credentials{Username: username, Password: secret.New(pw),
		PrivateKey: secret.FromBytes(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))}, nil
}

// FailNext makes the next n API requests fail with HTTP 503 before they are processed.
func (s *Server) FailNext(n int) { s.faults.FailNext(n) }

// DropNextReplies makes the next n API requests be processed but their answers lost: the
// connection is closed instead of answered.
func (s *Server) DropNextReplies(n int) { s.faults.DropNext(n) }

// SetLatency delays every API request by d before processing.
func (s *Server) SetLatency(d time.Duration) { s.faults.SetLatency(d) }

// FailNextWith makes the next API requests, one per code, fail with a signed Trustly
// error of that code (after the credentials and signature are checked).
func (s *Server) FailNextWith(codes ...int) {
	s.replies.Lock()
	s.replies.errorNext = append(s.replies.errorNext, codes...)
	s.replies.Unlock()
}

// GarbleNextReplies makes the next n API requests be processed and then answered with HTTP
// status and a body that is not a Trustly answer (as a proxy or a crashing front end
// would), for example 500 or 502.
func (s *Server) GarbleNextReplies(n, status int) {
	s.replies.Lock()
	for ; n > 0; n-- {
		s.replies.garbleNext = append(s.replies.garbleNext, status)
	}
	s.replies.Unlock()
}

// UnsignedErrorNext makes the next n API requests be processed and then answered with
// Trustly's unsigned error form, {"version":"1.1","error":{"name":"JSONRPCError",
// "code":620,"message":"ERROR_UNKNOWN"}}, which carries no signature and so proves
// nothing about what happened.
func (s *Server) UnsignedErrorNext(n int) {
	s.replies.Lock()
	s.replies.unsignedNext = n
	s.replies.Unlock()
}

// Balance returns the merchant's balance in currency as decimal text.
func (s *Server) Balance(username, currency string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.merchants[username]
	if m == nil {
		return ""
	}
	c, err := money.ParseCurrency(currency)
	if err != nil {
		return ""
	}
	return money.FromMinorCurrency(m.balance[currency], c).Fixed()
}

func randomDigits(n int) string {
	b := make([]byte, n)
	for i := range b {
		d, _ := rand.Int(rand.Reader, big.NewInt(10))
		b[i] = byte('0' + d.Int64())
	}
	return string(b)
}
