package trustlyrest_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/internal/transport"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustlyrest"
	"github.com/paybridge/paybridge/provider/trustlyrest/trustlyrestsim"
)

// countingProxy forwards TCP connections to target and counts those it accepted and
// those the client closed.
type countingProxy struct {
	ln       net.Listener
	accepted atomic.Int64
	closed   atomic.Int64 // connections the client ended (its side reached end of file)
	// ended counts connections the simulator's side (or the proxy, failing to reach it)
	// ended first: ones the client had to replace through no fault of its own.
	ended atomic.Int64
	wg    sync.WaitGroup
}

func startCountingProxy(t *testing.T, target string) *countingProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &countingProxy{ln: ln}
	p.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.accepted.Add(1)
			p.wg.Go(func() { p.pipe(c, target) })
		}
	})
	t.Cleanup(func() { _ = ln.Close(); p.wg.Wait() })
	return p
}

func (p *countingProxy) pipe(c net.Conn, target string) {
	defer c.Close()
	up, err := net.Dial("tcp", target)
	if err != nil {
		p.ended.Add(1)
		return
	}
	defer up.Close()
	done := make(chan struct{})
	go func() {
		if _, err := io.Copy(up, c); err == nil {
			p.closed.Add(1) // the client closed; an error means the proxy closed c itself
		}
		_ = up.(*net.TCPConn).CloseWrite()
		close(done)
	}()
	_, _ = io.Copy(c, up)
	select {
	case <-done: // the client ended it, and the simulator then did
	default:
		p.ended.Add(1)
	}
	_ = c.Close()
	<-done
}

// TestThousandConcurrentPaysReuseConnections: 1,000 Pays started at once through one
// Gateway complete without error, and the adapter's default HTTP client carries them over
// at most transport.MaxConnsPerHost TCP connections, reused with keep-alive, instead of
// one connection per call. A second burst closes none of them and opens none beyond the
// bound but to replace one the simulator's side ended (the client's keep-alive is what
// is measured): once the first burst has reached the bound, none at all. (How many the first
// burst opens below the bound depends on how the machine schedules it.)
func TestThousandConcurrentPaysReuseConnections(t *testing.T) {
	sim, err := trustlyrestsim.Start(trustlyrestsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	cfg := sim.Config()
	u, err := url.Parse(cfg.BaseURL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := startCountingProxy(t, u.Host)
	u.Host = proxy.ln.Addr().String()
	cfg.BaseURL = u.String()
	c, err := trustlyrest.New(cfg) // no HTTPClient: the adapter's default client
	if err != nil {
		t.Fatal(err)
	}
	gw := paybridge.New(c)
	t.Cleanup(func() { _ = gw.Close() })

	burst := func(round, n int) {
		t.Helper()
		var wg sync.WaitGroup
		errs := make(chan error, n)
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				req := paybridge.PaymentRequest{Amount: usd("1.00"), MerchantReference: "conc-" + strconv.Itoa(round) + "-" + strconv.Itoa(i),
					Description: "concurrency", ReturnURL: "https://shop.example/return", Payer: trustlyrestsim.TestPayer}
				p, err := gw.Pay(context.Background(), req)
				if err == nil && (p.Status != provider.PaymentRequiresAction || p.RedirectURL == "") {
					err = errors.New("payment " + p.ID + " is " + string(p.Status) + " , want requires_action with a redirect")
				}
				errs <- err
			})
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	burst(1, 1000)
	first := proxy.accepted.Load()
	if first > transport.MaxConnsPerHost {
		t.Fatalf("1,000 concurrent Pays opened %d connections; the bound is %d", first, transport.MaxConnsPerHost)
	}
	if first == 0 {
		t.Fatal("the proxy saw no connection: the test does not measure the client")
	}
	burst(2, 1000)
	total := proxy.accepted.Load()
	if total > transport.MaxConnsPerHost+proxy.ended.Load() {
		// Say whether the client ended connections the new ones replaced; if it ended
		// none, the simulator's side ended them or the proxy could not reach it.
		t.Fatalf("a second burst opened %d new connections, %d in all, while the client closed %d and the simulator's side ended %d; "+
			"the first burst's should have been kept alive and reused", total-first, total, proxy.closed.Load(), proxy.ended.Load())
	}
	if n := proxy.closed.Load(); n != 0 {
		t.Fatalf("the client closed %d of its connections between or during the bursts; they should have been kept alive", n)
	}
	t.Logf("2,000 Pays over %d TCP connections (%d opened by the first burst; %d ended by the simulator's side)", total, first,
		proxy.ended.Load())
}
