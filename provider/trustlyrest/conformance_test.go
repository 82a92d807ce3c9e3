package trustlyrest_test

import (
	"context"
	"testing"

	"github.com/paybridge/paybridge/conformance"
	"github.com/paybridge/paybridge/internal/testwait"
	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/journal/pgjournal/pgjournaltest"
	"github.com/paybridge/paybridge/provider/trustlyrest/trustlyrestsim"
)

// TestConformance runs the conformance suite against the simulator through the harness the
// paybridge command uses, one subtest per scenario. Every scenario runs; none may skip.
func TestConformance(t *testing.T) {
	h, stop, err := trustlyrestsim.ConformanceHarness()
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	h.Timeout = testwait.Limit                // a scenario's waits end with what they wait for, not a short deadline
	if j := pgjournaltest.Open(t); j != nil { // PostgreSQL for the restart scenarios, where a server is configured
		h.NewJournal = func(conformance.T) journal.Journal { return j }
	}
	for _, r := range conformance.Run(context.Background(), h, nil) {
		t.Run(r.Scenario, func(t *testing.T) {
			if r.Status != conformance.Passed {
				t.Fatalf("%s: %s", r.Status, r.Message)
			}
		})
	}
}
