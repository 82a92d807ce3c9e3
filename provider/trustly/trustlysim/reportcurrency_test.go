package trustlysim

import (
	"fmt"
	"testing"
	"time"

	"github.com/paybridge/paybridge/provider/trustly/internal/wire"
)

// AccountLedger and ViewAutomaticSettlementDetailsCSV take Currency as a member that is
// always present, null meaning every currency; a currency that is not one is refused
// rather than answered with an empty report.
func TestReportCurrencyIsPresentAndACurrency(t *testing.T) {
	s, c, k := start(t, Options{AllowLoopbackHTTP: true})
	day := time.Now().UTC().Truncate(24 * time.Hour)
	n := 0
	uuid := func() string {
		n++
		return fmt.Sprintf("7d1e0c55-0000-4000-8000-%012d", n)
	}
	cases := []struct {
		name   string
		method string
		data   map[string]any
		want   int
	}{
		{"ledger without Currency", "AccountLedger", without(ledgerRequest(c, day, day.Add(24*time.Hour), nil), "Currency"), wire.CodeInvalidParameters},
		{"ledger with an unknown currency", "AccountLedger", ledgerRequest(c, day, day.Add(24*time.Hour), "XYZ"), wire.CodeInvalidCurrencyCode},
		{"ledger with a lower-case currency", "AccountLedger", ledgerRequest(c, day, day.Add(24*time.Hour), "eur"), wire.CodeInvalidCurrencyCode},
		{"ledger with a numeric currency", "AccountLedger", ledgerRequest(c, day, day.Add(24*time.Hour), 978), wire.CodeInvalidParameters},
		{"settlement without Currency", "ViewAutomaticSettlementDetailsCSV", without(settlementRequest(c, day, nil), "Currency"), wire.CodeInvalidParameters},
		{"settlement with an unknown currency", "ViewAutomaticSettlementDetailsCSV", settlementRequest(c, day, "XYZ"), wire.CodeInvalidCurrencyCode},
	}
	for _, tc := range cases {
		if _, err := send(t, s, k, tc.method, uuid(), tc.data); code(err) != tc.want {
			t.Errorf("%s: got %v, want error %d", tc.name, err, tc.want)
		}
	}
	// null and a currency are answered.
	for _, cur := range []any{nil, "EUR"} {
		if _, err := send(t, s, k, "AccountLedger", uuid(), ledgerRequest(c, day, day.Add(24*time.Hour), cur)); err != nil {
			t.Errorf("ledger with Currency %v: %v", cur, err)
		}
		if _, err := send(t, s, k, "ViewAutomaticSettlementDetailsCSV", uuid(), settlementRequest(c, day, cur)); err != nil {
			t.Errorf("settlement with Currency %v: %v", cur, err)
		}
	}
}

func without(m map[string]any, k string) map[string]any {
	delete(m, k)
	return m
}
