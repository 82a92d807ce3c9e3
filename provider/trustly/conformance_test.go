package trustly_test

import (
	"testing"

	"github.com/paybridge/paybridge/conformance"
	"github.com/paybridge/paybridge/internal/testwait"
	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/journal/pgjournal/pgjournaltest"
	"github.com/paybridge/paybridge/provider/trustly/trustlysim"
)

func TestConformance(t *testing.T) {
	h, cleanup, err := trustlysim.ConformanceHarness()
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	h.Timeout = testwait.Limit                // a scenario's waits end with what they wait for, not a short deadline
	if j := pgjournaltest.Open(t); j != nil { // PostgreSQL for the restart scenarios, where a server is configured
		h.NewJournal = func(conformance.T) journal.Journal { return j }
	}
	conformance.RunConformanceTests(t, h)
}
