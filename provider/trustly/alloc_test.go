package trustly_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/internal/benchkit"
	"github.com/paybridge/paybridge/notify"
)

// Allocation budgets: objects allocated per operation (the whole process, the loopback
// stub's share included), measured without the race detector. A change that raises a
// count past its budget fails here; docs/performance.md says where the allocations go.
const (
	payAllocBudget    = 400
	notifyAllocBudget = 145
)

func TestPayAllocBudget(t *testing.T) {
	gw, req, _ := payStub(t)
	ctx := context.Background()
	n := 0
	benchkit.CheckAllocs(t, payAllocBudget, 200, func() {
		n++ // a fresh key each time: a repeated one is answered from the journal
		req.IdempotencyKey, req.MerchantReference = "alloc-"+strconv.Itoa(n), "order-alloc-"+strconv.Itoa(n)
		if _, err := gw.Pay(ctx, req); err != nil {
			t.Fatal(err)
		}
	})
}

func TestNotificationAllocBudget(t *testing.T) {
	c, _ := notifyClient(t)
	gw := paybridge.New(c)
	h, err := gw.NotificationHandler(func(context.Context, notify.Event) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	const n = 100
	bodies := make([][]byte, n+1) // AllocsPerRun runs f once more to warm up
	for i := range bodies {
		data := credit(strconv.Itoa(800000+i), "alloc-n-"+strconv.Itoa(i))
		delete(data, "attributes")
		// Within the Handler's maximum age, which it checks before the journal is asked.
		data["timestamp"] = time.Now().UTC().Format("2006-01-02 15:04:05.000000") + "+00"
		bodies[i] = signed(t, "pending", data)
	}
	i := 0
	benchkit.CheckAllocs(t, notifyAllocBudget, n, func() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/trustly", bytes.NewReader(bodies[i])))
		i++
		if rec.Code != http.StatusOK {
			t.Fatalf("HTTP %d: %s", rec.Code, rec.Body)
		}
	})
}
