package trustist_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/internal/benchkit"
	"github.com/paybridge/paybridge/internal/hawk"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider/trustist"
	"github.com/paybridge/paybridge/secret"
)

// BenchmarkNotifications measures webhook handling (read the hint, fetch the payment it
// names with a Hawk-signed GET, map the API's status to an event, dedupe, call the
// application, answer 200) under concurrent load, as a rate beside its floor served the
// same way: Trustist signs no webhook, so what no handler can avoid is the authenticated
// fetch — a handler that reads the body, signs one Hawk GET, makes it to the same API stub
// and answers 200. "x-floor-rate" is the handler's rate as a fraction of the floor's.
// The payments are pending, so that every webhook is confirmed by a read (a final status
// would be remembered and spare later reads), and confirmation reads are not bounded.
func BenchmarkNotifications(b *testing.B) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := strings.TrimPrefix(r.URL.Path, "/v1/payments/")
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		fmt.Fprintf(w, `{"id":%q,"status":"PENDING","amount":125.50,"currency":"GBP","reference":"ORDER-1"}`, id)
	}))
	defer api.Close()
	const hawkID, hawkKey = "a1b2c3d4-e5f6-7890-abcd-ef1234567890", "sk_test_benchmark_key"
	p, err := trustist.New(trustist.Config{BaseURL: api.URL, ConfirmationsPerSecond: -1,
		Merchant: trustist.Key{HawkID: hawkID, HawkKey: secret.New(hawkKey)}})
	if err != nil {
		b.Fatal(err)
	}
	gw := paybridge.New(p)
	defer gw.Close()
	round := make([]benchkit.Message, 64)
	ids := make([]string, len(round))
	for i := range round {
		ids[i] = uuid.NewString()
		round[i] = benchkit.Message{Header: http.Header{"Content-Type": {"application/json"}},
			Body: fmt.Appendf(nil, `{"paymentId":%q,"status":"PENDING","eventType":"payment.created"}`, ids[i])}
	}
	newHandler := func() http.Handler {
		h, err := gw.NotificationHandler(func(_ context.Context, ev notify.Event) error {
			if ev.Kind != notify.PaymentPending {
				return fmt.Errorf("event %s, want %s", ev.Kind, notify.PaymentPending)
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		return h
	}
	cred := hawk.Credentials{ID: hawkID, Key: hawk.Key(hawkKey)}
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: benchkit.Workers}}
	floor := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		target := api.URL + "/v1/payments/" + ids[len(body)%len(ids)]
		auth, _, err := hawk.RequestHeader(cred, http.MethodGet, target, hawk.RequestOptions{})
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		req, _ := http.NewRequestWithContext(r.Context(), http.MethodGet, target, nil)
		req.Header.Set("Authorization", auth)
		resp, err := hc.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		_, _ = io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		w.WriteHeader(http.StatusOK)
	})
	benchkit.NotificationRate(b, round, newHandler, floor, func(status int, body []byte) error {
		if status != http.StatusOK {
			return fmt.Errorf("HTTP %d: %s", status, body)
		}
		return nil
	})
}
