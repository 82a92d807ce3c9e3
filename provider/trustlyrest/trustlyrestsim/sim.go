// Package trustlyrestsim simulates Trustly's North American REST API for tests and local
// runs: the REST endpoints the paybridge adapter uses, the hosted authorization page, signed
// browser redirects and signed webhooks, with the protocol's checks and error answers.
//
// What it checks as Trustly does, as Trustly's API reference
// (https://amer.developers.trustly.com/api-reference, whose OpenAPI document is
// https://amer.developers.trustly.com/openapi.json) and its official sample integration
// (https://github.com/TrustlyInc/trustly-nestjs-example) describe it: HTTP Basic
// authentication (error 375, HTTP 401); the establish requestSignature over the documented key
// order (375); required establish fields, USD/CAD, amounts as strings of at most 10
// characters with 2 decimals; merchantReference uniqueness for Authorize, Pay, Capture and
// Deposit transactions once authorized, processed or completed (error 210); split tokens on
// captures (380); partial and repeated captures adding up to the authorized amount at most
// and refunds up to the captured amount, each at least 0.99 (error 200); refunds of
// completed captures only, cancels of unprocessed transactions and of authorizations (13
// Voided, after which captures and deposits are refused). Recurring payments take a typed
// recurrence object whose recurringAmount caps each capture [I]; a capture with
// interactionId consumerNotPresent is accepted on a Recurring authorization only [I]. GET
// /transactions takes the filters the adapter uses (originalTransactionId,
// transactionType, transactionStatus, payment.merchantReference, createdAt.start and
// createdAt.end in epoch milliseconds, orderBy, sortOrder, count up to 100, startIndex)
// and refuses malformed ones (error 200). GET /payments (paymentType, merchantReference,
// paymentId, createdAt range, order, paging) and GET /payments/{id} answer Trustly's
// Payment objects with their totals; the account data endpoints of an authorization
// (…/paymentProvider/user, /accounts, /account/balance) answer deterministic bank data once
// the payer authorized; POST /accounts/tokenize tokenizes, verifying on request, with the
// sandbox's test accounts. BookWithoutCall and Rebook plant discrepancies between Trustly's
// books and the merchant's calls, for reconciliation tests.
//
// Several merchants can share a server (NewMerchant): each authenticates with its own
// accessId and accessKey, its notifications are signed with its own key, and it sees its
// own transactions, payments, customers and bank data only — another merchant's
// transaction is answered as an unknown one. Test hooks send the notifications no API call
// triggers: SendNotification (any eventType), SendDataReady, SendDispute and Reverse.
//
// Transactions carry Trustly's numeric types and statuses. Captures, refunds and deposits
// move from 1 Pending to 3 Processed to 4 Completed after Options.SettleDelay each, with a
// notification at each step. Notifications are form-encoded, signed with the accessKey
// (Authorization: Basic base64(accessId:signature)) and delivered again with back-off until
// answered with a 2xx status, or until Close.
//
// Inferences the simulator makes where the protocol is silent are marked [I] in the code.
package trustlyrestsim

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/paybridge/paybridge/provider/simkit"
	"github.com/paybridge/paybridge/secret"
)

// Options configures a Server. Zero values take the defaults given.
type Options struct {
	// Options are the settings every simulator takes: the address to listen on, Chaos
	// (Trustly REST does not sign its answers, so the Unsigned and BadSignature rates are
	// refused), and the notification retry back-off (defaults: 50ms doubling up to 2s,
	// 100 attempts; Trustly itself waits 5 minutes). The default DeliveryClient waits
	// AckTimeout for an answer.
	simkit.Options
	// AccessID, AccessKey and MerchantID are the merchant's credentials (default: random
	// accessId and accessKey, merchantId "1002463580").
	AccessID   string
	AccessKey  secret.Value
	MerchantID string
	// SettleDelay is how long a capture, refund or deposit stays in each of 1 Pending and
	// 3 Processed (default 20ms). A negative value holds them until Settle is called.
	SettleDelay time.Duration
	// NotificationURL is where notifications go when establish data names none.
	NotificationURL string
	// AckTimeout is how long a notification delivery waits for the merchant's answer before
	// counting it as unanswered and trying again later (default 3s, Trustly's limit:
	// https://amer.developers.trustly.com/payments/docs/event-notifications-webhooks).
	// It does not apply to a DeliveryClient given in Options.
	AckTimeout time.Duration
	// WithholdSplitToken leaves splitToken out of transactions read with the API, so that
	// the Authorize notification is the only place it appears. [I] Trustly's documentation
	// is not clear that GET /transactions/{id} returns it; use this to test callers that
	// must keep the token from the notification.
	WithholdSplitToken bool
	// WithoutBalanceApproval makes GET .../account/balance answer every merchant as
	// Trustly answers one its Compliance team has not approved for that restricted API
	// ([I] HTTP 403 with error 375, AccessControlException).
	WithoutBalanceApproval bool
	// DataReadyOnAuthorize sends a DataReady notification right after each Authorize
	// notification of a bank authorization: the bank data are ready at once. [I] Trustly
	// sends DataReady when the bank data it retrieved are complete
	// (https://amer.developers.trustly.com/api-reference/api/event-notifications/data-ready);
	// its delay is not documented.
	DataReadyOnAuthorize bool
}

// Server is a running simulator. Create it with Start; Close it when done. The embedded
// simkit.Server gives its URL, Close, the fault knobs and Deliveries, and prints it
// without its keys.
type Server struct {
	simkit.Server
	// The simulator's own state sits behind one pointer, which never prints.
	*server
}

// server is a Server's state. It holds credentials and keys, and is never printed.
type server struct {
	kit  *simkit.Kit
	opts Options
	key  []byte

	mu sync.Mutex
	// refuseCaptures are the error codes the next captures are refused with
	// (RefuseNextCapture), first first.
	refuseCaptures []int
	// merchants are the merchants the server knows, by accessId; primary is the one
	// Options describes. Each sees its own transactions, payments and customers only.
	merchants map[string]*merchant
	primary   *merchant
	txs       map[string]*tx
	payments  []*payment // in creation order
	txOrder   []string
	index     txIndex
	customers map[string]*customer
	custOrder []string
	nextID    int64
	nextEvent int64

	// writeFaults drops the answers of writes (DropNextWrite); lost counts the answers
	// dropped.
	writeFaults simkit.Faults
	lost        atomic.Int64
}

// Start starts a Server listening on Options.Addr (default: a free port of 127.0.0.1).
func Start(opts Options) (*Server, error) {
	if opts.AccessID == "" {
		opts.AccessID = "SimAccess" + simkit.RandomHex(6)
	}
	if opts.AccessKey.IsZero() {
		opts.AccessKey = secret.New("SimKey" + simkit.RandomHex(16))
	}
	if opts.MerchantID == "" {
		opts.MerchantID = "1002463580"
	}
	if opts.SettleDelay == 0 {
		opts.SettleDelay = 20 * time.Millisecond
	}
	if opts.AckTimeout <= 0 {
		opts.AckTimeout = 3 * time.Second
	}
	base, kit, err := simkit.Listen(opts.Options, simkit.Config{Name: "trustlyrestsim",
		Details: []string{"accessId", opts.AccessID, "merchantId", opts.MerchantID},
		Defaults: simkit.Options{RetryBase: 50 * time.Millisecond, RetryMax: 2 * time.Second, MaxAttempts: 100,
			DeliveryClient: &http.Client{Timeout: opts.AckTimeout}}})
	if err != nil {
		return nil, err
	}
	primary := &merchant{accessID: opts.AccessID, key: opts.AccessKey.Bytes(), merchantID: opts.MerchantID, notifyURL: opts.NotificationURL}
	s := &Server{Server: base, server: &server{
		kit: kit, opts: opts, key: opts.AccessKey.Bytes(), txs: map[string]*tx{}, customers: map[string]*customer{},
		nextID: 1002600000, nextEvent: 1002900000, index: newTxIndex(),
		merchants: map[string]*merchant{primary.accessID: primary}, primary: primary,
	}}
	kit.Serve(s)
	return s, nil
}

// APIURL returns the REST base URL, URL() + "/api/v1", for trustlyrest.Config.BaseURL.
func (s *Server) APIURL() string { return s.URL() + apiPrefix }

// AccessID returns the merchant's accessId.
func (s *Server) AccessID() string { return s.opts.AccessID }

// AccessKey returns the merchant's accessKey.
func (s *Server) AccessKey() string { return s.opts.AccessKey.Reveal() }

// MerchantID returns the merchant's merchantId.
func (s *Server) MerchantID() string { return s.opts.MerchantID }

// LostReplies returns how many answers DropNext and DropNextWrite have dropped.
func (s *Server) LostReplies() int64 { return s.lost.Load() }

// SetNotificationURL sets where the primary merchant's notifications go when establish
// data names none.
func (s *Server) SetNotificationURL(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.primary.notifyURL = u
}

// DropNextWrite makes the next n REST POST requests be processed and their answers lost,
// as DropNext does for every request. Lookups are answered normally.
func (s *Server) DropNextWrite(n int) { s.writeFaults.DropNext(n) }

// RefuseNextCapture makes the next capture of a payment's authorization be refused with
// Trustly's error code: 331 (the payer's account lacks the funds), 390 (fraud analysis),
// 326 or 397 (the split token expired or is not valid) — refusals a retry does not cure
// (project fact file trustly-rest.md §8). The authorization stays authorized, as at
// Trustly, until the merchant cancels it.
func (s *Server) RefuseNextCapture(code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuseCaptures = append(s.refuseCaptures, code)
}

const apiPrefix = "/api/v1"

// ServeHTTP implements http.Handler: the REST API under /api/v1 and the hosted pages under
// /start/.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/start/") {
		s.serveLightbox(w, r)
		return
	}
	if !strings.HasPrefix(r.URL.Path, apiPrefix+"/") {
		writeError(w, http.StatusNotFound, codeInvalidParameter, domainInvalidParameter, "Endpoint not supported")
		return
	}
	fault, ok := s.kit.Arrive(r.Context())
	if !ok {
		return
	}
	if fault == simkit.FailFault {
		writeError(w, http.StatusServiceUnavailable, codeInternal, domainInternal, "Service temporarily unavailable")
		return
	}
	m := s.authenticate(r.Header.Get("Authorization"))
	if m == nil {
		writeError(w, http.StatusUnauthorized, codeAccessControl, domainAccessControl, "Access not authorized")
		return
	}
	drop := s.kit.TakeDrop() || r.Method == http.MethodPost && s.writeFaults.TakeDrop()
	if drop || fault != simkit.NoFault {
		rec := httptest.NewRecorder()
		s.route(rec, r, m)
		if drop {
			s.lost.Add(1)
			s.kit.Drop(w)
			return
		}
		s.kit.Answer(w, r, fault, rec.Code, rec.Header(), rec.Body.Bytes())
		return
	}
	s.route(w, r, m)
}
