package trustlyrest

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/paybridge/paybridge/notify"
)

// TestNotificationAskedAgainWhenTheAPIIsSlowOrDown: the work an Authorize notification
// needs (read the payment, look for its capture, capture) is bounded, so the reply reaches
// Trustly within its 3 seconds; when the API is slow or failing the handler answers 503
// (notify.ErrRetryLater) so that Trustly delivers the notification again, not 400, which
// calls the notification bad.
func TestNotificationAskedAgainWhenTheAPIIsSlowOrDown(t *testing.T) {
	for name, api := range map[string]http.HandlerFunc{
		"slow": func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		},
		"down": func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"errors":[{"domain":"x","code":100,"message":"Service temporarily unavailable"}]}`))
		},
	} {
		t.Run(name, func(t *testing.T) {
			c := stubClient(t, api)
			c.notifyBudget = 100 * time.Millisecond
			_, err := c.VerifyNotification(context.Background(), signed(t, testID, authorizeNote))
			if !errors.Is(err, notify.ErrRetryLater) {
				t.Fatalf("VerifyNotification = %v, want an error wrapping notify.ErrRetryLater", err)
			}
			var calls int
			h := notify.NewHandler(c, func(context.Context, notify.Event) error { calls++; return nil })
			rec := httptest.NewRecorder()
			req := signed(t, testID, authorizeNote)
			hr := httptest.NewRequest(http.MethodPost, "/n", bytes.NewReader(req.Body))
			hr.Header = req.Header
			h.ServeHTTP(rec, hr)
			if rec.Code != http.StatusServiceUnavailable || calls != 0 {
				t.Fatalf("handler answered %d after %d callbacks, want 503 and none", rec.Code, calls)
			}
		})
	}
}
