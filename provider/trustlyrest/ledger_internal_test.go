package trustlyrest

import (
	"testing"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
)

// TestDecodeLedgerPageShapes: both documented shapes of GET /transactions are read, and the
// fee a transaction carries reaches the entry.
func TestDecodeLedgerPageShapes(t *testing.T) {
	const tx = `{"transactionId":"11","transactionType":3,"originalTransactionId":"10","merchantReference":"ord.pbabcdefghij",` +
		`"currency":"USD","amount":"10.00","fee":"0.25","status":4,"createdAt":1700000000000}`
	for name, body := range map[string]string{
		"list":          `{"transactions":[` + tx + `],"startIndex":0,"itemsPerPage":100}`,
		"wrapped items": `{"transactions":[{"transaction":` + tx + `}]}`,
		"keyed":         `{"0":{"transaction":` + tx + `}}`,
	} {
		page, _, err := decodeLedgerPage([]byte(body))
		if err != nil || len(page) != 1 {
			t.Fatalf("%s: %d transactions, %v", name, len(page), err)
		}
		e, ok, err := ledgerEntry(page[0])
		if err != nil || !ok {
			t.Fatalf("%s: entry %v, %v", name, ok, err)
		}
		usd := func(v string) money.Amount { return money.MustNew(v, "USD") }
		if e.Kind != provider.LedgerPayment || !e.Amount.Equal(usd("10.00")) || !e.Fee.Equal(usd("0.25")) ||
			e.ProviderID != "11" || e.Reference != "ord" || e.Time.UnixMilli() != 1700000000000 {
			t.Errorf("%s: entry %+v", name, e)
		}
	}
	if page, _, err := decodeLedgerPage([]byte(`{}`)); err != nil || len(page) != 0 {
		t.Errorf("empty keyed page: %v, %v", page, err)
	}
	for _, bad := range []string{`{"items":[]}`, `{"0":{"other":{}}}`, `[]`, `{"transactions":{}}`} {
		if _, _, err := decodeLedgerPage([]byte(bad)); err == nil {
			t.Errorf("%s read as a page", bad)
		}
	}
	// Pending and voided transactions and authorizations moved nothing.
	for _, raw := range []struct{ typ, st int }{{3, 1}, {3, 13}, {1, 2}, {4, 8}} {
		if _, ok, _ := ledgerEntry(&wireTransaction{TransactionType: flexInt(raw.typ), Status: flexInt(raw.st), Amount: "1.00", Currency: "USD"}); ok {
			t.Errorf("type %d status %d is in the ledger", raw.typ, raw.st)
		}
	}
}
