package simkit

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// Fault is what a simulated API does to one request when random faults are on.
type Fault int

// The faults, in the order FaultRates lists them.
const (
	// NoFault: the request is processed and answered normally.
	NoFault Fault = iota
	// FailFault: the request fails before it is processed, with the API's "unavailable"
	// answer (HTTP 503).
	FailFault
	// DropFault: the request is processed, then the connection is closed without an
	// answer, so the client sees a transport error after the provider applied the write.
	DropFault
	// DelayFault: the request is processed, then its answer is held for
	// FaultRates.DelayBy, which is meant to exceed the client's timeout.
	DelayFault
	// MalformedFault: the request is processed, then answered with its status and the
	// first half of its body: a body that is not the protocol's.
	MalformedFault
	// UnsignedFault: the request is processed, then answered without the signature the
	// protocol puts on answers.
	UnsignedFault
	// BadSignatureFault: the request is processed, then answered with a signature that
	// does not verify.
	BadSignatureFault
	numFaults
)

var faultNames = [numFaults]string{"none", "fail", "drop", "delay", "malformed", "unsigned", "bad-signature"}

// String returns the fault's name: "none", "fail", "drop", "delay", "malformed",
// "unsigned" or "bad-signature".
func (f Fault) String() string {
	if f < 0 || f >= numFaults {
		return "Fault(" + strconv.Itoa(int(f)) + ")"
	}
	return faultNames[f]
}

// Processed reports whether a request with this fault is processed by the simulator:
// every fault but FailFault is injected after the provider applied the request.
func (f Fault) Processed() bool { return f != FailFault }

// DefaultDelayBy is how long a DelayFault holds an answer when FaultRates.DelayBy is 0.
const DefaultDelayBy = time.Second

// FaultRates are the probabilities, each from 0 to 1 and together at most 1, of the
// faults a simulated API injects into its requests: every request draws one fault.
type FaultRates struct {
	// Fail, Drop, Delay, Malformed, Unsigned and BadSignature are the rates of FailFault,
	// DropFault, DelayFault, MalformedFault, UnsignedFault and BadSignatureFault.
	// Unsigned and BadSignature apply only to protocols that authenticate their answers.
	Fail, Drop, Delay, Malformed, Unsigned, BadSignature float64
	// DelayBy is how long a delayed answer is held (default DefaultDelayBy). Make it
	// longer than the client's timeout.
	DelayBy time.Duration
}

func (r FaultRates) rates() [numFaults]float64 {
	return [numFaults]float64{0, r.Fail, r.Drop, r.Delay, r.Malformed, r.Unsigned, r.BadSignature}
}

// Total returns the rate of requests that meet some fault.
func (r FaultRates) Total() float64 {
	t := 0.0
	for _, p := range r.rates() {
		t += p
	}
	return t
}

// Validate reports rates outside 0 to 1, a total above 1, and a negative DelayBy.
func (r FaultRates) Validate() error {
	rs := r.rates()
	if err := checkRates(rs[:]); err != nil {
		return err
	}
	if r.DelayBy < 0 {
		return errors.New("simkit: DelayBy is negative")
	}
	return nil
}

func checkRates(rs []float64) error {
	total := 0.0
	for _, p := range rs {
		if !(p >= 0 && p <= 1) { // also refuses NaN
			return fmt.Errorf("simkit: fault rate %v is not between 0 and 1", p)
		}
		total += p
	}
	if total > 1+1e-9 {
		return fmt.Errorf("simkit: fault rates add up to %v, more than 1", total)
	}
	return nil
}

// FaultCounts counts the faults decided since random faults were last set.
type FaultCounts struct {
	// Requests is how many requests drew a fault decision, NoFault included.
	Requests int64
	// Fail, Drop, Delay, Malformed, Unsigned and BadSignature count each fault.
	Fail, Drop, Delay, Malformed, Unsigned, BadSignature int64
}

// Faulted returns how many requests met a fault.
func (c FaultCounts) Faulted() int64 {
	return c.Fail + c.Drop + c.Delay + c.Malformed + c.Unsigned + c.BadSignature
}

// DeliveryRates are the probabilities, each from 0 to 1 and together at most 1, of the
// faults a simulator injects into its notification delivery attempts.
type DeliveryRates struct {
	// Drop loses the attempt: half the time the notification never reaches the
	// receiver, half the time the receiver's answer is lost on the way back. Either way
	// the simulator does not see an acknowledgement and delivers it again.
	Drop float64
	// Duplicate sends the attempt twice at once; the second copy's answer is ignored.
	Duplicate float64
	// Reorder holds the attempt back until another notification has been sent (or
	// MaxDelay passes), so that later notifications overtake it. Simulators that deliver
	// an object's notifications one after the other also let a waiting notification be
	// overtaken by the next one of the same object at this rate (see Deliverer.Overtake).
	Reorder float64
	// Delay holds the attempt for a random time up to MaxDelay before sending it.
	Delay float64
	// MaxDelay bounds Delay and Reorder holds (default 50ms).
	MaxDelay time.Duration
}

func (r DeliveryRates) rates() []float64 { return []float64{r.Drop, r.Duplicate, r.Reorder, r.Delay} }

// Total returns the rate of delivery attempts that meet some fault.
func (r DeliveryRates) Total() float64 { return r.Drop + r.Duplicate + r.Reorder + r.Delay }

// Validate reports rates outside 0 to 1, a total above 1, and a negative MaxDelay.
func (r DeliveryRates) Validate() error {
	if err := checkRates(r.rates()); err != nil {
		return err
	}
	if r.MaxDelay < 0 {
		return errors.New("simkit: MaxDelay is negative")
	}
	return nil
}

// DeliveryCounts counts the delivery faults decided since random faults were last set.
type DeliveryCounts struct {
	// Attempts is how many delivery attempts drew a fault decision.
	Attempts int64
	// Drop, Duplicate, Reorder and Delay count each fault; Overtaken counts the
	// notifications that let a later one of the same object go first.
	Drop, Duplicate, Reorder, Delay, Overtaken int64
}

// Chaos is a seeded plan of random faults for a simulator: the faults of its API requests
// and of its notification deliveries. The zero value injects nothing.
//
// The same seed gives the same sequence of fault decisions. Decisions are drawn in the
// order requests (and delivery attempts) reach the simulator, so a run replays exactly
// only when that order is the same: one client making one request at a time, with
// notifications arriving while no request is in flight. With concurrent clients, or
// notifications delivered while requests are served, the scheduler decides which request
// meets which decision; the rates, and the number of each fault over the run, stay those
// of the seed. Hold durations (DelayFault against a client timeout, delivery delays)
// race against real time and replay only approximately.
type Chaos struct {
	// Seed seeds the decisions. Requests and notifications draw from separate streams
	// derived from it.
	Seed int64
	// Requests are the rates of API request faults.
	Requests FaultRates
	// Notifications are the rates of notification delivery faults.
	Notifications DeliveryRates
}

// Validate reports invalid rates.
func (c Chaos) Validate() error {
	if err := c.Requests.Validate(); err != nil {
		return err
	}
	return c.Notifications.Validate()
}

// Apply validates c and installs it on a simulator's request faults f and notification
// deliverer d, replacing any earlier plan.
func (c Chaos) Apply(f *Faults, d *Deliverer) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if err := f.SetRandom(c.Seed, c.Requests); err != nil {
		return err
	}
	return d.SetRandom(c.Seed, c.Notifications)
}

// CountsOf returns the faults f and d injected under their current plan.
func CountsOf(f *Faults, d *Deliverer) ChaosCounts {
	return ChaosCounts{Requests: f.Counts(), Notifications: d.Counts()}
}

// ChaosCounts counts the faults a simulator injected under its Chaos plan.
type ChaosCounts struct {
	Requests      FaultCounts
	Notifications DeliveryCounts
}

// newRand returns the generator of one decision stream of a seed.
func newRand(seed int64, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), stream))
}

// The decision streams of a Chaos seed.
const (
	requestStream      = 0x7265717565737473 // "requests"
	notificationStream = 0x6e6f746966696573 // "notifies"
)

// SetRandom turns on random faults: from now on every request that reaches Decide draws
// one fault with the given rates, from a generator seeded with seed. Rates that are all
// zero turn random faults off. The counts start again from zero. FailNext, DropNext and
// SetLatency keep working alongside.
func (f *Faults) SetRandom(seed int64, r FaultRates) error {
	if err := r.Validate(); err != nil {
		return err
	}
	if r.DelayBy == 0 {
		r.DelayBy = DefaultDelayBy
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rates, f.counts = r, [numFaults]int64{}
	f.rnd = nil
	if r.Total() > 0 {
		f.rnd = newRand(seed, requestStream)
	}
	return nil
}

// Decide draws the fault of one arriving request: NoFault when random faults are off.
func (f *Faults) Decide() Fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.rnd == nil {
		return NoFault
	}
	u := f.rnd.Float64()
	got := NoFault
	for i, p := range f.rates.rates() {
		if u < p {
			got = Fault(i)
			break
		}
		u -= p
	}
	f.counts[got]++
	return got
}

// Counts returns the faults decided since SetRandom.
func (f *Faults) Counts() FaultCounts {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.counts
	var total int64
	for _, n := range c {
		total += n
	}
	return FaultCounts{Requests: total, Fail: c[FailFault], Drop: c[DropFault], Delay: c[DelayFault],
		Malformed: c[MalformedFault], Unsigned: c[UnsignedFault], BadSignature: c[BadSignatureFault]}
}

// Hold waits for the DelayFault hold (FaultRates.DelayBy), or until ctx ends, in which
// case it returns ctx's error and the answer is not to be written: the client has gone.
func (f *Faults) Hold(ctx context.Context) error {
	f.mu.Lock()
	d := f.rates.DelayBy
	f.mu.Unlock()
	return Sleep(ctx, d)
}

// Truncate returns the first half of body, the answer of a MalformedFault: for a JSON
// body, text that does not parse. An empty body stays empty.
func Truncate(body []byte) []byte {
	return append([]byte(nil), body[:len(body)/2]...)
}

// Answer writes a processed request's answer — status, header and body — as fault says:
// DropFault closes the connection instead, DelayFault holds the answer first (writing
// nothing when the client leaves meanwhile), MalformedFault writes half the body. Other
// faults write the answer as given; the simulator applies UnsignedFault and
// BadSignatureFault to the body before calling Answer. The request's context is r's.
func (f *Faults) Answer(w http.ResponseWriter, r *http.Request, fault Fault, status int, header http.Header, body []byte) {
	switch fault {
	case DropFault:
		if !DropConnection(w) {
			panic(http.ErrAbortHandler)
		}
		return
	case DelayFault:
		if f.Hold(r.Context()) != nil {
			return
		}
	case MalformedFault:
		body = Truncate(body)
	}
	for k, vs := range header {
		w.Header()[k] = append([]string(nil), vs...)
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
