package notify_test

import (
	"testing"

	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/notify/storetest"
)

// TestMemoryStoreSharedTests runs the shared store tests against MemoryStore. Handlers in
// one process share a MemoryStore by sharing the value, so every instance is the same one.
func TestMemoryStoreSharedTests(t *testing.T) {
	s := notify.NewMemoryStore()
	storetest.Run(t, func(*testing.T) notify.Store { return s })
}
