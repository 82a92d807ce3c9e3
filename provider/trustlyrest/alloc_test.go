package trustlyrest

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/benchkit"
	"github.com/paybridge/paybridge/notify"
)

// notifyAllocBudget is the objects allocated to handle one notification, measured
// without the race detector; a change past it fails here. 64 since the Handler renews its
// claim while the callback runs (the callback's cancellable context and the renewals'
// timer): a slow callback keeps its notification from a redelivery to another instance.
const notifyAllocBudget = 64

func TestNotificationAllocBudget(t *testing.T) {
	c := testClient(t)
	h := notify.NewHandler(c, func(context.Context, notify.Event) error { return nil }, notify.WithMaxAge(0)) // the fixtures are from 2019
	const n = 100
	msgs := make([]*notify.Request, n+1) // AllocsPerRun runs f once more to warm up
	for i := range msgs {
		body := []byte(strings.Replace(string(captureDone), "eventId=1002593570", "eventId="+strconv.Itoa(1002700000+i), 1))
		msgs[i] = signed(t, testID, body)
	}
	i := 0
	benchkit.CheckAllocs(t, notifyAllocBudget, n, func() {
		r := httptest.NewRequest(http.MethodPost, "/trustly", bytes.NewReader(msgs[i].Body))
		r.Header = msgs[i].Header
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		i++
		if rec.Code != http.StatusOK {
			t.Fatalf("HTTP %d: %s", rec.Code, rec.Body)
		}
	})
}
