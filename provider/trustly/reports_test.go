package trustly_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"iter"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/benchkit"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustly"
	"github.com/paybridge/paybridge/provider/trustly/internal/wire"
	"github.com/paybridge/paybridge/provider/trustly/trustlysim"
	"github.com/paybridge/paybridge/secret"
)

// collect gathers what an iterator yields up to its first error.
func collect[T any](seq iter.Seq2[T, error]) ([]T, error) {
	var out []T
	for v, err := range seq {
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
	return out, nil
}

// reportEnv is a simulator with a recorded deposit and a synthetic ledger of rows entries
// on today's date, and a Client, with the temporary directory a fresh one.
func reportEnv(t *testing.T, l trustlysim.SyntheticLedger) (*env, trustlysim.SyntheticLedger, string, time.Time) {
	t.Helper()
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	e := newEnv(t)
	ctx := context.Background()
	p, err := e.gw.Pay(ctx, e.payment("order-r"))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.sim.EndUser().Approve(ctx, p.RedirectURL); err != nil {
		t.Fatal(err)
	}
	today := time.Now().UTC().Truncate(24 * time.Hour)
	l.Day = today
	if err := e.sim.SetSyntheticLedger(e.creds.Username, l); err != nil {
		t.Fatal(err)
	}
	l.Currency = "EUR"
	return e, l, tmp, today
}

func TestAccountLedgerYieldsVerifiedRows(t *testing.T) {
	const rows = 40_000 // beyond what the spool keeps in memory
	for _, sigLast := range []bool{false, true} {
		e, l, tmp, today := reportEnv(t, trustlysim.SyntheticLedger{Rows: rows, SignatureLast: sigLast})
		n := 0
		for entry, err := range e.c.AccountLedger(context.Background(), today, today.Add(24*time.Hour), "") {
			if err != nil {
				t.Fatalf("SignatureLast %v: after %d rows: %v", sigLast, n, err)
			}
			if n == 0 {
				if entry.MessageID != "order-r" || entry.Amount.StringFixed(2) != "12.50" {
					t.Fatalf("first row %+v is not the recorded deposit", entry)
				}
				// The spool file, if any, is already gone from the directory.
				if files, _ := os.ReadDir(tmp); len(files) != 0 {
					t.Fatalf("temporary files left in the directory: %v", files)
				}
			} else {
				want := l.Entry(n - 1)
				if entry.OrderID != want.OrderID || entry.GluepayID != want.OrderID || entry.MessageID != want.MessageID ||
					entry.TransactionType != want.Kind || entry.Datestamp != want.Datestamp || entry.Currency != "EUR" ||
					entry.UserID != "1" || entry.AccountName != "SUSPENSE_ACCOUNT_CLIENT_FUNDS" ||
					!entry.Amount.Equal(want.Amount.Decimal()) || entry.Amount.Exponent() != -20 {
					t.Fatalf("row %d = %+v, want %+v", n, entry, want)
				}
			}
			n++
		}
		if n != rows+1 {
			t.Fatalf("SignatureLast %v: %d rows, want %d", sigLast, n, rows+1)
		}
	}
}

// TestTamperedLastRowIsNeverYielded: an answer whose last row was changed after Trustly
// signed it yields no row at all, only the verification error.
func TestTamperedLastRowIsNeverYielded(t *testing.T) {
	for _, sigLast := range []bool{false, true} {
		e, _, _, today := reportEnv(t, trustlysim.SyntheticLedger{Rows: 40_000, SignatureLast: sigLast, CorruptLastRow: true})
		rows, err := collect(e.c.AccountLedger(context.Background(), today, today.Add(24*time.Hour), ""))
		var pe *provider.Error
		if !errors.As(err, &pe) || pe.Code != provider.Internal || !strings.Contains(pe.Message, "signature does not verify") {
			t.Fatalf("SignatureLast %v: err %v", sigLast, err)
		}
		if len(rows) != 0 {
			t.Fatalf("SignatureLast %v: %d rows of a tampered answer were yielded", sigLast, len(rows))
		}
		lines, err := collect(e.c.ViewAutomaticSettlementDetailsCSV(context.Background(), today, ""))
		if !errors.As(err, &pe) || !strings.Contains(pe.Message, "signature does not verify") || len(lines) != 0 {
			t.Fatalf("SignatureLast %v: settlement report: %d lines, %v", sigLast, len(lines), err)
		}
	}
}

func TestSettlementReportYieldsVerifiedLines(t *testing.T) {
	const rows = 40_000
	for _, sigLast := range []bool{false, true} {
		e, l, _, today := reportEnv(t, trustlysim.SyntheticLedger{Rows: rows, SignatureLast: sigLast})
		lines, err := collect(e.c.ViewAutomaticSettlementDetailsCSV(context.Background(), today, "EUR"))
		if err != nil {
			t.Fatal(err)
		}
		if len(lines) != rows+1 || lines[0].MessageID != "order-r" {
			t.Fatalf("%d lines, first %+v", len(lines), lines[0])
		}
		total := lines[0].Total.Decimal
		for i, line := range lines[1:] {
			want := l.Entry(i)
			total = total.Add(line.Amount)
			if line.OrderID != want.OrderID || line.OrderType != want.Kind || line.MessageID != want.MessageID ||
				line.Datestamp != want.Datestamp || !line.Amount.Equal(want.Amount.Decimal()) || line.Currency != "EUR" ||
				line.Username != e.creds.Username || !line.Total.Valid || !line.Total.Decimal.Equal(total) ||
				line.FXAmount.Valid || line.Other != nil {
				t.Fatalf("line %d = %+v, want %+v and total %s", i, line, want, total)
			}
		}
	}
}

func TestReportsStopEarly(t *testing.T) {
	e, _, tmp, today := reportEnv(t, trustlysim.SyntheticLedger{Rows: 40_000})
	n := 0
	for _, err := range e.c.AccountLedger(context.Background(), today, today.Add(24*time.Hour), "") {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 10 {
			break
		}
	}
	for range e.c.ViewAutomaticSettlementDetailsCSV(context.Background(), today, "") {
		break
	}
	if files, _ := os.ReadDir(tmp); len(files) != 0 {
		t.Fatalf("temporary files left: %v", files)
	}
	// A context cancelled during the iteration ends it with the context's error.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n = 0
	var last error
	for _, err := range e.c.AccountLedger(ctx, today, today.Add(24*time.Hour), "") {
		if err != nil {
			last = err
			break
		}
		if n++; n == 5 {
			cancel()
		}
	}
	if !errors.Is(last, context.Canceled) || n > 5+(64<<10)/100 {
		t.Fatalf("after cancel: %d rows, %v", n, last)
	}
}

func TestReportErrors(t *testing.T) {
	e, _, _, today := reportEnv(t, trustlysim.SyntheticLedger{Rows: 100})
	ctx := context.Background()
	ledger := func() error {
		_, err := collect(e.c.AccountLedger(ctx, today, today.Add(24*time.Hour), ""))
		return err
	}
	code := func(err error) provider.Code {
		var pe *provider.Error
		if !errors.As(err, &pe) {
			t.Fatalf("%v is not a *provider.Error", err)
		}
		return pe.Code
	}
	e.sim.FailNextWith(wire.CodeFunctionAccessDenied)
	if err := ledger(); code(err) != provider.PermissionDenied {
		t.Errorf("signed error: %v", err)
	}
	e.sim.GarbleNextReplies(1, http.StatusBadGateway)
	if err := ledger(); code(err) != provider.UnknownOutcome {
		t.Errorf("502 page: %v", err)
	}
	e.sim.UnsignedErrorNext(1)
	if err := ledger(); code(err) != provider.UnknownOutcome {
		t.Errorf("unsigned error: %v", err)
	}
	// Trustly read the request and its answer was lost: it may have been processed (the
	// transport's one rule, for reads as for writes).
	e.sim.DropNext(1)
	if err := ledger(); code(err) != provider.UnknownOutcome {
		t.Errorf("dropped answer: %v", err)
	}
	if _, err := collect(e.c.AccountLedger(ctx, today, today, "")); code(err) != provider.InvalidRequest {
		t.Errorf("empty range: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := collect(e.c.AccountLedger(cctx, today, today.Add(24*time.Hour), "")); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
	if err := e.c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := ledger(); code(err) != provider.InvalidRequest {
		t.Errorf("closed client: %v", err)
	}
}

// fakeTrustly serves answer on loopback as Trustly would, signed with a key of its own
// that the returned Client trusts.
func fakeTrustly(t *testing.T, answer func(w http.ResponseWriter, req *wire.Request, key *rsa.PrivateKey)) *trustly.Client {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := wire.ReadBody(r.Body, 1<<20)
		if err != nil {
			t.Error(err)
			return
		}
		req, err := wire.ParseRequest(body)
		if err != nil {
			t.Error(err)
			return
		}
		answer(w, req, key)
	}))
	t.Cleanup(srv.Close)
	c, err := trustly.New(trustly.Config{Username: "merchant", Password: secret.New("pw"), PrivateKey: trustlyKeyPEM(t),
		BaseURL: srv.URL, TrustlyPublicKey: pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// csvAnswer answers with a settlement report holding text.
func csvAnswer(text string) func(http.ResponseWriter, *wire.Request, *rsa.PrivateKey) {
	return func(w http.ResponseWriter, req *wire.Request, key *rsa.PrivateKey) {
		b, _ := wire.EncodeResult(key, req.Method, req.UUID, map[string]any{"view_automatic_settlement_details": text})
		_, _ = w.Write(b)
	}
}

func TestSettlementReportParsing(t *testing.T) {
	ctx := context.Background()
	day := time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC)
	text := "DateStamp, AccountName ,currency,amount,total,orderid,ordertype,messageid,username,fxpaymentamount,fxpaymentcurrency,settlementbankwithdrawalid,externalreference,newcolumn\r\n" +
		"2024-05-02 10:00:00.1+00,CLIENT_FUNDS,EUR,100.00,100.00,111,Deposit,\"m,1\",shop,95.5,SEK,777,ref-1,x\r\n" +
		"\r\n" +
		"2024-05-02 11:00:00+00,CLIENT_FUNDS,EUR,-0.5,,112,Refund,\"say \"\"hi\"\"\",shop,,,,,\n"
	lines, err := collect(fakeTrustly(t, csvAnswer(text)).ViewAutomaticSettlementDetailsCSV(ctx, day, ""))
	if err != nil || len(lines) != 2 {
		t.Fatalf("%d lines, %v", len(lines), err)
	}
	a, b := lines[0], lines[1]
	if a.Datestamp != "2024-05-02 10:00:00.1+00" || a.AccountName != "CLIENT_FUNDS" || a.Amount.StringFixed(2) != "100.00" ||
		!a.Total.Valid || a.MessageID != "m,1" || !a.FXAmount.Valid || a.FXAmount.Decimal.String() != "95.5" ||
		a.FXCurrency != "SEK" || a.SettlementBankWithdrawalID != "777" || a.ExternalReference != "ref-1" ||
		len(a.Other) != 1 || a.Other["newcolumn"] != "x" {
		t.Errorf("first line %+v", a)
	}
	if b.Amount.String() != "-0.5" || b.Total.Valid || b.MessageID != `say "hi"` || b.OrderType != "Refund" || b.FXAmount.Valid {
		t.Errorf("second line %+v", b)
	}

	for name, c := range map[string]struct {
		text string
		good int // lines yielded before the error
	}{
		"bad amount":    {"amount,orderid\n1.00,1\n1,00,2\n", 1},
		"bad total":     {"amount,total\n1.00,x\n", 0},
		"no header":     {"2024-05-02,CLIENT_FUNDS,EUR,1.00\n", 0},
		"too many":      {"amount\n1.00,2\n", 0},
		"bare quote":    {"amount,messageid\n1.00,a\"b\n", 0},
		"exponent":      {"amount\n1e5\n", 0},
		"amount absent": {"amount,orderid\n,1\n", 0},
	} {
		lines, err := collect(fakeTrustly(t, csvAnswer(c.text)).ViewAutomaticSettlementDetailsCSV(ctx, day, ""))
		var pe *provider.Error
		if !errors.As(err, &pe) || pe.Code != provider.Internal || len(lines) != c.good {
			t.Errorf("%s: %d lines, %v", name, len(lines), err)
		}
	}
	if lines, err := collect(fakeTrustly(t, csvAnswer("")).ViewAutomaticSettlementDetailsCSV(ctx, day, "")); err != nil || len(lines) != 0 {
		t.Errorf("empty report: %d lines, %v", len(lines), err)
	}
}

func TestLedgerRowsTrustlySignedButUnreadable(t *testing.T) {
	ctx := context.Background()
	day := time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC)
	for name, data := range map[string]any{
		"bad amount":    []any{map[string]any{"amount": "1.00"}, map[string]any{"amount": "1,00"}},
		"no amount":     []any{map[string]any{"orderid": "1"}},
		"not an object": []any{"row"},
		"object data":   map[string]any{"amount": "1.00"},
	} {
		c := fakeTrustly(t, func(w http.ResponseWriter, req *wire.Request, key *rsa.PrivateKey) {
			b, _ := wire.EncodeResult(key, req.Method, req.UUID, data)
			_, _ = w.Write(b)
		})
		rows, err := collect(c.AccountLedger(ctx, day, day.Add(24*time.Hour), ""))
		var pe *provider.Error
		if !errors.As(err, &pe) || pe.Code != provider.Internal || len(rows) != 0 {
			t.Errorf("%s: %d rows, %v", name, len(rows), err)
		}
	}
	// Fields Trustly may add, nulls and numbers are read as the tree decoder reads them.
	c := fakeTrustly(t, func(w http.ResponseWriter, req *wire.Request, key *rsa.PrivateKey) {
		b, _ := wire.EncodeResult(key, req.Method, req.UUID, []any{map[string]any{"amount": "-3.01", "orderid": 3209647863,
			"messageid": nil, "currency": "SEK", "newfield": map[string]any{"a": []any{"b"}}}})
		_, _ = w.Write(b)
	})
	rows, err := collect(c.AccountLedger(ctx, day, day.Add(24*time.Hour), ""))
	if err != nil || len(rows) != 1 || rows[0].OrderID != "3209647863" || rows[0].MessageID != "" || rows[0].Amount.String() != "-3.01" {
		t.Fatalf("%+v, %v", rows, err)
	}
}

// TestReportAnswerThatBreaksOff: a connection that breaks in the middle of a verified
// stream yields nothing, and the request may have been processed.
func TestReportAnswerThatBreaksOff(t *testing.T) {
	var served atomic.Int32
	c := fakeTrustly(t, func(w http.ResponseWriter, req *wire.Request, key *rsa.PrivateKey) {
		served.Add(1)
		rw := wire.NewArrayResultWriter(w, req.Method, req.UUID, "")
		for range 20_000 {
			_ = rw.WriteObject([]wire.Member{{Name: "amount", Value: "1.00"}})
		}
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler)
	})
	day := time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC)
	rows, err := collect(c.AccountLedger(context.Background(), day, day.Add(24*time.Hour), ""))
	var pe *provider.Error
	if !errors.As(err, &pe) || pe.Code != provider.UnknownOutcome || len(rows) != 0 || served.Load() != 1 {
		t.Fatalf("%d rows, %v", len(rows), err)
	}
}

// heapPeak samples the heap in use until stop is called, and returns the peak.
func heapPeak() (stop func() uint64) {
	samples := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
	var (
		peak uint64
		wg   sync.WaitGroup
		done = make(chan struct{})
	)
	sample := func() {
		metrics.Read(samples)
		if v := samples[0].Value.Uint64() + samples[1].Value.Uint64(); v > peak {
			peak = v
		}
	}
	runtime.GC()
	sample()
	wg.Go(func() {
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				sample()
				return
			case <-t.C:
				sample()
			}
		}
	})
	return func() uint64 {
		close(done)
		wg.Wait()
		return peak
	}
}

// testLedgerHeap reads a ledger of rows synthetic entries from the simulator, checking
// them, and fails if the process's heap in use ever exceeds limit. The simulator runs in
// the same process and is counted too.
func testLedgerHeap(t *testing.T, rows int, limit uint64) {
	e, l, _, today := reportEnv(t, trustlysim.SyntheticLedger{Rows: rows, SignatureLast: true})
	stop := heapPeak()
	start := time.Now()
	n := 0
	for entry, err := range e.c.AccountLedger(context.Background(), today, today.Add(24*time.Hour), "") {
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 && n%1000 == 0 {
			if want := l.Entry(n - 1); entry.MessageID != want.MessageID || !entry.Amount.Equal(want.Amount.Decimal()) {
				t.Fatalf("row %d = %+v, want %+v", n, entry, want)
			}
		}
		n++
	}
	peak := stop()
	if n != rows+1 {
		t.Fatalf("%d rows, want %d", n, rows+1)
	}
	t.Logf("%d rows in %v, peak heap in use %.1f MiB", n, time.Since(start).Round(time.Millisecond), float64(peak)/(1<<20))
	if peak > limit {
		t.Fatalf("peak heap in use %.1f MiB, over %.0f MiB", float64(peak)/(1<<20), float64(limit)/(1<<20))
	}
}

// TestLedgerHeapBounded reads a report of 100,000 rows with under 32 MiB of heap in use.
// The answer's body alone is about 25 MB, and the rows held as LedgerEntry values would
// take more than 32 MiB.
func TestLedgerHeapBounded(t *testing.T) {
	testLedgerHeap(t, 100_000, 32<<20)
}

// TestLedgerMillionRows reads a report of 1,000,000 rows (a 250 MB answer) with under 64
// MiB of heap in use. It takes about 6 s, and more than a minute under the race detector,
// where it is skipped (as in -short runs): TestLedgerHeapBounded covers the same path.
func TestLedgerMillionRows(t *testing.T) {
	if testing.Short() || benchkit.RaceEnabled {
		t.Skip("1,000,000 rows take over a minute under the race detector and are skipped with it and in -short runs")
	}
	testLedgerHeap(t, 1_000_000, 64<<20)
}
