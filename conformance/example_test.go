package conformance_test

import (
	"context"
	"fmt"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/conformance"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider/memprovider"
)

// An adapter's test calls conformance.RunConformanceTests(t, harness); programs can use Run
// for a report.
func ExampleRun() {
	b := memprovider.NewBackend()
	defer b.Close()
	h := conformance.Harness{
		NewGateway: func(_ context.Context, _ conformance.T, opts ...paybridge.Option) *paybridge.Gateway {
			return paybridge.New(memprovider.New(memprovider.Config{Backend: b, APIKey: b.APIKey()}), opts...)
		},
		EndUser:  b.EndUser(),
		Currency: money.MustCurrency("GBP"),
		Payer:    paybridge.Person{ID: "u1", Email: "ada@example.com"},
		Secrets:  []string{b.APIKey().Reveal()},
	}
	counts := map[conformance.Status]int{}
	for _, r := range conformance.Run(context.Background(), h, nil) {
		counts[r.Status]++
	}
	fmt.Println(counts[conformance.Failed], "failed")
	// Output: 0 failed
}
