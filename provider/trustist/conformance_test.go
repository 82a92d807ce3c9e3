package trustist_test

import (
	"context"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/conformance"
	"github.com/paybridge/paybridge/internal/testwait"
	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/journal/pgjournal/pgjournaltest"
	"github.com/paybridge/paybridge/provider/trustist/trustistsim"
)

// skipsExpected are the scenarios for operations Trustist does not offer; each must skip
// because Capabilities leaves it out (the Capabilities scenario proves they return
// ErrNotSupported).
var skipsExpected = map[string]string{
	"RefundPartialAndMultiple": "Trustist publishes no refund endpoint",
	"RefundOverCaptured":       "Trustist publishes no refund endpoint",
	"RefundIdempotent":         "Trustist publishes no refund endpoint",
	"VerifyAccount":            "Trustist verifies accounts only interactively",
	"PayoutToVerifiedAccount":  "Trustist publishes no payout endpoint",
	"PayoutIdempotent":         "Trustist publishes no payout endpoint",
	"PayoutInteractive":        "Trustist publishes no payout endpoint",
	"CaptureFull":              "Trustist has no authorization hold",
	"CapturePartial":           "Trustist has no authorization hold",
	"CaptureOverAuthorized":    "Trustist has no authorization hold",
	"VoidThenCapture":          "Trustist has no authorization hold",
	"CaptureIdempotent":        "Trustist has no authorization hold",
	"MandateCharge":            "the merchant cannot charge them",
	"ChargeCanceledMandate":    "the merchant cannot charge them",
	"ChargeIdempotent":         "the merchant cannot charge them",
	"Ledger":                   "Trustist publishes no listing",
}

// TestConformance runs the shared suite against the simulator, through the same harness
// the paybridge command uses. Every scenario must pass, except the skips above.
func TestConformance(t *testing.T) {
	h, cleanup, err := trustistsim.ConformanceHarness()
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	h.Timeout = testwait.Limit                // a scenario's waits end with what they wait for, not a short deadline
	if j := pgjournaltest.Open(t); j != nil { // PostgreSQL for the restart scenarios, where a server is configured
		h.NewJournal = func(conformance.T) journal.Journal { return j }
	}
	results := conformance.Run(context.Background(), h, nil)
	if len(results) != len(conformance.Scenarios()) {
		t.Fatalf("%d results for %d scenarios", len(results), len(conformance.Scenarios()))
	}
	for _, r := range results {
		switch {
		case r.Status == conformance.Passed:
			t.Logf("%-40s passed (%v)", r.Scenario, r.Duration)
		case r.Status == conformance.Skipped && skipsExpected[r.Scenario] != "" && strings.Contains(r.Message, skipsExpected[r.Scenario]):
			t.Logf("%-40s skipped: %s", r.Scenario, r.Message)
		default:
			t.Errorf("%s %s: %s", r.Scenario, r.Status, r.Message)
		}
	}
}
