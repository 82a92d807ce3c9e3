package trustlyrest_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/paybridge/paybridge/internal/benchkit"
)

// payAllocBudget is the objects allocated by one Gateway.Pay against the loopback stub
// (both ends of the exchange), measured without the race detector. It includes the
// Gateway's journal: about a dozen objects (the request's and the result's JSON, the entry,
// its claim token). Measured: 173, of which about thirty are the validator's (it boxes
// each field it visits) and a few encoding/json's, which writes the establish data and
// reads the answer. 199 since the stub is reached through the adapter's default client,
// as users run it, whose 30-second timeout gives each request a deadline (net/http's
// context and timer), and each attempt carries the moment its requests must end by.
const payAllocBudget = 205

func TestPayAllocBudget(t *testing.T) {
	gw, req, _, _ := payStub(t)
	ctx := context.Background()
	i := 0
	benchkit.CheckAllocs(t, payAllocBudget, 200, func() {
		r := req
		r.IdempotencyKey = "alloc-" + strconv.Itoa(i)
		i++
		if _, err := gw.Pay(ctx, r); err != nil {
			t.Fatal(err)
		}
	})
}
