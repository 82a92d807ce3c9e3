package main

import (
	"context"
	"encoding/csv"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/internal/pgkit/pgtest"
	"github.com/paybridge/paybridge/journal/pgjournal/pgjournaltest"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/reconcile"
	"github.com/paybridge/paybridge/reconcile/reconciletest"
)

// stubScheme opens the stub the running test set, for the command to reach by URL.
const stubScheme = "ledgerstub"

var (
	registerStub sync.Once
	currentStub  atomic.Pointer[reconciletest.Stub]
)

func useStub(t *testing.T, s *reconciletest.Stub) string {
	registerStub.Do(func() {
		paybridge.Register(stubScheme, paybridge.URLOpenerFunc(func(ctx context.Context, u *url.URL) (provider.Provider, error) {
			return currentStub.Load().Opener()(ctx, u)
		}))
	})
	currentStub.Store(s)
	t.Cleanup(func() { currentStub.Store(nil) })
	return stubScheme + "://"
}

func gbpAmount(v string) money.Amount { return money.MustNew(v, "GBP") }

func TestReconcileCommand(t *testing.T) {
	clearProviderEnv(t)
	t.Setenv(envJournal, "")
	j := pgjournaltest.Open(t)
	if j == nil {
		t.Skip(pgtest.EnvURL + " is not set: reconcile reads a PostgreSQL journal")
	}
	dbURL := pgtest.ServerURL(t)
	stub := reconciletest.New()
	providerURL := useStub(t, stub)
	ctx := context.Background()
	gw, err := paybridge.Open(ctx, providerURL, paybridge.WithJournal(j), paybridge.WithRetry(paybridge.NoRetry))
	if err != nil {
		t.Fatal(err)
	}
	defer gw.Close()
	pay := func(ref, amount string) *paybridge.Payment {
		t.Helper()
		p, err := gw.Pay(ctx, paybridge.PaymentRequest{Amount: gbpAmount(amount), MerchantReference: ref,
			ReturnURL: "https://shop.example/r", IdempotencyKey: "key-" + ref})
		if err != nil {
			t.Fatal(err)
		}
		stub.SetPaymentStatus(p.ID, provider.PaymentSucceeded)
		return p
	}
	book := func(kind provider.LedgerKind, amount money.Amount, pid string, at time.Time) {
		stub.Book(provider.LedgerEntry{Kind: kind, Amount: amount, ProviderID: pid, Time: at})
	}
	// A first period where the books agree, then one with a discrepancy of each kind.
	t0 := time.Now()
	time.Sleep(5 * time.Millisecond)
	a := pay("agree", "10.00")
	r, err := gw.Refund(ctx, paybridge.RefundRequest{PaymentID: a.ID, Amount: gbpAmount("4.00"), IdempotencyKey: "key-refund"})
	if err != nil {
		t.Fatal(err)
	}
	book(provider.LedgerPayment, gbpAmount("10.00"), a.ID, time.Now())
	book(provider.LedgerRefund, money.FromMinorCurrency(-400, a.Amount.Currency()), r.ID, time.Now())
	book(provider.LedgerFee, money.FromMinorCurrency(-20, a.Amount.Currency()), a.ID, time.Now())
	time.Sleep(5 * time.Millisecond)
	t1 := time.Now()
	time.Sleep(5 * time.Millisecond)
	short := pay("short", "20.00")
	pay("unbooked", "5.00")
	stub.FailPay("lost")
	if _, err := gw.Pay(ctx, paybridge.PaymentRequest{Amount: gbpAmount("9.00"), MerchantReference: "lost",
		ReturnURL: "https://shop.example/r", IdempotencyKey: "key-lost"}); paybridge.CodeOf(err) != paybridge.CodeUnknownOutcome {
		t.Fatalf("Pay lost: %v; want UnknownOutcome", err)
	}
	book(provider.LedgerPayment, gbpAmount("19.99"), short.ID, time.Now())
	book(provider.LedgerPayment, gbpAmount("50.00"), "pay-stranger", time.Now())
	time.Sleep(5 * time.Millisecond)
	t2 := time.Now()

	base := []string{"reconcile", "--url", providerURL, "--journal", dbURL, "--journal-table", j.Table()}
	at := func(tm time.Time) string { return tm.UTC().Format(time.RFC3339Nano) }

	// The books agree over the first period: exit 0, and the table says so.
	res := cli(t, append(base, "--from", at(t0), "--to", at(t1))...).mustCode(t, exitAgree)
	if !strings.Contains(res.out, "The books agree.") || !strings.Contains(res.out, "3 ledger entries (1 fees") ||
		!strings.Contains(res.out, "2 calls in the journal (2 matched") {
		t.Errorf("agreeing run printed:\n%s", res.out)
	}

	// The second period: exit 1, each discrepancy once, in each format.
	res = cli(t, append(base, "--from", at(t1), "--to", at(t2))...).mustCode(t, exitDiffer)
	for _, want := range []string{"4 differences", "amount_differs  pay", "19.99 GBP", "missing_call", "pay-stranger",
		"missing_entry", "key-unbooked", "uncertain", "key-lost"} {
		if !strings.Contains(res.out, want) {
			t.Errorf("table lacks %q:\n%s", want, res.out)
		}
	}
	rep := decode[reconcile.Report](t, cli(t, append(base, "--from", at(t1), "--to", at(t2), "--json")...).mustCode(t, exitDiffer))
	kinds := map[reconcile.Kind]int{}
	for _, f := range rep.Findings {
		kinds[f.Kind]++
	}
	if len(rep.Findings) != 4 || kinds[reconcile.AmountDiffers] != 1 || kinds[reconcile.MissingCall] != 1 ||
		kinds[reconcile.MissingEntry] != 1 || kinds[reconcile.Uncertain] != 1 || rep.Scope != gw.JournalScope() {
		t.Errorf("--json report: %+v", rep)
	}
	res = cli(t, append(base, "--from", at(t1), "--to", at(t2), "--csv")...).mustCode(t, exitDiffer)
	rows, err := csv.NewReader(strings.NewReader(res.out)).ReadAll()
	if err != nil || len(rows) != 5 || strings.Join(rows[0], ",") != strings.Join(findingColumns, ",") {
		t.Fatalf("--csv printed %q, %v; want a header and 4 rows", res.out, err)
	}
	for _, row := range rows[1:] {
		if row[0] == string(reconcile.AmountDiffers) && (row[5] != "20.00 GBP" || row[6] != "19.99 GBP") {
			t.Errorf("CSV row %q: want expected 20.00 GBP, booked 19.99 GBP", row)
		}
	}
	// A non-terminal stderr gets no progress line for a short listing.
	if res.err != "" {
		t.Errorf("stderr: %q", res.err)
	}

	// A journal table that does not exist (the application's migration has not run, or
	// --journal-table names another) is a configuration error, found before the provider's
	// ledger is read.
	stub.FailLedgerAfter(1) // a listing read first would end with provider_unavailable
	res = cli(t, "reconcile", "--url", providerURL, "--journal", dbURL, "--journal-table", "no_such_journal",
		"--from", at(t0), "--to", at(t2)).mustCode(t, exitError)
	if !strings.Contains(res.err, "configuration error") || !strings.Contains(res.err, "no_such_journal") || strings.Contains(res.err, "code") {
		t.Errorf("a journal table that does not exist printed:\n%s", res.err)
	}
	stub.FailLedgerAfter(0)

	// A provider with no ledger cannot be reconciled: exit 2, saying why.
	res = cli(t, "reconcile", "--url", useStub(t, reconciletest.NewWithoutLedger()), "--journal", dbURL, "--journal-table", j.Table(),
		"--from", "2026-12-01", "--to", "2026-12-02").mustCode(t, exitError)
	if !strings.Contains(res.err, "not_supported") || !strings.Contains(res.err, "publishes no listing") {
		t.Errorf("a provider without a ledger printed:\n%s", res.err)
	}
}

// TestReconcileUsage: bad flags and a missing or unreachable journal exit 2 before
// anything is read, and the journal's password never appears.
func TestReconcileUsage(t *testing.T) {
	clearProviderEnv(t)
	t.Setenv(envJournal, "")
	providerURL := useStub(t, reconciletest.New())
	base := []string{"reconcile", "--url", providerURL}
	for name, args := range map[string][]string{
		"no journal":     {"--from", "2026-12-01", "--to", "2026-12-02"},
		"no from":        {"--to", "2026-12-02", "--journal", "postgres://127.0.0.1:1/x"},
		"bad to":         {"--from", "2026-12-01", "--to", "tomorrow", "--journal", "postgres://127.0.0.1:1/x"},
		"to before from": {"--from", "2026-12-02", "--to", "2026-12-01", "--journal", "postgres://127.0.0.1:1/x"},
		"json and csv":   {"--from", "2026-12-01", "--to", "2026-12-02", "--json", "--csv", "--journal", "postgres://127.0.0.1:1/x"},
		"unknown flag":   {"--since", "2026-12-01"},
		"stray argument": {"extra", "--from", "2026-12-01", "--to", "2026-12-02", "--journal", "postgres://127.0.0.1:1/x"},
		"unreachable journal": {"--from", "2026-12-01", "--to", "2026-12-02", "--timeout", "20s",
			"--journal", "postgres://operator:s3cret-pw@127.0.0.1:1/journal?connect_timeout=5"},
	} {
		res := cli(t, append(base, args...)...)
		if res.code != exitError || res.err == "" {
			t.Errorf("%s: exit %d, stderr %q; want 2 with a message", name, res.code, res.err)
		}
		if strings.Contains(res.out+res.err, "s3cret-pw") {
			t.Errorf("%s: the journal's password was printed", name)
		}
	}
	if r := cli(t, "reconcile", "--help").mustCode(t, exitOK); !strings.Contains(r.out, "Exit status: 0 the books agree") {
		t.Errorf("--help printed:\n%s", r.out)
	}
}

// The table's counts read as English whatever the number: one ledger entry, one call and
// one difference are singular.
func TestReconcileTableCountsOne(t *testing.T) {
	at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	rep := &reconcile.Report{Scope: "mem", From: at, To: at.Add(24 * time.Hour), LedgerEntries: 1, Calls: 1,
		Findings: []reconcile.Finding{{Kind: reconcile.MissingEntry, Op: provider.OpPay, Key: "k", Time: at}}}
	var b strings.Builder
	writeFindingsTable(&b, rep)
	for _, want := range []string{": 1 ledger entry (", ", 1 call in the journal (", "\n1 difference:\n"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
	rep.LedgerEntries, rep.Calls, rep.Findings = 2, 0, append(rep.Findings, rep.Findings[0])
	b.Reset()
	writeFindingsTable(&b, rep)
	for _, want := range []string{": 2 ledger entries (", ", 0 calls in the journal (", "\n2 differences:\n"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
}
