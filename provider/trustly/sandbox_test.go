package trustly_test

import (
	"testing"

	"github.com/paybridge/paybridge/sandbox"
)

// TestConformanceSandbox runs the suite against Trustly's real TEST environment when the
// PAYBRIDGE_TRUSTLY_* variables are set (see the package documentation). Nobody can act on
// Trustly's hosted pages from a test and Trustly cannot reach this machine, so the
// scenarios that need either skip with their reason. `paybridge conformance --sandbox`
// runs the same configuration.
func TestConformanceSandbox(t *testing.T) {
	sandbox.Run(t, sandbox.Trustly())
}
