package trustist_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/uuid"

	"github.com/paybridge/paybridge/internal/benchkit"
	"github.com/paybridge/paybridge/notify"
)

// Allocation budgets: objects allocated per operation (the whole process, the loopback
// stub's share included), measured without the race detector. A change that raises a
// count past its budget fails here. A Pay's budget includes the Gateway's journal (about a
// dozen objects: the request's and the result's JSON, the entry, its claim token), the
// only record of the call: the adapter keeps none. Measured: a Pay 145 (146 while the
// adapter also kept an entry per idempotency key in a ledger of its own), a notification
// 149 (unchanged: the ledger's note of each reported payment allocated only for a
// reference not seen before, and the stub's payments share one); 153 since a
// notification's read is shared with others about the same payment (the read's record and
// the channel its waiters wait on). The budgets keep the headroom they had. Since the
// request is validated by the validator alone, the bodies are written and read by
// encoding/json and the webhook's hint is read through a map: a Pay 182 (the validator
// boxes each field it visits, about thirty objects), a notification 194. Since calls are
// traced: a Pay 205 (199 before), a notification 210 (204): the global tracer provider,
// which records nothing until the application sets one, still makes three objects per
// span (the Gateway call's, the HTTP attempt's, the notification's). Since each attempt
// carries the moment its requests must end by (the client's 30-second timeout ends them
// sooner, so no deadline is added): a Pay 207.
const (
	payAllocBudget    = 210
	notifyAllocBudget = 215
)

func TestPayAllocBudget(t *testing.T) {
	_, gw, req, _, _ := payStub(t)
	ctx := context.Background()
	benchkit.CheckAllocs(t, payAllocBudget, 200, func() {
		if _, err := gw.Pay(ctx, req); err != nil { // a fresh idempotency key each time
			t.Fatal(err)
		}
	})
}

// TestNotificationAllocBudget counts a webhook's handling: the hint, the Hawk-signed
// fetch of the payment from the stub, the event, dedupe, the callback and the reply.
func TestNotificationAllocBudget(t *testing.T) {
	_, gw, _, _, _ := payStub(t)
	h, err := gw.NotificationHandler(func(context.Context, notify.Event) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	const n = 100
	bodies := make([][]byte, n+1) // AllocsPerRun runs f once more to warm up
	for i := range bodies {
		bodies[i] = fmt.Appendf(nil, `{"paymentId":%q,"status":"PENDING","eventType":"payment.updated"}`, uuid.NewString())
	}
	i := 0
	benchkit.CheckAllocs(t, notifyAllocBudget, n, func() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/trustist", bytes.NewReader(bodies[i])))
		i++
		if rec.Code != http.StatusOK {
			t.Fatalf("HTTP %d: %s", rec.Code, rec.Body)
		}
	})
}
