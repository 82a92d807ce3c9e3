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
// Start one with [Start], register a merchant with [Server.NewMerchant] (or
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
// The simkit.Server a Server embeds gives its URL, Close, Requests, Deliveries and the
// fault knobs every simulator shares: FailNext (503 before processing), DropNext
// (processed, connection closed), SetLatency and SetChaos. Under SetChaos an Unsigned
// answer is Trustly's unsigned error form (620) and a BadSignature one has its signature
// replaced by one that does not verify; a processed request's answer is stored under its
// UUID before the fault is applied, so the identical request is answered as if no fault
// had happened; and a notification waiting for delivery also lets the next one of the
// same order go first at the reorder rate. Fault knobs of its own: GarbleNextReplies
// (processed, then a non-Trustly HTTP 500/502 page), UnsignedErrorNext (processed, then
// an unsigned 620) and FailNextWith (a signed error of a given code). Outcome knobs:
// CompleteOrder, Settle, ConfirmRefund, FailRefund (with Options.HoldRefunds; without it
// refunds execute by themselves after Options.RefundDelay), FailPayout, GrantMandate,
// RegisterMandate (with Options.HoldMandates), FailCharge, and PlantLedgerRow (a fee, an
// adjustment or a discrepancy on the ledger that no call made). Movements lists the money
// the merchants' accounts moved, for reconciliation.
//
// Trustly Direct Debit: a SelectAccount with Attributes.RequestDirectDebitMandate "1"
// (Email required, else 642 ERROR_INVALID_EMAIL) leads, once the end user confirms the
// account, to an account notification with attributes.directdebitmandate 0 and, when the
// mandate is registered (at once, or at RegisterMandate with Options.HoldMandates), a
// second one with 1; every account notification carries directdebitmandate. Charge is
// answered result "0" with ERROR_ACCOUNT_NOT_FOUND for an account that is not the end
// user's or not the merchant's (a mandate belongs to the merchant whose SelectAccount
// obtained it), and ERROR_MANDATE_NOT_FOUND for one without a registered mandate; an accepted charge gets a
// pending notification, then (unless Options.HoldCharges, or for a later PaymentDate, until
// Settle) a credit, booked on the ledger as transactiontype Charge; CancelCharge of a
// charge for a later date, and FailCharge, end it with a cancel notification.
//
// Withdraw (an interactive payout, which Trustly no longer offers to new merchants) gives
// a page where the end user chooses the bank account; then a debit notification asks the
// merchant whether the amount may be taken from what it owes the end user. A signed OK
// holds the withdrawal for ApproveWithdrawal or DenyWithdrawal (or approves it at once
// with Options.AutoApproveWithdrawals), and books the money leaving on the ledger; FAILED,
// or no valid answer before the attempts run out, ends it with a cancel notification. An
// approved withdrawal is reported with payoutconfirmation (unless
// Options.NoPayoutConfirmation), a denied one (or FailPayout) with a credit, the money
// back on the merchant's balance. GetWithdrawals reports the transfer.
package trustlysim

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"sync"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider/simkit"
	"github.com/paybridge/paybridge/provider/trustly/internal/wire"
	"github.com/paybridge/paybridge/secret"
)

// Options configure a Server. The zero value is valid.
type Options struct {
	// Options are the settings every simulator takes: the address to listen on, Chaos,
	// and the notification retry back-off (defaults: 1s doubling up to 1m, 20 attempts, a
	// client with a 10-second timeout). The MaxAttempts bound applies from the last time
	// a notification was overtaken by a later one of its order.
	simkit.Options
	// KeyBits is the size of the simulator's RSA key (default and minimum 2048).
	KeyBits int
	// AllowLoopbackHTTP accepts plain-http NotificationURLs on loopback hosts. Trustly
	// itself refuses every non-https NotificationURL with error 734; this option exists so
	// that tests can receive notifications on 127.0.0.1.
	AllowLoopbackHTTP bool
	// NoPayoutConfirmation turns off payoutconfirmation notifications (an option Trustly
	// enables per merchant; the simulator sends them unless told not to).
	NoPayoutConfirmation bool
	// AutoApproveWithdrawals approves a withdrawal (Withdraw) as soon as the merchant
	// answers its debit notification OK, as Trustly does for a merchant with automatic
	// approval. Without it the withdrawal waits for ApproveWithdrawal or DenyWithdrawal.
	AutoApproveWithdrawals bool
	// RefundDelay is how long an accepted refund of a settled deposit waits before the
	// simulator executes it (default 1s). A refund of a deposit that has not settled yet
	// stays queued until the deposit settles, then waits as long, as at Trustly. An
	// executed refund is reported with a payoutconfirmation on the deposit's order
	// (unless NoPayoutConfirmation).
	RefundDelay time.Duration
	// HoldRefunds keeps every accepted refund queued until ConfirmRefund or FailRefund
	// decides it, for tests that drive a refund's outcome themselves.
	HoldRefunds bool
	// HoldMandates leaves a direct-debit mandate the end user approved on a SelectAccount
	// page (RequestDirectDebitMandate "1") unregistered until RegisterMandate: the account
	// notification then says directdebitmandate 0, and Charge is rejected with
	// ERROR_MANDATE_NOT_FOUND. Without it the simulator registers the mandate at once,
	// sending the second account notification (directdebitmandate 1) right after the
	// first, where Trustly sends it when the bank has registered the mandate, usually the
	// next bank day (https://developers.trustly.com/emea/docs/introduction-tdd).
	HoldMandates bool
	// HoldCharges leaves a Charge due today pending (its pending notification sent)
	// until Settle credits it or FailCharge cancels it. Without it the simulator credits
	// it at once (credit notification, booked on the ledger), where Trustly does so the
	// following bank day.
	HoldCharges bool
	// NoDirectDebit is a merchant without Trustly Direct Debit: a Deposit or
	// SelectAccount asking for a mandate (RequestDirectDebitMandate "1"), or a Deposit
	// with QuickDeposit or ChargeAccountID, is refused with 712
	// ERROR_DIRECT_DEBIT_NOT_ALLOWED, and a Charge is answered result "0", rejected with
	// ERROR_DIRECT_DEBIT_NOT_ALLOWED, as Trustly answers a merchant it has not enabled.
	NoDirectDebit bool
	// LeanKYC adds the account holder's personid (where the country has one), name,
	// address, zipcode and city to account notifications, as Trustly does for a merchant
	// using its Lean KYC service
	// (https://eu.developers.trustly.com/doc/reference/account-notification).
	LeanKYC bool
	// Clock, when set, is the time the simulator's notifications carry in their
	// timestamp (default time.Now), for tests of what a notification's age decides.
	Clock func() time.Time
}

// Server is the simulator: it serves the API at /api/1 and the hosted pages at
// /checkout/. Create one with Start. The embedded simkit.Server gives its URL, Close, the
// fault knobs and Deliveries, and prints it without its keys. It is safe for concurrent
// use.
type Server struct {
	simkit.Server
	// The simulator's own state sits behind one pointer, which never prints.
	*server
}

// server is a Server's state. It holds credentials and keys, and is never printed.
type server struct {
	kit    *simkit.Kit
	opts   Options
	key    *rsa.PrivateKey
	pubPEM []byte

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

	synthetic syntheticLedgers // see SetSyntheticLedger

	mu        sync.Mutex
	merchants map[string]*merchant
	orders    map[string]*order
	tokens    map[string]*order
	accounts  map[string]*account
	replays   map[string]*replay // by merchant + UUID
	nextOrder int64
}

// Start starts a Server listening on Options.Addr (default: a free port of 127.0.0.1).
// Close it when done.
func Start(opts Options) (*Server, error) {
	if opts.KeyBits < wire.MinKeyBits {
		opts.KeyBits = wire.MinKeyBits
	}
	if opts.RefundDelay <= 0 {
		opts.RefundDelay = time.Second
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
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
	base, kit, err := simkit.Listen(opts.Options, simkit.Config{Name: "trustlysim", SignedAnswers: true})
	if err != nil {
		return nil, err
	}
	s := &Server{Server: base, server: &server{
		kit: kit, opts: opts, key: key, pubPEM: pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}),
		merchants: map[string]*merchant{}, orders: map[string]*order{}, tokens: map[string]*order{},
		accounts: map[string]*account{}, replays: map[string]*replay{}, nextOrder: 1_000_000_000 + n.Int64(),
	}}
	kit.Serve(s)
	return s, nil
}

// APIURL returns the JSON-RPC endpoint, URL() + "/api/1", for trustly.Config.BaseURL.
func (s *Server) APIURL() string { return s.URL() + "/api/1" }

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
	// account is the row's accountname; "" is SUSPENSE_ACCOUNT_CLIENT_FUNDS.
	account string
	// extraRef is the order's ExternalReference, for the settlement report.
	extraRef string
	currency string
	amount   money.Amount // signed
}

type replay struct {
	fp   [32]byte
	body []byte
}

// PublicKeyPEM returns the simulator's public key ("PUBLIC KEY" PEM), which verifies its
// responses and notifications: trustly.Config.TrustlyPublicKey.
func (s *Server) PublicKeyPEM() []byte { return append([]byte(nil), s.pubPEM...) }

// PublicKey returns the simulator's public key.
func (s *Server) PublicKey() *rsa.PublicKey { return &s.key.PublicKey }

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
