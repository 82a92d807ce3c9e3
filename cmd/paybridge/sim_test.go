package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider/trustist"
	"github.com/paybridge/paybridge/provider/trustly"
	"github.com/paybridge/paybridge/provider/trustlyrest"
)

// syncBuffer is a bytes.Buffer safe to read while the command writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// runningSim is `paybridge sim` running in-process.
type runningSim struct {
	out, err *syncBuffer
	cancel   context.CancelFunc
	done     chan int
}

// startSimCommand runs the command until the test stops it, and waits until it printed
// ready.
func startSimCommand(t *testing.T, ready string, args ...string) *runningSim {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	rs := &runningSim{out: &syncBuffer{}, err: &syncBuffer{}, cancel: cancel, done: make(chan int, 1)}
	go func() { rs.done <- run(ctx, append([]string{"sim"}, args...), rs.out, rs.err) }()
	t.Cleanup(func() {
		cancel()
		<-rs.done
	})
	// No deadline of its own: a command that never gets ready is a hang, which go test's
	// -timeout reports with every goroutine's stack.
	for !strings.Contains(rs.out.String(), ready) {
		select {
		case code := <-rs.done:
			t.Fatalf("sim exited with %d before it was ready:\n%s\n%s", code, rs.out.String(), rs.err.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	return rs
}

// stop cancels the command's context and returns its exit code.
func (rs *runningSim) stop(t *testing.T) int {
	t.Helper()
	rs.cancel()
	code := <-rs.done // a command that does not stop is a hang, for go test's -timeout
	rs.done <- code   // for the cleanup
	return code
}

// printedSim is what the text output says about one simulator.
type printedSim struct {
	url, base string
	env       map[string]string
}

// parseSimOutput reads the text `paybridge sim` printed.
func parseSimOutput(t *testing.T, text string) map[string]*printedSim {
	t.Helper()
	out := map[string]*printedSim{}
	var cur *printedSim
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasSuffix(line, ")") && !strings.HasPrefix(line, " ") && strings.Contains(line, " ("):
			name := line[strings.LastIndex(line, "(")+1 : len(line)-1]
			cur = &printedSim{env: map[string]string{}}
			out[name] = cur
		case cur != nil && strings.HasPrefix(line, "  paybridge URL"):
			cur.url = strings.TrimSpace(strings.TrimPrefix(line, "  paybridge URL"))
		case cur != nil && strings.HasPrefix(line, "  base URL"):
			cur.base = strings.TrimSpace(strings.TrimPrefix(line, "  base URL"))
		case cur != nil && strings.HasPrefix(line, "    export "):
			name, value, _ := strings.Cut(strings.TrimPrefix(line, "    export "), "=")
			cur.env[name] = strings.Trim(value, "'")
		}
	}
	for _, name := range simNames {
		if p := out[name]; p == nil || p.url == "" || p.base == "" || len(p.env) == 0 {
			t.Fatalf("no usable configuration printed for %s:\n%s", name, text)
		}
	}
	return out
}

// payRequest is a payment each simulator accepts.
func payRequest(name, returnURL string) paybridge.PaymentRequest {
	req := paybridge.PaymentRequest{MerchantReference: "sim-" + name, ReturnURL: returnURL, IdempotencyKey: "sim-" + name + "-pay",
		Description: "Simulated order",
		Payer:       paybridge.Person{ID: "customer-1", FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com"}}
	switch name {
	case trustly.Name:
		req.Amount, req.Payer.Country, req.Payer.Locale = money.MustNew("10.00", "EUR"), "SE", "sv_SE"
	case trustlyrest.Name:
		req.Amount, req.Payer.Country, req.Payer.Phone = money.MustNew("10.00", "USD"), "US", "+14155550100"
	case trustist.Name:
		req.Amount = money.MustNew("10.00", "GBP")
	}
	return req
}

// pageServed fetches a hosted page as a browser would and checks it is a form to act on.
func pageServed(ctx context.Context, t *testing.T, pageURL string) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, pageURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(string(body), "<form") {
		t.Fatalf("hosted page %s: HTTP %d %q\n%s", pageURL, resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
}

func TestSimCommand(t *testing.T) {
	clearProviderEnv(t)
	// The key files go to a new directory under $TMPDIR when it is set.
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	rs := startSimCommand(t, "Ctrl-C stops the simulators.")
	text := rs.out.String()
	sims := parseSimOutput(t, text)
	if strings.Contains(text, "PRIVATE KEY") || strings.Contains(text, "BEGIN") {
		t.Fatal("key material printed to the terminal")
	}
	var dir string
	ctx := t.Context()
	for _, name := range simNames {
		p := sims[name]
		for k, v := range p.env {
			t.Setenv(k, v)
			if strings.HasSuffix(k, "_FILE") {
				st, err := os.Stat(v)
				if err != nil || st.Mode().Perm() != 0o600 {
					t.Fatalf("%s=%s: %v, mode %v", k, v, err, st.Mode())
				}
				dir = v[:strings.LastIndex(v, "/")]
			}
		}
		gw, err := openGateway(ctx, p.url)
		if err != nil {
			t.Fatalf("%s: opening %s: %v", name, p.url, err)
		}
		pm, err := gw.Pay(ctx, payRequest(name, "https://shop.example.com/return"))
		_ = gw.Close()
		if err != nil {
			t.Fatalf("%s: Pay: %v", name, err)
		}
		if pm.Status != paybridge.PaymentRequiresAction || !strings.HasPrefix(pm.RedirectURL, "http://127.0.0.1:") {
			t.Fatalf("%s: payment %+v", name, pm)
		}
		pageServed(ctx, t, pm.RedirectURL)
		// The library's own Open takes the printed URL as it is, with the printed
		// environment (for Trustly, the simulator's public key among it).
		gw, err = paybridge.Open(ctx, p.url)
		if err != nil {
			t.Fatalf("%s: paybridge.Open(%s): %v", name, p.url, err)
		}
		req := payRequest(name, "https://shop.example.com/return")
		req.MerchantReference, req.IdempotencyKey = req.MerchantReference+"-2", req.IdempotencyKey+"-2"
		if _, err := gw.Pay(ctx, req); err != nil {
			t.Fatalf("%s: Pay through paybridge.Open: %v", name, err)
		}
		_ = gw.Close()
	}
	if !strings.HasPrefix(dir, tmp+"/paybridge-sim-") {
		t.Errorf("the key directory %s is not a paybridge-sim-NNN directory under $TMPDIR %s", dir, tmp)
	}
	// The Partner API simulator's configuration is printed the same way, without a
	// paybridge URL: it is no payment provider.
	ps := sims["trustist-partner"]
	if ps == nil || ps.url != "" || ps.base == "" || len(ps.env) != 3 {
		t.Fatalf("the Partner API simulator's configuration: %+v\n%s", ps, text)
	}
	for k, v := range ps.env {
		t.Setenv(k, v)
	}
	// The 'try' commands need the environment: each says to source env.sh first, and
	// nothing points to Go work-arounds.
	if n := strings.Count(text, "  try, in a shell where you ran . "+dir+"/env.sh first:\n    paybridge pay "); n != len(simNames) {
		t.Errorf("%d 'try' lines say to source env.sh first, want %d:\n%s", n, len(simNames), text)
	}
	if strings.Contains(text, "ConfigFromURL") || strings.Contains(text, "Config.") {
		t.Errorf("the output gives Go advice:\n%s", text)
	}
	// With that environment (set above from the exports), each 'try' command works as
	// printed.
	for _, line := range strings.Split(text, "\n") {
		if cmdline, ok := strings.CutPrefix(line, "    paybridge "); ok {
			r := cli(t, shellWords(t, cmdline)...)
			if r.code != exitOK {
				t.Errorf("paybridge %s: exit %d\n%s", cmdline, r.code, r.err)
			}
		}
	}
	// The partner 'try' line invited a merchant: the command printed the invitation's link.
	contains(t, rs.out.String(), "invitation    ", " sent to owner@shop.example: the merchant accepts at "+ps.base+"/join/")
	env, err := os.ReadFile(dir + "/env.sh")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range append(simNames, "trustist-partner") {
		for k, v := range sims[name].env {
			contains(t, string(env), "export "+k+"="+shellQuote(v)+"\n")
		}
	}

	if code := rs.stop(t); code != exitOK {
		t.Fatalf("exit %d\n%s", code, rs.err.String())
	}
	contains(t, rs.err.String(), "stopped")
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("the key directory %s is still there: %v", dir, err)
	}
	if _, err := http.Get(sims[trustist.Name].base); err == nil {
		t.Fatal("the Trustist simulator still answers after the command stopped")
	}
}

// freePorts returns the first of five consecutive free loopback ports. It looks below
// Linux's default ephemeral range (32768 and up): there, the outgoing connections of tests
// running beside this one (thousands, in the chaos packages) take most ports, and four
// free in a row were sometimes not found in twenty tries.
func freePorts(t *testing.T) int {
	t.Helper()
	for range 500 {
		base := 10000 + rand.IntN(22000)
		ok := true
		for i := range 5 {
			l, err := listen(base + i)
			if err != nil {
				ok = false
				break
			}
			_ = l.Close()
		}
		if ok {
			return base
		}
	}
	t.Fatal("no five consecutive free ports")
	return 0
}

func TestSimCommandFixedPortsJSON(t *testing.T) {
	clearProviderEnv(t)
	base := freePorts(t)
	rs := startSimCommand(t, "\n", "--port", strconv.Itoa(base), "--json")
	var set simSet
	line, _, _ := strings.Cut(rs.out.String(), "\n")
	if err := json.Unmarshal([]byte(line), &set); err != nil {
		t.Fatalf("first line is not the configuration: %v\n%s", err, line)
	}
	wantPort := map[string]int{trustly.Name: base, trustlyrest.Name: base + 1, trustist.Name: base + 2}
	if len(set.Simulators) != 3 || !strings.Contains(set.NotificationURL, ":"+strconv.Itoa(base+3)+"/") ||
		set.Partner.BaseURL != "http://127.0.0.1:"+strconv.Itoa(base+4) {
		t.Fatalf("configuration %+v", set)
	}
	ctx := t.Context()
	for _, si := range set.Simulators {
		if !strings.HasPrefix(si.BaseURL, "http://127.0.0.1:"+strconv.Itoa(wantPort[si.Provider])+"/") &&
			si.BaseURL != "http://127.0.0.1:"+strconv.Itoa(wantPort[si.Provider]) {
			t.Errorf("%s base URL %s, want port %d", si.Provider, si.BaseURL, wantPort[si.Provider])
		}
		if !strings.Contains(si.OpenURL, si.BaseURL) {
			t.Errorf("%s: the paybridge URL %s does not name the base URL %s", si.Provider, si.OpenURL, si.BaseURL)
		}
		for _, v := range si.Env {
			t.Setenv(v.Name, v.Value)
		}
		gw, err := openGateway(ctx, si.OpenURL)
		if err != nil {
			t.Fatal(err)
		}
		pm, err := gw.Pay(ctx, payRequest(si.Provider, set.ReturnURL))
		_ = gw.Close()
		if err != nil {
			t.Fatalf("%s: Pay on the fixed port: %v", si.Provider, err)
		}
		pageServed(ctx, t, pm.RedirectURL)
	}
	if code := rs.stop(t); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	// The ports are free again.
	for i := range 5 {
		l, err := listen(base + i)
		if err != nil {
			t.Fatalf("port %d still in use after the command stopped: %v", base+i, err)
		}
		_ = l.Close()
	}
}

// shellWords splits a command line as a POSIX shell would for the quoting `paybridge
// sim` prints: words separated by spaces, single-quoted parts taken literally.
func shellWords(t *testing.T, line string) []string {
	t.Helper()
	var words []string
	var cur strings.Builder
	inWord, quoted := false, false
	for _, r := range line {
		switch {
		case quoted && r == '\'':
			quoted = false
		case quoted:
			cur.WriteRune(r)
		case r == '\'':
			quoted, inWord = true, true
		case r == ' ':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quoted {
		t.Fatalf("unterminated quote in %q", line)
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

// describeEvent names each thing once, and explains Trustly notifications about orders
// the receiver did not make.
func TestDescribeEvent(t *testing.T) {
	foreign := notify.Event{Provider: trustly.Name, Kind: notify.Other, ProviderEvent: "credit", ProviderStatus: "credit",
		MerchantReference: "demo-1", Amount: money.MustNew("10.00", "EUR"),
		Raw: []byte(`{"method":"credit","params":{"data":{"orderid":"1234567890","amount":"10.00"}}}`)}
	got := describeEvent(foreign)
	want := "trustly  credit  order=1234567890  reference=demo-1  amount=10.00 EUR  (money reached the merchant"
	if !strings.HasPrefix(got, want) || strings.Contains(got, "credit credit") {
		t.Errorf("foreign credit printed as\n%s\nwant it to begin\n%s", got, want)
	}
	if id, note := foreignOrder(foreign); id != "1234567890" || note == "" {
		t.Errorf("foreignOrder = %q, %q", id, note)
	}
	// Events the receiver understood, and other providers', print as they are.
	own := notify.Event{Provider: trustly.Name, Kind: notify.PaymentSucceeded, PaymentID: "1234567890", ProviderEvent: "credit",
		ProviderStatus: "credit", Amount: money.MustNew("10.00", "EUR")}
	if got := describeEvent(own); got != "trustly  payment.succeeded  payment=1234567890  amount=10.00 EUR  provider=credit" {
		t.Errorf("own credit printed as %q", got)
	}
	rest := notify.Event{Provider: trustlyrest.Name, Kind: notify.PaymentSucceeded, PaymentID: "1002600007", ProviderEvent: "Complete",
		ProviderStatus: "4 Completed"}
	if got := describeEvent(rest); got != "trustlyrest  payment.succeeded  payment=1002600007  provider=Complete 4 Completed" {
		t.Errorf("Trustly REST event printed as %q", got)
	}
	if id, note := foreignOrder(notify.Event{Provider: trustist.Name, Kind: notify.Other, ProviderEvent: "credit"}); id != "" || note != "" {
		t.Errorf("a Trustist event read as a foreign Trustly order: %q %q", id, note)
	}
}
