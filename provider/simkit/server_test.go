package simkit

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/testwait"
)

// listen starts a Server with a handler that answers "ok" after Arrive, and closes it
// when the test ends.
func listen(t *testing.T, opts Options, cfg Config) (Server, *Kit) {
	t.Helper()
	if cfg.Name == "" {
		cfg.Name = "testsim"
	}
	s, k, err := Listen(opts, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	k.Serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fault, ok := k.Arrive(r.Context())
		switch {
		case !ok:
		case fault == FailFault:
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
		case k.TakeDrop():
			k.Drop(w)
		default:
			k.Answer(w, r, fault, http.StatusOK, http.Header{"Content-Type": {"text/plain"}}, []byte("ok"))
		}
	}))
	return s, k
}

// get fetches the Server's URL on a fresh connection and returns the status, or 0 when
// no answer came.
func get(t *testing.T, s Server) int {
	t.Helper()
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}} // no silent retry on a reused connection
	resp, err := c.Get(s.URL() + "/")
	if err != nil {
		return 0
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode
}

func TestServerServesWithTheKnobs(t *testing.T) {
	s, _ := listen(t, Options{}, Config{})
	if !strings.HasPrefix(s.URL(), "http://127.0.0.1:") {
		t.Fatalf("URL %q, want a loopback address", s.URL())
	}
	s.FailNext(1)
	s.DropNext(1)
	var got []int
	for range 3 {
		got = append(got, get(t, s))
	}
	if fmt.Sprint(got) != "[503 0 200]" || s.Requests() != 3 {
		t.Fatalf("answers %v after FailNext(1) and DropNext(1), %d requests counted", got, s.Requests())
	}
	s.SetLatency(20 * time.Millisecond)
	start := time.Now()
	if st := get(t, s); st != http.StatusOK || time.Since(start) < 20*time.Millisecond {
		t.Fatalf("with latency: %d after %v", st, time.Since(start))
	}
}

func TestServerTimeouts(t *testing.T) {
	_, k := listen(t, Options{}, Config{})
	srv := k.s.srv
	if srv.ReadHeaderTimeout != ReadHeaderTimeout || srv.ReadTimeout != ReadTimeout || srv.IdleTimeout != IdleTimeout {
		t.Fatalf("timeouts: read-header %v, read %v, idle %v", srv.ReadHeaderTimeout, srv.ReadTimeout, srv.IdleTimeout)
	}
}

func TestServerWrap(t *testing.T) {
	var seen atomic.Int64
	s, _ := listen(t, Options{Wrap: func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			seen.Add(1)
			h.ServeHTTP(w, r)
		})
	}}, Config{})
	if st := get(t, s); st != http.StatusOK || seen.Load() != 1 || s.Requests() != 1 {
		t.Fatalf("status %d, wrapper saw %d requests, simulator %d", st, seen.Load(), s.Requests())
	}
}

func TestServerCloseStopsServing(t *testing.T) {
	s, k := listen(t, Options{}, Config{})
	s.Close()
	if st := get(t, s); st != 0 {
		t.Fatalf("a closed Server answered %d", st)
	}
	if k.Go(func() {}) {
		t.Fatal("Go ran a function after Close")
	}
	s.Close() // a second Close does nothing
}

func TestListenRefuses(t *testing.T) {
	if _, _, err := Listen(Options{Addr: "256.0.0.1:0"}, Config{Name: "testsim"}); err == nil || !strings.HasPrefix(err.Error(), "testsim: ") {
		t.Fatalf("a bad address: %v", err)
	}
	bad := Chaos{Requests: FaultRates{Fail: 2}}
	if _, _, err := Listen(Options{Chaos: bad}, Config{Name: "testsim"}); err == nil || !strings.HasPrefix(err.Error(), "testsim: ") {
		t.Fatalf("a rate of 2: %v", err)
	}
}

func TestSetChaosSignedAnswers(t *testing.T) {
	unsigned := Chaos{Seed: 1, Requests: FaultRates{Unsigned: 0.5}}
	plain, _ := listen(t, Options{}, Config{Name: "plainsim"})
	if err := plain.SetChaos(unsigned); err == nil || !strings.HasPrefix(err.Error(), "plainsim: ") {
		t.Fatalf("Unsigned faults on answers that carry no signature: %v", err)
	}
	signed, _ := listen(t, Options{}, Config{SignedAnswers: true})
	if err := signed.SetChaos(unsigned); err != nil {
		t.Fatal(err)
	}
	if err := signed.SetChaos(Chaos{Seed: 1, Requests: FaultRates{Fail: 1}}); err != nil {
		t.Fatal(err)
	}
	if st := get(t, signed); st != http.StatusServiceUnavailable {
		t.Fatalf("under Fail 1 the answer was %d", st)
	}
	if c := signed.ChaosCounts(); c.Requests.Requests != 1 || c.Requests.Fail != 1 {
		t.Fatalf("counts %+v", c)
	}
}

func TestServerPrintsWithoutItsState(t *testing.T) {
	s, _ := listen(t, Options{}, Config{Name: "testsim", Details: []string{"merchant", "m-1"}})
	want := "testsim.Server{url: " + s.URL() + ", merchant: m-1}"
	for _, got := range []string{s.String(), fmt.Sprint(s), fmt.Sprint(&s), fmt.Sprintf("%+v", s), fmt.Sprintf("%d", s)} {
		if got != want {
			t.Errorf("printed %q, want %q", got, want)
		}
	}
	if got := fmt.Sprintf("%#v", s); !strings.HasPrefix(got, `testsim.Server{url:"`) {
		t.Errorf("%%#v printed %q", got)
	}
	// A simulator embeds the Server: it and a pointer to it print and log as the Server
	// describes itself, and a nil one as <nil> (text) or null (JSON), through either
	// slog handler.
	type sim struct {
		Server
		key string
	}
	v := &sim{s, "SIM-SECRET-KEY"}
	var text, js bytes.Buffer
	slog.New(slog.NewTextHandler(&text, nil)).Info("m", "sim", v, "copy", *v, "none", (*sim)(nil))
	slog.New(slog.NewJSONHandler(&js, nil)).Info("m", "sim", v, "copy", *v, "none", (*sim)(nil))
	if out := text.String(); !strings.Contains(out, `sim="`+want+`" copy="`+want+`" none=<nil>`) {
		t.Errorf("text handler logged %s", out)
	}
	wantJSON := `{"type":"testsim.Server","url":"` + s.URL() + `","merchant":"m-1"}`
	if out := js.String(); !strings.Contains(out, `"sim":`+wantJSON+`,"copy":`+wantJSON+`,"none":null`) {
		t.Errorf("JSON handler logged %s", out)
	}
	if out := text.String() + js.String() + fmt.Sprintf("%v %+v %#v", v, *v, v); strings.Contains(out, "SIM-SECRET") {
		t.Errorf("printed the simulator's state: %s", out)
	}
}

// hook is a receiver that answers the statuses in order, then 200.
func hook(t *testing.T, statuses ...int) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := n.Add(1)
		if r.Header.Get("X-Test") != "yes" {
			t.Errorf("header %v", r.Header)
		}
		if int(i) <= len(statuses) {
			w.WriteHeader(statuses[i-1])
		}
		_, _ = io.WriteString(w, "answer")
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

var fast = Options{RetryBase: time.Millisecond, RetryMax: 2 * time.Millisecond, MaxAttempts: 5}

func TestNotifyDeliversUntilAcknowledged(t *testing.T) {
	rx, hits := hook(t, 500, 502)
	s, k := listen(t, fast, Config{})
	k.Notify(Delivery{Event: "paid", EventID: "e-1", ObjectID: "p-1", URL: rx.URL, Header: testHeader, Body: []byte("{}")})
	k.Notify(Delivery{Event: "paid", ObjectID: "p-2"}) // nowhere to go
	testwait.For(t, "the acknowledgement", func() bool { d := s.Deliveries(); return len(d) == 2 && d[0].Acknowledged })
	d := s.Deliveries()
	if d[0].Seq != 1 || d[0].Attempts != 3 || d[0].LastStatus != 200 || d[0].GaveUp || hits.Load() != 3 || d[0].EventID != "e-1" {
		t.Errorf("first record %+v after %d posts", d[0], hits.Load())
	}
	if d[1].Seq != 2 || d[1].Attempts != 0 || !d[1].GaveUp {
		t.Errorf("a notification without a URL: %+v", d[1])
	}
	d[0].Body[0], d[0].Header["X-Test"][0] = 'x', "no" // a copy: the record stays as it was
	if again := s.Deliveries()[0]; string(again.Body) != "{}" || again.Header.Get("X-Test") != "yes" {
		t.Errorf("changing a copy changed the record: %+v", again)
	}
}

func TestDeliverGivesUp(t *testing.T) {
	rx, _ := hook(t, 500, 500, 500, 500, 500)
	s, k := listen(t, fast, Config{})
	k.Notify(Delivery{URL: rx.URL, Header: testHeader})
	testwait.For(t, "giving up", func() bool { return s.Deliveries()[0].GaveUp })
	if d := s.Deliveries()[0]; d.Attempts != 5 || d.LastStatus != 500 || d.Acknowledged {
		t.Fatalf("record %+v", d)
	}
}

func TestDeliverJudgesTheAnswerAndYields(t *testing.T) {
	rx, _ := hook(t)
	_, k := listen(t, fast, Config{})
	rec := k.Raise(Delivery{URL: rx.URL, Header: testHeader})
	var bodies []string
	ack := func(status int, body []byte) (bool, string, string) {
		bodies = append(bodies, string(body))
		if len(bodies) < 2 {
			return false, "MAYBE", "not yet"
		}
		return status == 200, "OK", ""
	}
	yields := 0
	got := k.Deliver(rec, ack, func() bool { yields++; return yields == 3 })
	if got.Attempts != 2 || !got.Acknowledged || got.Reply != "OK" || got.ReplyError != "" || fmt.Sprint(bodies) != "[answer answer]" {
		t.Fatalf("record %+v, bodies %v", got, bodies)
	}
	rec.Acknowledged = false
	got = k.Deliver(rec, func(int, []byte) (bool, string, string) { return false, "NO", "refused" }, func() bool { return true })
	if got.Attempts != 2 || got.GaveUp {
		t.Fatalf("yielding before the first attempt: %+v", got)
	}
	got = k.Deliver(rec, func(int, []byte) (bool, string, string) { return false, "NO", "refused" }, nil)
	if got.Attempts != 7 || !got.GaveUp || got.Reply != "NO" || got.ReplyError != "refused" {
		t.Fatalf("refused every time: %+v", got)
	}
}

func TestNotifyAfterCloseIsNotSent(t *testing.T) {
	rx, hits := hook(t)
	s, k := listen(t, fast, Config{})
	s.Close()
	k.Notify(Delivery{URL: rx.URL, Header: testHeader})
	if d := s.Deliveries(); len(d) != 1 || !d[0].GaveUp || d[0].Attempts != 0 || hits.Load() != 0 {
		t.Fatalf("records %+v after %d posts", d, hits.Load())
	}
}

func TestArriveEndsWithTheClient(t *testing.T) {
	s, k := listen(t, Options{}, Config{})
	s.SetLatency(time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, ok := k.Arrive(ctx); ok || s.Requests() != 1 {
		t.Fatalf("Arrive with an ended context: ok %v, %d requests", ok, s.Requests())
	}
}
