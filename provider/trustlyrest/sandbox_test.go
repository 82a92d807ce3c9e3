package trustlyrest_test

import (
	"testing"

	"github.com/paybridge/paybridge/sandbox"
)

// TestSandboxConformance runs the conformance suite against Trustly's real REST sandbox. It
// is opt-in: set PAYBRIDGE_TRUSTLYREST_ACCESS_ID, PAYBRIDGE_TRUSTLYREST_ACCESS_KEY (or
// _FILE) and PAYBRIDGE_TRUSTLYREST_MERCHANT_ID, and PAYBRIDGE_TRUSTLYREST_BASE_URL for
// another host. The sandbox's bank page needs a browser, so scenarios that need an end
// user skip, as do the notification scenarios (the sandbox cannot reach this machine).
// `paybridge conformance --sandbox` runs the same configuration.
func TestSandboxConformance(t *testing.T) {
	sandbox.Run(t, sandbox.TrustlyREST())
}
