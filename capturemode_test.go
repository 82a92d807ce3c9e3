package paybridge_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/paybridge/paybridge"
)

// TestManualCaptureNeedsACapturer: a Pay asking for a later capture is refused by a
// Gateway whose provider cannot capture, before the adapter is called, instead of being
// taken at once.
func TestManualCaptureNeedsACapturer(t *testing.T) {
	f, gw := newFake(okPayment)
	req := validRequest()
	req.Capture = paybridge.CaptureManual
	_, err := gw.Pay(context.Background(), req)
	if !errors.Is(err, paybridge.ErrNotSupported) || !strings.Contains(err.Error(), "capture") {
		t.Fatalf("Pay with CaptureManual: %v; want ErrNotSupported naming capture", err)
	}
	if f.calls.Load() != 0 {
		t.Fatal("adapter called")
	}
	req.Capture = paybridge.CaptureAutomatic
	if _, err := gw.Pay(context.Background(), req); err != nil || f.calls.Load() != 1 {
		t.Fatalf("Pay with automatic capture: %v (%d calls)", err, f.calls.Load())
	}
}
