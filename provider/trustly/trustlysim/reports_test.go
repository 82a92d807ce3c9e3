package trustlysim

import (
	"bytes"
	"crypto/rsa"
	"encoding/csv"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider/trustly/internal/wire"
)

// post sends a signed request and returns the raw answer.
func post(t *testing.T, s *Server, key *rsa.PrivateKey, method, uuid string, data map[string]any) []byte {
	t.Helper()
	body, err := wire.EncodeRequest(key, method, uuid, data)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(s.APIURL(), "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func ledgerRequest(c Credentials, from, to time.Time, currency any) map[string]any {
	return map[string]any{"Username": c.Username, "Password": c.Password.Reveal(), "FromDate": from.Format("2006-01-02"),
		"ToDate": to.Format("2006-01-02"), "Currency": currency}
}

func settlementRequest(c Credentials, day time.Time, currency any) map[string]any {
	return map[string]any{"Username": c.Username, "Password": c.Password.Reveal(), "SettlementDate": day.Format("2006-01-02"),
		"Currency": currency, "Attributes": map[string]any{"APIVersion": "1.2"}}
}

func TestSyntheticLedger(t *testing.T) {
	s, c, k := start(t, Options{AllowLoopbackHTTP: true})
	paidDeposit(t, s, c, k, "recorded-1", u1, true)
	day := time.Now().UTC().Truncate(24 * time.Hour)
	const rows = 3000
	for _, sigLast := range []bool{false, true} {
		l := SyntheticLedger{Rows: rows, Day: day, Currency: "EUR", SignatureLast: sigLast}
		if err := s.SetSyntheticLedger(c.Username, l); err != nil {
			t.Fatal(err)
		}
		uuid := "8f2c1a9e-0000-4000-8000-00000000000" + map[bool]string{false: "1", true: "2"}[sigLast]
		body := post(t, s, k, "AccountLedger", uuid, ledgerRequest(c, day, day.Add(24*time.Hour), nil))
		if sigFirst := bytes.Index(body, []byte(`"signature"`)) < bytes.Index(body, []byte(`"data"`)); sigFirst == sigLast {
			t.Errorf("SignatureLast %v: signature first is %v", sigLast, sigFirst)
		}
		res, err := wire.DecodeResponse(body, s.PublicKey(), "AccountLedger", uuid, wire.WithMaxBodySize(64<<20))
		if err != nil {
			t.Fatalf("SignatureLast %v: %v", sigLast, err)
		}
		got := res.Data.([]any)
		if len(got) != rows+1 {
			t.Fatalf("%d rows, want %d", len(got), rows+1)
		}
		if got[0].(map[string]any)["messageid"] != "recorded-1" {
			t.Errorf("first row %v is not the recorded deposit", got[0])
		}
		var sum decimal.Decimal
		for i, r := range got[1:] {
			row := r.(map[string]any)
			e := l.Entry(i)
			amount, err := decimal.NewFromString(row["amount"].(string))
			if err != nil || !amount.Equal(e.Amount.Decimal()) || len(row["amount"].(string)) != len(e.Amount.Fixed())+18 || row["orderid"] != e.OrderID || row["messageid"] != e.MessageID ||
				row["transactiontype"] != e.Kind || row["datestamp"] != e.Datestamp || row["currency"] != "EUR" {
				t.Fatalf("row %d = %v, entry %+v (%v)", i, row, e, err)
			}
			sum = sum.Add(amount)
		}
		if sum.IsZero() {
			t.Error("generated amounts sum to zero")
		}
		// Identical requests get the identical answer.
		if again := post(t, s, k, "AccountLedger", uuid, ledgerRequest(c, day, day.Add(24*time.Hour), nil)); !bytes.Equal(again, body) {
			t.Error("a repeated request got another answer")
		}
	}

	// Out of range or another currency: only what was recorded.
	res, err := send(t, s, k, "AccountLedger", u2, ledgerRequest(c, day.Add(-48*time.Hour), day, nil))
	if err != nil || len(res.Data.([]any)) != 0 {
		t.Fatalf("earlier range: %v, %v", res, err)
	}
	res, err = send(t, s, k, "AccountLedger", "8f2c1a9e-0000-4000-8000-000000000003", ledgerRequest(c, day, day.Add(24*time.Hour), "SEK"))
	if err != nil || len(res.Data.([]any)) != 0 {
		t.Fatalf("other currency: %v, %v", res, err)
	}
	// Requests Trustly rejects are still rejected.
	bad := ledgerRequest(c, day, day, nil)
	bad["FromDate"] = "yesterday"
	if _, err := send(t, s, k, "AccountLedger", "8f2c1a9e-0000-4000-8000-000000000004", bad); code(err) != wire.CodeInvalidParameters {
		t.Fatalf("bad date: %v", err)
	}
}

func TestSyntheticLedgerCorruptLastRow(t *testing.T) {
	s, c, k := start(t, Options{})
	day := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	for i, sigLast := range []bool{false, true} {
		if err := s.SetSyntheticLedger(c.Username, SyntheticLedger{Rows: 500, Day: day, SignatureLast: sigLast, CorruptLastRow: true}); err != nil {
			t.Fatal(err)
		}
		uuid := "8f2c1a9e-0000-4000-8000-00000000001" + string(rune('0'+i))
		body := post(t, s, k, "AccountLedger", uuid, ledgerRequest(c, day, day.Add(24*time.Hour), nil))
		if _, err := wire.DecodeResponse(body, s.PublicKey(), "AccountLedger", uuid); !errors.Is(err, wire.ErrBadSignature) {
			t.Errorf("SignatureLast %v: ledger %v, want a bad signature", sigLast, err)
		}
		uuid = "8f2c1a9e-0000-4000-8000-00000000002" + string(rune('0'+i))
		body = post(t, s, k, "ViewAutomaticSettlementDetailsCSV", uuid, settlementRequest(c, day, nil))
		if _, err := wire.DecodeResponse(body, s.PublicKey(), "ViewAutomaticSettlementDetailsCSV", uuid); !errors.Is(err, wire.ErrBadSignature) {
			t.Errorf("SignatureLast %v: settlement %v, want a bad signature", sigLast, err)
		}
	}
}

func TestSyntheticSettlementReport(t *testing.T) {
	s, c, k := start(t, Options{AllowLoopbackHTTP: true})
	paidDeposit(t, s, c, k, "recorded-1", u1, true)
	day := time.Now().UTC().Truncate(24 * time.Hour)
	l := SyntheticLedger{Rows: 1000, Day: day, Currency: "EUR", SignatureLast: true}
	if err := s.SetSyntheticLedger(c.Username, l); err != nil {
		t.Fatal(err)
	}
	res, err := send(t, s, k, "ViewAutomaticSettlementDetailsCSV", u2, settlementRequest(c, day, "EUR"))
	if err != nil {
		t.Fatal(err)
	}
	text := res.Data.(map[string]any)["view_automatic_settlement_details"].(string)
	recs, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1+1+1000 || recs[0][0] != "datestamp" || recs[1][7] != "recorded-1" {
		t.Fatalf("%d records, header %v, first %v", len(recs), recs[0], recs[1])
	}
	total := money.MustNew(recs[1][4], "EUR")
	for i, rec := range recs[2:] {
		e := l.Entry(i)
		amount := money.MustNew(rec[3], "EUR")
		total, _ = total.Add(amount)
		if !amount.Equal(e.Amount) || rec[5] != e.OrderID || rec[6] != e.Kind || rec[7] != e.MessageID || rec[8] != c.Username ||
			!money.MustNew(rec[4], "EUR").Equal(total) {
			t.Fatalf("line %d = %v, entry %+v, running total %s", i, rec, e, total)
		}
	}
}

func TestSetSyntheticLedgerChecks(t *testing.T) {
	s, c, _ := start(t, Options{})
	for name, l := range map[string]SyntheticLedger{
		"negative rows": {Rows: -1},
		"currency":      {Rows: 1, Currency: "USD"},
	} {
		if err := s.SetSyntheticLedger(c.Username, l); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if err := s.SetSyntheticLedger("nobody", SyntheticLedger{Rows: 1}); err == nil {
		t.Error("unknown merchant accepted")
	}
	if err := s.SetSyntheticLedger(c.Username, SyntheticLedger{Rows: 1}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSyntheticLedger(c.Username, SyntheticLedger{}); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.syntheticLedger(c.Username); ok {
		t.Error("the zero SyntheticLedger did not remove it")
	}
}
