package paybridge_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider/memprovider"
)

// accountProvider is memprovider acting for one merchant account, whose notifications
// are "n:<id>" bodies: a sandbox's and a live account's may carry the same id.
type accountProvider struct {
	*memprovider.Client
	account string
}

func (p accountProvider) Account() string { return p.account }

func (p accountProvider) VerifyNotification(_ context.Context, r *notify.Request) (*notify.Notification, error) {
	id, ok := strings.CutPrefix(string(r.Body), "n:")
	if !ok {
		return nil, errors.New("not a notification")
	}
	return &notify.Notification{ID: id, Event: notify.Event{ID: id, Provider: p.Name(), Kind: notify.Other, Raw: r.Body}}, nil
}

func (accountProvider) NotificationReply(*notify.Notification, notify.Outcome) (*notify.Reply, error) {
	return &notify.Reply{StatusCode: http.StatusOK}, nil
}

// TestOneStoreServesTwoAccounts: a sandbox and a live Gateway of one provider share a
// notification store. A notification of each with the same id reaches each application:
// neither is taken for a duplicate of the other's.
func TestOneStoreServesTwoAccounts(t *testing.T) {
	store := notify.NewMemoryStore()
	b := memprovider.NewBackend()
	defer b.Close()
	var delivered [2]atomic.Int32
	for i, account := range []string{"sandbox-merchant", "live-merchant"} {
		gw := paybridge.New(accountProvider{Client: memprovider.New(memprovider.Config{Backend: b, APIKey: b.APIKey()}), account: account})
		h, err := gw.NotificationHandler(func(context.Context, notify.Event) error { delivered[i].Add(1); return nil },
			notify.WithStore(store))
		if err != nil {
			t.Fatal(err)
		}
		for range 2 { // delivered, then delivered again
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/n", strings.NewReader("n:1002593570")))
			if rec.Code != http.StatusOK {
				t.Fatalf("%s: HTTP %d", account, rec.Code)
			}
		}
	}
	if s, l := delivered[0].Load(), delivered[1].Load(); s != 1 || l != 1 {
		t.Fatalf("deliveries: sandbox %d, live %d; want one each", s, l)
	}
}
