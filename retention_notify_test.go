package paybridge_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider/memprovider"
)

// reversingProvider is memprovider whose notifications are "rev:<notification id>:<payment
// id>" bodies reporting that payment reversed for 10.00 GBP.
type reversingProvider struct{ *memprovider.Client }

func (p reversingProvider) VerifyNotification(_ context.Context, r *notify.Request) (*notify.Notification, error) {
	rest, ok := strings.CutPrefix(string(r.Body), "rev:")
	id, pid, ok2 := strings.Cut(rest, ":")
	if !ok || !ok2 {
		return nil, errors.New("not a notification")
	}
	return &notify.Notification{ID: id, Event: notify.Event{ID: id, Provider: p.Name(), Kind: notify.PaymentReversed,
		PaymentID: pid, Amount: money.MustNew("10.00", "GBP"), Raw: r.Body}}, nil
}

func (reversingProvider) NotificationReply(*notify.Notification, notify.Outcome) (*notify.Reply, error) {
	return &notify.Reply{StatusCode: http.StatusOK}, nil
}

// TestNotificationPastTheJournalsRetentionIsReportedUnmatched: the journal is what makes a
// notification ours, so one about a call it no longer holds (past its retention, or
// pruned) is not delivered. It is reported to WithUnmatched, where an operator can see a
// late reversal of a payment made long ago — the README says to keep the journal longer
// than a provider may report on a payment.
func TestNotificationPastTheJournalsRetentionIsReportedUnmatched(t *testing.T) {
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	j := journal.NewMemory(journal.WithClock(clock), journal.WithRetention(time.Hour))
	b := memprovider.NewBackend()
	defer b.Close()
	gw := paybridge.New(reversingProvider{memprovider.New(memprovider.Config{Backend: b, APIKey: b.APIKey()})}, paybridge.WithJournal(j))
	ctx := context.Background()
	p, err := gw.Pay(ctx, paybridge.PaymentRequest{Amount: money.MustNew("10.00", "GBP"), MerchantReference: "order-r1",
		ReturnURL: "https://shop.example.com/done"})
	if err != nil {
		t.Fatal(err)
	}
	var delivered []string
	var unmatched []error
	h, err := gw.NotificationHandler(func(_ context.Context, e notify.Event) error { delivered = append(delivered, e.ID); return nil },
		notify.WithUnmatched(func(_ context.Context, _ notify.Event, reason error) { unmatched = append(unmatched, reason) }))
	if err != nil {
		t.Fatal(err)
	}
	post := func(body string) {
		t.Helper()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/n", strings.NewReader(body)))
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: HTTP %d %s", body, rec.Code, rec.Body)
		}
	}
	post("rev:n1:" + p.ID)
	if len(delivered) != 1 || len(unmatched) != 0 {
		t.Fatalf("within the retention: delivered %v, unmatched %v; want delivered", delivered, unmatched)
	}
	mu.Lock()
	now = now.Add(2 * time.Hour)
	mu.Unlock()
	// The memory journal drops what is past its retention as it takes new calls.
	if _, err := gw.Pay(ctx, paybridge.PaymentRequest{Amount: money.MustNew("5.00", "GBP"), MerchantReference: "order-r2",
		ReturnURL: "https://shop.example.com/done"}); err != nil {
		t.Fatal(err)
	}
	post("rev:n2:" + p.ID)
	if len(delivered) != 1 || len(unmatched) != 1 || !errors.Is(unmatched[0], notify.ErrNotOurs) {
		t.Fatalf("past the retention: delivered %v, unmatched %v; want one unmatched, not ours", delivered, unmatched)
	}
}
