package simkit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/paybridge/paybridge/secret"
)

// The timeouts a simulator's server keeps, as a production server should: a client that
// sends its request slowly, or never, holds a connection for a bounded time.
const (
	ReadHeaderTimeout = 10 * time.Second
	ReadTimeout       = 30 * time.Second
	IdleTimeout       = 2 * time.Minute
)

// NewHTTPServer returns an http.Server for h with the simulators' timeouts.
func NewHTTPServer(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: ReadHeaderTimeout, ReadTimeout: ReadTimeout, IdleTimeout: IdleTimeout}
}

// The delivery settings a simulator takes when neither its user nor the simulator sets
// them.
const (
	DefaultRetryBase       = time.Second
	DefaultRetryMax        = time.Minute
	DefaultMaxAttempts     = 20
	DefaultDeliveryTimeout = 10 * time.Second
)

// Options are the settings every simulator takes; each simulator's Options embeds them.
// The zero Options listen on a free loopback port, inject no faults and deliver
// notifications with the simulator's default back-off.
type Options struct {
	// Addr is the TCP address to listen on (default "127.0.0.1:0": a free loopback
	// port). A fixed port keeps the simulator's URLs the same from one run to the next.
	Addr string
	// Wrap, when set, is given the simulator's handler and returns the handler served in
	// its place: a test's recorder or interceptor in front of the API, say. The
	// simulator's URLs stay its own.
	Wrap func(http.Handler) http.Handler
	// Chaos injects seeded random faults into API requests and notification deliveries
	// from the start (see Server.SetChaos); Start refuses invalid rates. The zero value
	// injects none.
	Chaos Chaos
	// RetryBase is the wait before a notification's second delivery attempt; it doubles up
	// to RetryMax. MaxAttempts bounds the attempts of one notification. Each simulator
	// documents its defaults.
	RetryBase, RetryMax time.Duration
	MaxAttempts         int
	// DeliveryClient posts the notifications (default: a client with a timeout the
	// simulator documents).
	DeliveryClient *http.Client
}

// withDefaults returns o with its zero delivery settings taken from d, then from the
// package defaults.
func (o Options) withDefaults(d Options) Options {
	pick := func(v, fallback, last time.Duration) time.Duration {
		switch {
		case v > 0:
			return v
		case fallback > 0:
			return fallback
		}
		return last
	}
	o.RetryBase = pick(o.RetryBase, d.RetryBase, DefaultRetryBase)
	o.RetryMax = pick(o.RetryMax, d.RetryMax, DefaultRetryMax)
	o.MaxAttempts = int(pick(time.Duration(o.MaxAttempts), time.Duration(d.MaxAttempts), DefaultMaxAttempts))
	if o.DeliveryClient == nil {
		o.DeliveryClient = d.DeliveryClient
	}
	if o.DeliveryClient == nil {
		o.DeliveryClient = &http.Client{Timeout: DefaultDeliveryTimeout}
	}
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	return o
}

// Config is what a simulator tells Listen about itself.
type Config struct {
	// Name is the simulator's package name ("trustistsim"): the Server prints as
	// Name.Server and its errors start with Name.
	Name string
	// Details are facts the Server prints after its URL, as alternating names and
	// values. They must not be credentials.
	Details []string
	// SignedAnswers reports that the API authenticates its answers, so that Chaos plans
	// may have the Unsigned and BadSignature faults; without it such plans are refused.
	SignedAnswers bool
	// Defaults stand in for the delivery settings (RetryBase, RetryMax, MaxAttempts,
	// DeliveryClient) the Options leave zero; what they leave zero too takes the package
	// defaults (DefaultRetryBase, ...).
	Defaults Options
}

// Server is the part every simulator shares, embedded in each simulator's Server: where
// it listens (URL), Close, the fault knobs (FailNext, DropNext, SetLatency, SetChaos and
// ChaosCounts), the count of API requests, the record of the notifications sent
// (Deliveries), and how a simulator prints: its name, URL and details, never its
// credentials (see secret.Printed). It is safe for concurrent use.
//
// A simulator creates its Server with Listen, builds its own state around it, then
// serves with Kit.Serve.
type Server struct {
	*server        // the state
	secret.Printed // the simulator's name, URL and details
}

// server is a Server's state.
type server struct {
	name   string
	signed bool
	url    string
	ln     net.Listener
	wrap   func(http.Handler) http.Handler

	srvMu sync.Mutex
	srv   *http.Server

	requests atomic.Int64
	faults   Faults
	del      *Deliverer

	mu         sync.Mutex // guards deliveries and the records they point to
	deliveries []*Delivery
}

// Listen opens the listener opts.Addr names and returns the simulator's Server, which
// does not serve yet, and the Kit the simulator runs on. It refuses an invalid
// opts.Chaos.
func Listen(opts Options, cfg Config) (Server, *Kit, error) {
	opts = opts.withDefaults(cfg.Defaults)
	s := Server{server: &server{name: cfg.Name, signed: cfg.SignedAnswers, wrap: opts.Wrap,
		del: NewDeliverer(opts.DeliveryClient, opts.RetryBase, opts.RetryMax, opts.MaxAttempts)}}
	err := s.SetChaos(opts.Chaos)
	if err == nil {
		s.ln, err = net.Listen("tcp", opts.Addr)
		if err != nil {
			err = fmt.Errorf("%s: %w", cfg.Name, err)
		}
	}
	if err != nil {
		s.del.Close()
		return Server{}, nil, err
	}
	s.url = "http://" + s.ln.Addr().String()
	s.Printed = secret.PrintAs(cfg.Name+".Server", append([]string{"url", s.url}, cfg.Details...)...)
	return s, &Kit{s: s.server}, nil
}

// URL returns the base URL the simulator is reached at, e.g. http://127.0.0.1:40123.
func (s Server) URL() string { return s.url }

// Close stops the listener and the notification deliveries, and waits for the
// deliveries in progress to end. Connections still open are closed.
func (s Server) Close() {
	s.del.Close() // no delivery starts once this has begun
	s.srvMu.Lock()
	srv := s.srv
	s.srvMu.Unlock()
	if srv != nil {
		_ = srv.Close()
	}
	_ = s.ln.Close()
}

// Requests returns how many API requests the simulator has received, refused ones
// included; hosted pages are not counted.
func (s Server) Requests() int64 { return s.requests.Load() }

// FailNext makes the next n API requests fail before they are processed, with the API's
// "unavailable" answer (HTTP 503).
func (s Server) FailNext(n int) { s.faults.FailNext(n) }

// DropNext makes the next n API requests be processed and their answers lost: the
// connection is closed instead of answered, so the client cannot tell whether the
// provider applied the request.
func (s Server) DropNext(n int) { s.faults.DropNext(n) }

// SetLatency delays every API request by d before it is processed.
func (s Server) SetLatency(d time.Duration) { s.faults.SetLatency(d) }

// SetChaos turns seeded random faults on, replacing any earlier plan; rates that are all
// zero turn them off. Each API request draws one of the faults of c.Requests (see Fault
// for what each does; the simulator's documentation says how its API shows them), and
// each notification delivery attempt one of c.Notifications. A simulator whose API does
// not sign its answers refuses the Unsigned and BadSignature rates.
func (s Server) SetChaos(c Chaos) error {
	if !s.signed && (c.Requests.Unsigned != 0 || c.Requests.BadSignature != 0) {
		return fmt.Errorf("%s: the API's answers carry no signature; Unsigned and BadSignature rates do not apply", s.name)
	}
	if err := c.Apply(&s.faults, s.del); err != nil {
		return fmt.Errorf("%s: %w", s.name, err)
	}
	return nil
}

// ChaosCounts returns the faults injected since SetChaos.
func (s Server) ChaosCounts() ChaosCounts { return CountsOf(&s.faults, s.del) }

// Deliveries returns a copy of the record of every notification raised so far, oldest
// first.
func (s Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Delivery, len(s.deliveries))
	for i, d := range s.deliveries {
		out[i] = d.clone()
	}
	return out
}

// Kit is the simulator's side of its Server: the mechanics its handlers and
// notifications run on. Listen returns it beside the Server; a simulator keeps it to
// itself, so that its users see only the Server's knobs.
type Kit struct{ s *server }

// Serve starts serving h (through Options.Wrap, when set) on the Server's listener, with
// the simulators' timeouts. It does nothing once the Server is closed.
func (k *Kit) Serve(h http.Handler) {
	if k.s.wrap != nil {
		h = k.s.wrap(h)
	}
	srv := NewHTTPServer(h)
	k.s.srvMu.Lock()
	k.s.srv = srv
	k.s.srvMu.Unlock()
	if k.s.del.Context().Err() != nil {
		return // closed before it served
	}
	go func() { _ = srv.Serve(k.s.ln) }()
}

// Arrive is called as an API request arrives: it counts the request, takes one of
// FailNext, waits the latency and draws the request's Chaos fault. It returns FailFault
// when the request is to fail before it is processed (the simulator answers with its
// API's "unavailable" error), and ok false when ctx ended during the wait (the client
// left: nothing is to be written).
func (k *Kit) Arrive(ctx context.Context) (fault Fault, ok bool) {
	k.s.requests.Add(1)
	fail, err := k.s.faults.Begin(ctx)
	if err != nil {
		return NoFault, false
	}
	fault = k.s.faults.Decide()
	if fail {
		fault = FailFault
	}
	return fault, true
}

// TakeDrop reports whether a processed request's answer is to be lost, taking one from
// DropNext; the simulator then calls Drop instead of answering.
func (k *Kit) TakeDrop() bool { return k.s.faults.TakeDrop() }

// Drop closes the client's connection without an answer, as when an answer is lost on
// the way. Where w cannot give up its connection it aborts the handler, which closes it
// too; either way nothing is written.
func (k *Kit) Drop(w http.ResponseWriter) {
	if !DropConnection(w) {
		panic(http.ErrAbortHandler)
	}
}

// Answer writes a processed request's answer as fault says (see Faults.Answer).
func (k *Kit) Answer(w http.ResponseWriter, r *http.Request, fault Fault, status int, header http.Header, body []byte) {
	k.s.faults.Answer(w, r, fault, status, header, body)
}

// Go runs fn in a goroutine that Close waits for, as a simulator's timers and
// notification deliveries run. It reports false, and does not run fn, once Close has
// been called.
func (k *Kit) Go(fn func()) bool { return k.s.del.Go(fn) }

// Context returns the context Close cancels.
func (k *Kit) Context() context.Context { return k.s.del.Context() }

// Overtake reports, at the Chaos reorder rate, whether a notification waiting to be
// delivered lets the next one of the same object go first (see Deliverer.Overtake).
func (k *Kit) Overtake() bool { return k.s.del.Overtake() }

// Raise records a notification and returns its record: d gets the next Seq and shows in
// Server.Deliveries from now on. Deliver sends it.
func (k *Kit) Raise(d Delivery) *Delivery {
	k.s.mu.Lock()
	defer k.s.mu.Unlock()
	d.Seq = len(k.s.deliveries) + 1
	rec := &d
	k.s.deliveries = append(k.s.deliveries, rec)
	return rec
}

// Notify raises d and delivers it in the background until the receiver answers with a
// 2xx status (see Deliver). A notification without a URL, or raised once the Server is
// closing, is recorded as given up: nothing is sent.
func (k *Kit) Notify(d Delivery) {
	rec := k.Raise(d)
	if rec.URL == "" || !k.Go(func() { k.Deliver(rec, nil, nil) }) {
		k.s.mu.Lock()
		rec.GaveUp = true
		k.s.mu.Unlock()
	}
}

// AckFunc judges the receiver's answer to one delivery attempt: its HTTP status (0 when
// no answer came) and body (nil when it could not be read). It returns whether the answer
// acknowledges the notification, and for the record what the answer said and what was
// wrong with it (Delivery.Reply and Delivery.ReplyError).
type AckFunc func(status int, body []byte) (ok bool, reply, problem string)

// maxReply bounds the answer to a delivery attempt that is read.
const maxReply = 1 << 20

// Deliver posts the notification d until ack (nil: any 2xx status) acknowledges it, the
// attempts run out (d.GaveUp) or the Server closes, with the back-off of the Options,
// recording each attempt in d; an attempt cut short by Close is not counted. Before each
// attempt it calls yield, when set: true ends delivery for now without giving up, as
// when the simulator queues d again behind another notification. It returns the record
// as it stands at the end.
func (k *Kit) Deliver(d *Delivery, ack AckFunc, yield func() bool) Delivery {
	if ack == nil {
		ack = func(status int, _ []byte) (bool, string, string) { return Acknowledged(status), "", "" }
	}
	gaveUp := k.s.del.Retry(func(int) bool {
		if yield != nil && yield() {
			return true
		}
		status, body := k.s.del.Post(d.URL, d.Header, d.Body, maxReply)
		if status == 0 && k.s.del.Context().Err() != nil {
			return true // cut short by Close: not an attempt the receiver answered
		}
		ok, reply, problem := ack(status, body)
		k.s.mu.Lock()
		defer k.s.mu.Unlock()
		d.Attempts++
		d.LastStatus, d.Reply, d.ReplyError, d.Acknowledged = status, reply, problem, ok
		return ok
	})
	k.s.mu.Lock()
	defer k.s.mu.Unlock()
	d.GaveUp = d.GaveUp || gaveUp
	return d.clone()
}

// RandomHex returns n random bytes in hexadecimal, for the ids, tokens and keys a
// simulator makes up.
func RandomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
