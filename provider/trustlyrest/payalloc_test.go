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
// reads the answer. 194 since each attempt runs under a deadline within the journal's
// lease (its context, timer and cancel function).
const payAllocBudget = 197

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
