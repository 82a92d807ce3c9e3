package simkit

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var testRates = FaultRates{Fail: 0.1, Drop: 0.1, Delay: 0.05, Malformed: 0.05, Unsigned: 0.05, BadSignature: 0.05}

func decisions(t *testing.T, seed int64, r FaultRates, n int) []Fault {
	t.Helper()
	var f Faults
	if err := f.SetRandom(seed, r); err != nil {
		t.Fatal(err)
	}
	out := make([]Fault, n)
	for i := range out {
		out[i] = f.Decide()
	}
	return out
}

func TestFaultsRandomReplaysBySeed(t *testing.T) {
	a, b := decisions(t, 42, testRates, 2000), decisions(t, 42, testRates, 2000)
	if !slices.Equal(a, b) {
		t.Fatal("the same seed gave different decisions")
	}
	if c := decisions(t, 43, testRates, 2000); slices.Equal(a, c) {
		t.Fatal("seeds 42 and 43 gave the same decisions")
	}
}

func TestFaultsRandomRates(t *testing.T) {
	const n = 100_000
	var f Faults
	if err := f.SetRandom(7, testRates); err != nil {
		t.Fatal(err)
	}
	for range n {
		f.Decide()
	}
	c := f.Counts()
	if c.Requests != n {
		t.Fatalf("Requests = %d, want %d", c.Requests, n)
	}
	for _, tc := range []struct {
		name string
		got  int64
		rate float64
	}{{"fail", c.Fail, 0.1}, {"drop", c.Drop, 0.1}, {"delay", c.Delay, 0.05}, {"malformed", c.Malformed, 0.05},
		{"unsigned", c.Unsigned, 0.05}, {"bad signature", c.BadSignature, 0.05}, {"any", c.Faulted(), 0.4}} {
		// Five standard deviations of a binomial count; the seed is fixed, so this is a
		// check of the arithmetic rather than of luck.
		want := tc.rate * n
		if d := float64(tc.got) - want; d*d > 25*want*(1-tc.rate) {
			t.Errorf("%s: %d of %d, want about %.0f", tc.name, tc.got, n, want)
		}
	}
}

func TestFaultsRandomOff(t *testing.T) {
	var f Faults
	if f.Decide() != NoFault {
		t.Fatal("the zero Faults decided a fault")
	}
	if err := f.SetRandom(1, FaultRates{Fail: 1}); err != nil {
		t.Fatal(err)
	}
	if f.Decide() != FailFault {
		t.Fatal("a fail rate of 1 did not fail")
	}
	if err := f.SetRandom(1, FaultRates{}); err != nil {
		t.Fatal(err)
	}
	if f.Decide() != NoFault || f.Counts().Requests != 0 {
		t.Fatal("zero rates did not turn random faults off")
	}
}

func TestFaultRatesValidate(t *testing.T) {
	for _, r := range []FaultRates{{Fail: -0.1}, {Drop: 1.5}, {Fail: 0.6, Drop: 0.6}, {DelayBy: -time.Second}} {
		var f Faults
		if err := f.SetRandom(1, r); err == nil {
			t.Errorf("%+v accepted", r)
		}
	}
	for _, r := range []DeliveryRates{{Drop: -1}, {Duplicate: 0.7, Reorder: 0.7}, {MaxDelay: -1}} {
		if err := r.Validate(); err == nil {
			t.Errorf("%+v accepted", r)
		}
	}
	if err := (Chaos{Requests: testRates, Notifications: DeliveryRates{Drop: 0.3}}).Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestFaultString(t *testing.T) {
	if FailFault.String() != "fail" || BadSignatureFault.String() != "bad-signature" || Fault(99).String() != "Fault(99)" {
		t.Fatal("fault names")
	}
	if FailFault.Processed() || !DropFault.Processed() {
		t.Fatal("Processed")
	}
}

// answerServer answers every request with Faults.Answer and the fault the test sets.
func answerServer(t *testing.T, f *Faults, fault *atomic.Int32) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.Answer(w, r, Fault(fault.Load()), http.StatusCreated, http.Header{"Content-Type": {"application/json"}},
			[]byte(`{"id":"12345678"}`))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestFaultsAnswer(t *testing.T) {
	var f Faults
	if err := f.SetRandom(1, FaultRates{Delay: 0.5, DelayBy: time.Hour}); err != nil {
		t.Fatal(err)
	}
	var fault atomic.Int32
	srv := answerServer(t, &f, &fault)
	get := func(timeout time.Duration) (int, string, error) {
		c := &http.Client{Timeout: timeout}
		resp, err := c.Get(srv.URL)
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), err
	}
	if st, body, err := get(5 * time.Second); err != nil || st != http.StatusCreated || body != `{"id":"12345678"}` {
		t.Fatalf("no fault: %d %q %v", st, body, err)
	}
	fault.Store(int32(MalformedFault))
	if st, body, err := get(5 * time.Second); err != nil || st != http.StatusCreated || body != `{"id":"1` {
		t.Fatalf("malformed: %d %q %v", st, body, err)
	}
	fault.Store(int32(DropFault))
	if _, _, err := get(5 * time.Second); err == nil {
		t.Fatal("a dropped answer arrived")
	}
	fault.Store(int32(DelayFault))
	if _, _, err := get(50 * time.Millisecond); err == nil {
		t.Fatal("an answer held for an hour arrived within 50ms")
	}
}

// countingReceiver acknowledges every POST and records the bodies in arrival order.
type countingReceiver struct {
	mu     sync.Mutex
	bodies []string
}

func (c *countingReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	c.mu.Lock()
	c.bodies = append(c.bodies, string(b))
	c.mu.Unlock()
}

func (c *countingReceiver) got() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.bodies)
}

func TestDelivererRandomDropRedelivers(t *testing.T) {
	rec := &countingReceiver{}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	d := NewDeliverer(srv.Client(), time.Millisecond, time.Millisecond, 1000)
	defer d.Close()
	if err := d.SetRandom(3, DeliveryRates{Drop: 0.5}); err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		attempts := 0
		if d.Retry(func(int) bool {
			attempts++
			status, _ := d.Post(srv.URL, nil, []byte("n"), 10)
			return Acknowledged(status)
		}) {
			t.Fatalf("notification %d: attempts ran out", i)
		}
	}
	c := d.Counts()
	if c.Drop == 0 || c.Attempts != 50+c.Drop {
		t.Fatalf("counts %+v: every dropped attempt must be followed by another", c)
	}
	// Half the drops lose the answer after the receiver got the notification.
	if n := int64(len(rec.got())); n <= 50 || n >= 50+c.Drop {
		t.Fatalf("the receiver got %d posts for 50 notifications and %d drops", n, c.Drop)
	}
}

func TestDelivererRandomDuplicate(t *testing.T) {
	rec := &countingReceiver{}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	d := NewDeliverer(srv.Client(), time.Millisecond, time.Millisecond, 3)
	defer d.Close()
	if err := d.SetRandom(3, DeliveryRates{Duplicate: 1}); err != nil {
		t.Fatal(err)
	}
	if status, _ := d.Post(srv.URL, nil, []byte("n"), 10); status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	if got := rec.got(); len(got) != 2 {
		t.Fatalf("the receiver got %d copies, want 2", len(got))
	}
}

func TestDelivererRandomReorder(t *testing.T) {
	rec := &countingReceiver{}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	d := NewDeliverer(srv.Client(), time.Millisecond, time.Millisecond, 3)
	defer d.Close()
	if err := d.SetRandom(3, DeliveryRates{Reorder: 1, MaxDelay: time.Hour}); err != nil {
		t.Fatal(err)
	}
	if !d.Overtake() {
		t.Fatal("Overtake is false at a reorder rate of 1")
	}
	first := make(chan int)
	go func() {
		status, _ := d.Post(srv.URL, nil, []byte("first"), 10)
		first <- status
	}()
	// The first notification is held back until another goes out; without random faults
	// the second goes out at once.
	for d.Counts().Reorder == 0 {
		time.Sleep(time.Millisecond)
	}
	if err := d.SetRandom(0, DeliveryRates{}); err != nil {
		t.Fatal(err)
	}
	if d.Overtake() {
		t.Fatal("Overtake is true without random faults")
	}
	if status, _ := d.Post(srv.URL, nil, []byte("second"), 10); status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	if status := <-first; status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	if got := rec.got(); !slices.Equal(got, []string{"second", "first"}) {
		t.Fatalf("arrival order %q, want second then first", got)
	}
}

func TestDelivererRandomDelayAndClose(t *testing.T) {
	rec := &countingReceiver{}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	d := NewDeliverer(srv.Client(), time.Millisecond, time.Millisecond, 3)
	if err := d.SetRandom(5, DeliveryRates{Delay: 1, MaxDelay: time.Hour}); err != nil {
		t.Fatal(err)
	}
	result := make(chan int, 1)
	d.Go(func() {
		status, _ := d.Post(srv.URL, nil, []byte("n"), 10)
		result <- status
	})
	for d.Counts().Delay == 0 {
		time.Sleep(time.Millisecond)
	}
	d.Close() // cuts the delay short
	if status := <-result; status != 0 || len(rec.got()) != 0 {
		t.Fatalf("a delayed attempt cut short by Close answered %d, receiver got %d", status, len(rec.got()))
	}
	if err := d.SetRandom(5, DeliveryRates{Delay: 1, MaxDelay: -1}); err == nil {
		t.Fatal("a negative MaxDelay was accepted")
	}
}
