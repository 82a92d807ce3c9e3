package trustlyrest

import (
	"bytes"
	"context"
	"errors"
	"io"
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
			// Never answers: only the budget can end the work, however slow the machine.
			_, _ = io.Copy(io.Discard, r.Body) // once read, the client's hang-up ends r's context
			<-r.Context().Done()
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
