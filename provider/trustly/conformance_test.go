package trustly_test

import (
	"testing"

	"github.com/paybridge/paybridge/conformance"
	"github.com/paybridge/paybridge/internal/pgkit/pgtest"
	"github.com/paybridge/paybridge/internal/testwait"
	"github.com/paybridge/paybridge/provider/trustly/trustlysim"
)

func TestConformance(t *testing.T) {
	h, cleanup := trustlysim.ConformanceHarness()
	defer cleanup()
	h.Timeout = testwait.Limit       // a scenario's waits end with what they wait for, not a short deadline
	h.NewJournal = pgtest.Journal(t) // PostgreSQL for the restart scenarios, where a server is configured
	conformance.RunConformanceTests(t, h)
}
