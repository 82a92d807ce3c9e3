package trustly_test

import (
	"testing"

	"github.com/paybridge/paybridge/conformance"
	"github.com/paybridge/paybridge/provider/trustly/trustlysim"
)

func TestConformance(t *testing.T) {
	h, cleanup := trustlysim.ConformanceHarness()
	defer cleanup()
	conformance.RunConformanceTests(t, h)
}
