package trustlyrest

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
)

// unreachableCalls is a record of calls whose store cannot be reached.
type unreachableCalls struct{}

var errJournalDown = errors.New("journal: connection refused")

func (unreachableCalls) ByProviderID(context.Context, string) (provider.Call, bool, error) {
	return provider.Call{}, false, errJournalDown
}
func (unreachableCalls) ByReference(context.Context, string) ([]provider.Call, error) {
	return nil, errJournalDown
}
func (unreachableCalls) Children(context.Context, string, provider.Operation) ([]provider.Call, error) {
	return nil, errJournalDown
}
func (unreachableCalls) Mark(context.Context, string, string, string) (string, error) {
	return "", errJournalDown
}
func (unreachableCalls) MarkKept(context.Context, string, string, string) (string, error) {
	return "", errJournalDown
}
func (unreachableCalls) Marked(context.Context, string, string) (string, error) {
	return "", errJournalDown
}

// payoutAuthorizeNote is the Authorize notification of an interactive payout's
// Disbursement authorization.
var payoutAuthorizeNote = form("merchantId", testMID, "merchantReference", "po-1.pbabcdefghij.p", "paymentType", "4",
	"transactionType", "1", "eventId", "1002593561", "eventType", "Authorize", "objectId", "1002593555",
	"objectType", "Transaction", "accessId", testID, "status", "2", "statusMessage", "Authorized", "splitToken", "tok")

// TestJournalErrorIsAskedAgainNotRejected: an interactive payout's authorization whose
// payout the Gateway's journal cannot be read for is neither paid out nor called bad: the
// handler answers 503, so that Trustly delivers it again, and logs no rejection.
func TestJournalErrorIsAskedAgainNotRejected(t *testing.T) {
	c := stubClient(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			t.Errorf("unexpected API call %s %s", r.Method, r.URL)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		_, _ = w.Write([]byte(`{"transaction":{"transactionId":"1002593555","transactionType":1,"merchantReference":"po-1.pbabcdefghij.p",
"currency":"USD","amount":"7.00","status":2,"statusMessage":"Authorized","payment":{"paymentType":4,"currency":"USD","amount":"7.00",
"merchantReference":"po-1.pbabcdefghij.p"}}}`))
	})
	ctx := provider.WithCalls(context.Background(), unreachableCalls{})
	if _, err := c.VerifyNotification(ctx, signed(t, testID, payoutAuthorizeNote)); !errors.Is(err, notify.ErrRetryLater) ||
		!errors.Is(err, errJournalDown) {
		t.Fatalf("VerifyNotification with the journal unreachable = %v; want an error wrapping notify.ErrRetryLater and the journal's", err)
	}
	var calls int
	h := notify.NewHandler(journalDown{c}, func(context.Context, notify.Event) error { calls++; return nil })
	req := signed(t, testID, payoutAuthorizeNote)
	hr := httptest.NewRequest(http.MethodPost, "/n", bytes.NewReader(req.Body))
	hr.Header = req.Header
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, hr)
	if rec.Code != http.StatusServiceUnavailable || calls != 0 {
		t.Fatalf("handler answered %d after %d callbacks with the journal unreachable; want 503 and none", rec.Code, calls)
	}
}

// journalDown verifies with c under a record of calls that cannot be reached, as the
// Gateway's handler does with its journal.
type journalDown struct{ *Client }

func (v journalDown) VerifyNotification(ctx context.Context, r *notify.Request) (*notify.Notification, error) {
	return v.Client.VerifyNotification(provider.WithCalls(ctx, unreachableCalls{}), r)
}
