package trustlyrest_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustlyrest"
	"github.com/paybridge/paybridge/provider/trustlyrest/trustlyrestsim"
)

// A refund made as a cancel falls back to a refund only when Trustly refused the cancel:
// after an answer that says nothing of the cancel's fate (here an error body of a code the
// adapter does not know, which Trustly may have given after voiding), a refund could take
// the money back a second time. The call stays uncertain and nothing more is sent.
func TestCancelOfUnknownFateIsNotFollowedByARefund(t *testing.T) {
	odd := &oddCancelAnswer{next: http.DefaultTransport}
	e := newEnv(t, trustlyrestsim.Options{SettleDelay: -1}, func(c *trustlyrest.Config) {
		if c.HTTPClient != nil && c.HTTPClient.Transport != nil {
			odd.next = c.HTTPClient.Transport
		}
		c.HTTPClient = &http.Client{Transport: odd}
	})
	j := journal.NewMemory()
	gw := paybridge.New(e.client, paybridge.WithJournal(j), paybridge.WithRetry(paybridge.NoRetry))
	p := e.paid("30.00", provider.PaymentPending)
	ctx := context.Background()
	req := paybridge.RefundRequest{PaymentID: p.ID, Amount: usd("30.00"), IdempotencyKey: "cancel-odd"}
	odd.armed.Store(true)
	_, err := gw.Refund(ctx, req)
	if err == nil || errors.Is(err, paybridge.ErrInvalidRequest) {
		t.Fatalf("refund whose cancel met an unknown error = %v; want an error that leaves the call open", err)
	}
	if posted := odd.after(); len(posted) != 0 {
		t.Fatalf("after the cancel the adapter sent %v; want nothing", posted)
	}
	en, err := j.Get(ctx, journal.ID{Scope: gw.JournalScope(), Op: string(provider.OpRefund), Key: req.IdempotencyKey})
	if err != nil || en.State != journal.Uncertain {
		t.Fatalf("journal entry %+v, %v; want it uncertain", en, err)
	}
}

// oddCancelAnswer passes the first POST to a .../cancel path after it is armed on to
// Trustly, then answers it with an error of an unknown code in place of Trustly's answer,
// and records the POSTs sent after it.
type oddCancelAnswer struct {
	next  http.RoundTripper
	armed atomic.Bool
	mu    sync.Mutex
	done  bool
	posts []string
}

func (o *oddCancelAnswer) RoundTrip(r *http.Request) (*http.Response, error) {
	o.mu.Lock()
	if o.done && r.Method == http.MethodPost {
		o.posts = append(o.posts, r.URL.Path)
	}
	o.mu.Unlock()
	resp, err := o.next.RoundTrip(r)
	if err != nil || r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/cancel") || !o.armed.CompareAndSwap(true, false) {
		return resp, err
	}
	resp.Body.Close()
	o.mu.Lock()
	o.done = true
	o.mu.Unlock()
	body := `{"errors":[{"code":999999,"message":"unexpected condition"}]}`
	return &http.Response{Status: "200 OK", StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)), Request: r}, nil
}

func (o *oddCancelAnswer) after() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.posts
}
