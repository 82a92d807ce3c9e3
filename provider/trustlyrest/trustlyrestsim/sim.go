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
// captures (380); captures up to the authorized amount and refunds up to the captured amount,
// at least 0.99 (error 200); refunds of completed captures only, cancels of unprocessed ones.
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
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/paybridge/paybridge/provider/simkit"
	"github.com/paybridge/paybridge/provider/trustlyrest/internal/signing"
	"github.com/paybridge/paybridge/secret"
)

// Options configures a Server. Zero values take the defaults given.
type Options struct {
	// AccessID, AccessKey and MerchantID are the merchant's credentials (default: random
	// accessId and accessKey, merchantId "1002463580").
	AccessID   string
	AccessKey  secret.Value
	MerchantID string
	// SettleDelay is how long a capture, refund or deposit stays in each of 1 Pending and
	// 3 Processed (default 20ms). A negative value holds them until Settle is called.
	SettleDelay time.Duration
	// RetryBase and RetryMax bound the back-off between notification deliveries (defaults
	// 50ms and 2s; Trustly itself waits 5 minutes). MaxAttempts bounds the deliveries of one
	// notification (default 100).
	RetryBase   time.Duration
	RetryMax    time.Duration
	MaxAttempts int
	// NotificationURL is where notifications go when establish data names none.
	NotificationURL string
	// AckTimeout is how long a notification delivery waits for the merchant's answer before
	// counting it as unanswered and trying again later (default 3s, Trustly's limit:
	// https://amer.developers.trustly.com/payments/docs/event-notifications-webhooks).
	AckTimeout time.Duration
	// WithholdSplitToken leaves splitToken out of transactions read with the API, so that
	// the Authorize notification is the only place it appears. [I] Trustly's documentation
	// is not clear that GET /transactions/{id} returns it; use this to test callers that
	// must keep the token from the notification.
	WithholdSplitToken bool
	// Chaos injects seeded random faults into REST requests and notification deliveries
	// from the start (see Server.SetChaos); Start panics when its rates are invalid. The
	// zero value injects none.
	Chaos Chaos
}

// Server is a running simulator. Create it with Start; Close it when done.
type Server struct {
	// All state sits behind one pointer, so that the Server prints without it: see
	// secret.Opaque.
	*server
}

// server is a Server's state. It holds credentials and keys, and is never printed.
type server struct {
	opts Options
	srv  *httptest.Server
	key  []byte

	mu         sync.Mutex
	txs        map[string]*tx
	txOrder    []string
	index      txIndex
	customers  map[string]*customer
	custOrder  []string
	nextID     int64
	nextEvent  int64
	notifyURL  string
	deliveries []*Delivery
	loseWrites int

	faults   simkit.Faults
	requests atomic.Int64
	lost     atomic.Int64
	del      *simkit.Deliverer
}

// Start starts a Server listening on 127.0.0.1.
func Start(opts Options) *Server {
	if opts.AccessID == "" {
		opts.AccessID = "SimAccess" + randomHex(6)
	}
	if opts.AccessKey.IsZero() {
		opts.AccessKey = secret.New("SimKey" + randomHex(16))
	}
	if opts.MerchantID == "" {
		opts.MerchantID = "1002463580"
	}
	if opts.SettleDelay == 0 {
		opts.SettleDelay = 20 * time.Millisecond
	}
	if opts.RetryBase <= 0 {
		opts.RetryBase = 50 * time.Millisecond
	}
	if opts.RetryMax <= 0 {
		opts.RetryMax = 2 * time.Second
	}
	if opts.AckTimeout <= 0 {
		opts.AckTimeout = 3 * time.Second
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 100
	}
	s := &Server{&server{
		opts: opts, key: opts.AccessKey.Bytes(), txs: map[string]*tx{}, customers: map[string]*customer{},
		nextID: 1002600000, nextEvent: 1002900000, notifyURL: opts.NotificationURL,
		del: simkit.NewDeliverer(&http.Client{Timeout: opts.AckTimeout}, opts.RetryBase, opts.RetryMax, opts.MaxAttempts),
	}}
	s.index = newTxIndex()
	if err := s.SetChaos(opts.Chaos); err != nil {
		panic(err)
	}
	s.srv = simkit.StartServer(s)
	return s
}

// URL returns the REST base URL, e.g. "http://127.0.0.1:port/api/v1".
func (s *Server) URL() string { return s.srv.URL + apiPrefix }

// Root returns the server's root URL (hosted pages live under it).
func (s *Server) Root() string { return s.srv.URL }

// AccessID returns the merchant's accessId.
func (s *Server) AccessID() string { return s.opts.AccessID }

// AccessKey returns the merchant's accessKey.
func (s *Server) AccessKey() string { return s.opts.AccessKey.Reveal() }

// MerchantID returns the merchant's merchantId.
func (s *Server) MerchantID() string { return s.opts.MerchantID }

// Requests returns how many REST API requests the server has received (hosted pages are
// not counted).
func (s *Server) Requests() int64 { return s.requests.Load() }

// LostReplies returns how many replies LoseNextReply and LoseNextWriteReply have dropped.
func (s *Server) LostReplies() int64 { return s.lost.Load() }

// SetNotificationURL sets where notifications go when establish data names none.
func (s *Server) SetNotificationURL(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.notifyURL = u
}

// FailNext makes the next n REST requests fail with HTTP 503 and error 100 before they are
// processed.
func (s *Server) FailNext(n int) { s.faults.FailNext(n) }

// LoseNextReply makes the next n REST requests be processed and then answered by closing
// the connection, as if the reply were lost.
func (s *Server) LoseNextReply(n int) { s.faults.DropNext(n) }

// LoseNextWriteReply makes the next n REST POST requests be processed and then answered by
// closing the connection. Lookups are answered normally.
func (s *Server) LoseNextWriteReply(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.loseWrites = n
}

// SetLatency delays every REST answer by d.
func (s *Server) SetLatency(d time.Duration) { s.faults.SetLatency(d) }

// Close stops notification deliveries and the server.
func (s *Server) Close() {
	s.del.Close()
	s.srv.CloseClientConnections()
	s.srv.Close()
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
	s.requests.Add(1)
	fail, latency := s.faults.Arrive()
	fault := s.faults.Decide()
	fail = fail || fault == simkit.FailFault
	lose := false
	if !fail {
		lose = s.faults.TakeDrop()
		s.mu.Lock()
		if !lose && r.Method == http.MethodPost && s.loseWrites > 0 {
			s.loseWrites--
			lose = true
		}
		s.mu.Unlock()
	}
	if simkit.Sleep(r.Context(), latency) != nil {
		return
	}
	if fail {
		writeError(w, http.StatusServiceUnavailable, codeInternal, domainInternal, "Service temporarily unavailable")
		return
	}
	if !signing.CheckBasicAuthorization(r.Header.Get("Authorization"), s.opts.AccessID, s.key) {
		writeError(w, http.StatusUnauthorized, codeAccessControl, domainAccessControl, "Access not authorized")
		return
	}
	if lose {
		rec := httptest.NewRecorder()
		s.route(rec, r)
		s.lost.Add(1)
		if !simkit.DropConnection(w) {
			panic(http.ErrAbortHandler)
		}
		return
	}
	if fault != simkit.NoFault {
		rec := httptest.NewRecorder()
		s.route(rec, r)
		s.faults.Answer(w, r, fault, rec.Code, rec.Header(), rec.Body.Bytes())
		return
	}
	s.route(w, r)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
