package paybridge

import (
	"slices"

	"github.com/paybridge/paybridge/provider"
)

// Capabilities says what a Gateway's provider supports: the operations, which follow from
// the interfaces its adapter implements (provider.OperationsOf), and the adapter's own
// provider.Capabilities (currencies, customer fields, notes, ...). Operations it leaves
// out return ErrNotSupported without contacting the provider.
type Capabilities struct {
	// Operations lists the supported operations, in provider.AllOperations order.
	Operations []Operation
	provider.Capabilities
}

// Supports reports whether op is supported.
func (c Capabilities) Supports(op Operation) bool { return slices.Contains(c.Operations, op) }
