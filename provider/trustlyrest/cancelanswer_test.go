package trustlyrest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustlyrest"
	"github.com/paybridge/paybridge/provider/trustlyrest/trustlyrestsim"
)

// cancelNotDone rewrites the answer to one POST .../cancel, while armed, so that the
// transaction it carries shows status 2 Authorized: the cancel received but not done.
type cancelNotDone struct {
	armed atomic.Bool
	next  http.RoundTripper
}

func (c *cancelNotDone) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(r)
	if err != nil || r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/cancel") || !c.armed.CompareAndSwap(true, false) {
		return resp, err
	}
	return rewriteObjects(resp, func(o map[string]any) {
		if _, ok := o["transactionType"]; ok {
			o["status"], o["statusMessage"] = 2, "Authorized"
		}
	})
}

// rewriteObjects applies edit to every JSON object in resp's body, nested ones included,
// and returns resp carrying the result; a body that is not JSON passes unchanged.
func rewriteObjects(resp *http.Response, edit func(map[string]any)) (*http.Response, error) {
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	var v any
	if json.Unmarshal(raw, &v) == nil {
		var walk func(any)
		walk = func(v any) {
			switch x := v.(type) {
			case map[string]any:
				edit(x)
				for _, m := range x {
					walk(m)
				}
			case []any:
				for _, m := range x {
					walk(m)
				}
			}
		}
		walk(v)
		raw, _ = json.Marshal(v)
	}
	resp.Body = io.NopCloser(bytes.NewReader(raw))
	resp.ContentLength = int64(len(raw))
	resp.Header.Del("Content-Length")
	return resp, nil
}

// Void and CancelMandate report success only when Trustly's answer shows the transaction
// 13 Voided; an answer still showing it authorized leaves the outcome unknown.
func TestCancelAnswerNotVoidedIsUnknown(t *testing.T) {
	rw := &cancelNotDone{next: http.DefaultTransport}
	e := newEnv(t, trustlyrestsim.Options{}, func(c *trustlyrest.Config) { c.HTTPClient = &http.Client{Transport: rw} })
	ctx := context.Background()

	p := e.authorized("30.00")
	rw.armed.Store(true)
	v, err := e.gw.Void(ctx, paybridge.VoidRequest{PaymentID: p.ID})
	if !errors.Is(err, paybridge.ErrUnknownOutcome) || !strings.Contains(err.Error(), "not 13 Voided") {
		t.Errorf("Void answered with the authorization still authorized = %+v, %v; want ErrUnknownOutcome", v, err)
	}
	if rw.armed.Load() {
		t.Fatal("no cancel was sent for Void")
	}

	m := e.approvedMandate("plan-cancel")
	rw.armed.Store(true)
	got, err := e.gw.CancelMandate(ctx, paybridge.CancelMandateRequest{MandateID: m.ID})
	if !errors.Is(err, paybridge.ErrUnknownOutcome) || !strings.Contains(err.Error(), "not 13 Voided") {
		t.Errorf("CancelMandate answered with the mandate still authorized = %+v, %v; want ErrUnknownOutcome", got, err)
	}
	if rw.armed.Load() {
		t.Fatal("no cancel was sent for CancelMandate")
	}
	if provider.CodeOf(err) != provider.UnknownOutcome {
		t.Errorf("CancelMandate error code %v", provider.CodeOf(err))
	}
}
