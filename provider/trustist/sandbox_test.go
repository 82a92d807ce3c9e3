package trustist_test

import (
	"testing"

	"github.com/paybridge/paybridge/sandbox"
)

// TestSandbox runs the merchant-info call and then the conformance suite against the real
// Trustist sandbox. It is opt-in: set PAYBRIDGE_TRUSTIST_HAWK_ID and
// PAYBRIDGE_TRUSTIST_HAWK_KEY (or _FILE; a sandbox merchant key), optionally
// PAYBRIDGE_TRUSTIST_TENANT_HAWK_ID and PAYBRIDGE_TRUSTIST_TENANT_HAWK_KEY, and
// PAYBRIDGE_TRUSTIST_BASE_URL. Hosted pages and webhooks need a person and a public URL,
// so those scenarios skip. `paybridge conformance --sandbox` runs the same configuration.
func TestSandbox(t *testing.T) {
	sandbox.Run(t, sandbox.Trustist())
}
