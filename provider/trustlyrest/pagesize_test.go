package trustlyrest

import (
	"context"
	"net/http"
	"strconv"
	"testing"
)

// TestPagesNeverAskForMoreThan25: one of Trustly's pages caps count at 25
// (https://amer.developers.trustly.com/payments/docs/reference-pagination-filtering), so
// larger pages are never asked for, whatever PageSize says.
func TestPagesNeverAskForMoreThan25(t *testing.T) {
	var most int
	c := stubClient(t, func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("count"))
		most = max(most, n)
		_, _ = w.Write([]byte(`{"transactions":[]}`))
	})
	for _, err := range c.Transactions(context.Background(), TransactionFilter{PageSize: 100}) {
		if err != nil {
			t.Fatal(err)
		}
	}
	if most != 25 {
		t.Fatalf("asked for pages of %d, want 25", most)
	}
}
