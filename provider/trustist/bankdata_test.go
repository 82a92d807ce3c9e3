package trustist_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustist"
	"github.com/paybridge/paybridge/provider/trustist/trustistsim"
)

// connected onboards a customer through the simulator's pages and returns the customer
// id and the account the customer connected.
func connected(t *testing.T, e *env) (string, trustist.BankAccount) {
	t.Helper()
	ctx := context.Background()
	v, err := e.gw.VerifyAccount(ctx, paybridge.VerifyAccountRequest{
		Holder:    paybridge.Person{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com"},
		ReturnURL: "https://shop.example.com/verified"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.sim.EndUser().Approve(ctx, v.RedirectURL); err != nil {
		t.Fatal(err)
	}
	accounts, err := e.p.BankAccounts(ctx, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(accounts) != 1 {
		t.Fatalf("connected %d accounts, want 1", len(accounts))
	}
	return v.ID, accounts[0]
}

func TestBankAccountsFullDetails(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	_, a := connected(t, e)
	if a.ID == "" || a.BankName != trustistsim.TestBankName || a.HolderName != "Ada Lovelace" ||
		a.AccountName != trustistsim.TestAccountName || a.SortCode != trustistsim.TestSortCode ||
		a.AccountNumber != trustistsim.TestAccountNumber || a.IBAN != trustistsim.TestIBAN ||
		a.Currency != money.MustCurrency("GBP") || a.Connected.IsZero() || a.Last4() != "5678" {
		t.Fatalf("account = %#v (holder %q, number %q, IBAN %q)", a, a.HolderName, a.AccountNumber, a.IBAN)
	}
	if !bytes.Contains(a.Raw, []byte(trustistsim.TestIBAN)) {
		t.Fatalf("Raw = %s", a.Raw)
	}
	r := e.last()
	if r.method != http.MethodGet || !strings.HasPrefix(r.header.Get("Authorization"), `Hawk id="`+e.sim.TenantKey().HawkID+`"`) {
		t.Fatalf("sent %s %s, Authorization %q", r.method, r.path, r.header.Get("Authorization"))
	}
}

// A connected account's number, IBAN and holder never reach fmt or log/slog output.
func TestBankAccountPrintsMasked(t *testing.T) {
	a := trustist.BankAccount{ID: "acc-1", BankName: "Mock Redirect Bank", HolderName: "Ada Lovelace", SortCode: "04-00-04",
		AccountNumber: "40005678", IBAN: "GB49MOCK04000440005678", Currency: money.MustCurrency("GBP"),
		Raw: []byte(`{"holderName":"Ada Lovelace","accountNumber":"40005678"}`)}
	var outs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		outs = append(outs, fmt.Sprintf(verb, a), fmt.Sprintf(verb, &a), fmt.Sprintf(verb, []trustist.BankAccount{a}))
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("account", "a", &a, "v", a)
	slog.New(slog.NewTextHandler(&buf, nil)).Info("account", "a", &a, "v", a)
	outs = append(outs, buf.String())
	for _, out := range outs {
		for _, personal := range []string{"Lovelace", "40005678", "MOCK0400", "4c6f76656c616365"} {
			if strings.Contains(out, personal) {
				t.Errorf("printed %q: %s", personal, out)
			}
		}
	}
	if !strings.Contains(outs[0], "acc-1") || !strings.Contains(outs[0], "****5678") || !strings.Contains(outs[0], "04-00-04") {
		t.Errorf("%%v = %s; want the id, sort code and last digits", outs[0])
	}
	tx := trustist.Transaction{ID: "t-1", Amount: money.MustNew("-12.50", "GBP"), Description: "TRANSFER TO ADA LOVELACE"}
	buf.Reset()
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("tx", "v", tx, "p", &tx)
	if s := fmt.Sprintf("%v %+v %#v", tx, &tx, tx) + buf.String(); strings.Contains(s, "LOVELACE") || !strings.Contains(s, "-12.50 GBP") {
		t.Errorf("transaction printed as %s", s)
	}
}

func TestAccountBalances(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	cust, a := connected(t, e)
	b, err := e.p.AccountBalances(context.Background(), cust, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	want, ok := e.sim.Account(cust, a.ID)
	if !ok {
		t.Fatal("the simulator knows no such account")
	}
	if b.AccountID != a.ID || !b.Current.Equal(want.Balance) || !b.Available.Equal(want.Balance) || b.Updated.IsZero() {
		t.Fatalf("balances = %+v, want current %v", b, want.Balance)
	}
	if p := e.last().path; p != "/api/customers/"+cust+"/bank-accounts/"+a.ID+"/balances" {
		t.Fatalf("read %s", p)
	}
	_, err = e.p.AccountBalances(context.Background(), cust, "no-such-account")
	wantCode(t, err, provider.NotFound)
}

// Transactions reads every page, in order, and each transaction once.
func TestTransactionsCrossPages(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	cust, a := connected(t, e)
	want, _ := e.sim.Account(cust, a.ID)
	before := len(e.requests())
	const size = 7
	var got []trustist.Transaction
	for tx, err := range e.p.Transactions(context.Background(), trustist.TransactionsRequest{CustomerID: cust, AccountID: a.ID, PageSize: size}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, tx)
	}
	if len(got) != want.Transactions || want.Transactions <= size {
		t.Fatalf("read %d transactions, the account has %d", len(got), want.Transactions)
	}
	seen := map[string]bool{}
	net := money.FromMinorCurrency(0, money.MustCurrency("GBP"))
	for i, tx := range got {
		if seen[tx.ID] || tx.Amount.IsZero() || tx.Booked.IsZero() || tx.Description == "" {
			t.Fatalf("transaction %d = %+v (repeated: %v)", i, tx, seen[tx.ID])
		}
		if (tx.Amount.Sign() < 0) != (tx.Type == "DEBIT") {
			t.Fatalf("transaction %d: %s with amount %v", i, tx.Type, tx.Amount)
		}
		if i > 0 && tx.Booked.After(got[i-1].Booked) {
			t.Fatalf("transaction %d booked after the one before it", i)
		}
		seen[tx.ID] = true
		net, _ = net.Add(tx.Amount)
	}
	if !net.Equal(want.Net) {
		t.Fatalf("the transactions add up to %v, want %v", net, want.Net)
	}
	reqs := e.requests()[before:]
	if pages := (want.Transactions + size - 1) / size; len(reqs) != pages {
		t.Fatalf("%d requests for %d pages", len(reqs), pages)
	}
	u, _ := url.Parse(reqs[1].path)
	if u.Path != "/api/customers/"+cust+"/bank-accounts/"+a.ID+"/transactions" || u.Query().Get("pageSize") != "7" ||
		u.Query().Get("pageToken") == "" {
		t.Fatalf("second page read as %s", reqs[1].path)
	}

	// Stopping early reads no further page.
	before = len(e.requests())
	n := 0
	for range e.p.Transactions(context.Background(), trustist.TransactionsRequest{CustomerID: cust, AccountID: a.ID, PageSize: size}) {
		if n++; n == size+1 {
			break
		}
	}
	if got := len(e.requests()) - before; got != 2 {
		t.Fatalf("%d requests for %d transactions", got, n)
	}
}

// A tenant key without a permission gets an error naming it, as a message and a field.
func TestBankDataPermissionDenied(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	cust, a := connected(t, e)
	ctx := context.Background()
	calls := map[string]func() error{
		trustist.PermissionReadBankAccounts: func() error { _, err := e.p.BankAccounts(ctx, cust); return err },
		trustist.PermissionReadBankBalances: func() error { _, err := e.p.AccountBalances(ctx, cust, a.ID); return err },
		trustist.PermissionReadBankTransactions: func() error {
			for _, err := range e.p.Transactions(ctx, trustist.TransactionsRequest{CustomerID: cust, AccountID: a.ID}) {
				if err != nil {
					return err
				}
			}
			return nil
		},
	}
	for perm, call := range calls {
		e.sim.RevokeTenantPermission(perm)
		err := call()
		pe := wantCode(t, err, provider.PermissionDenied)
		var missing *trustist.PermissionError
		if !errors.As(err, &missing) || missing.Permission != perm || pe.HTTPStatus != http.StatusForbidden ||
			!strings.Contains(pe.Message, perm) || strings.Contains(err.Error(), e.sim.TenantKey().HawkKey.Reveal()) {
			t.Fatalf("%s revoked: %v (PermissionError %+v)", perm, err, missing)
		}
		e.sim.GrantTenantPermission(perm)
		if err := call(); err != nil {
			t.Fatalf("%s granted again: %v", perm, err)
		}
	}
}

func TestBankDataRefusedBeforeSending(t *testing.T) {
	e := start(t, trustistsim.Options{}, func(c *trustist.Config) { c.Tenant = trustist.Key{} })
	ctx := context.Background()
	_, err := e.p.AccountBalances(ctx, "cust", "acc")
	wantCode(t, err, provider.PermissionDenied)
	for _, err := range e.p.Transactions(ctx, trustist.TransactionsRequest{CustomerID: "cust", AccountID: "acc"}) {
		wantCode(t, err, provider.PermissionDenied)
	}
	e2 := start(t, trustistsim.Options{}, nil)
	for _, size := range []int{-1, trustist.MaxTransactionsPage + 1} {
		n := 0
		for _, err := range e2.p.Transactions(ctx, trustist.TransactionsRequest{CustomerID: "c", AccountID: "a", PageSize: size}) {
			if pe := wantCode(t, err, provider.InvalidRequest); pe.Field != "PageSize" {
				t.Fatalf("PageSize %d: %v", size, err)
			}
			n++
		}
		if n != 1 {
			t.Fatalf("PageSize %d: %d elements", size, n)
		}
	}
	_, err = e2.p.AccountBalances(ctx, "cust", "a b")
	wantCode(t, err, provider.InvalidRequest)
	if n := len(e.requests()) + len(e2.requests()); n != 0 {
		t.Fatalf("%d requests sent", n)
	}
}

// The answers' shapes are inferred: Token.io's ({currency, value} with extra decimals,
// updatedAtMs, createdAtMs) and flat ones are read exactly, and a page token given twice
// ends the reading with an error rather than a loop.
func TestBankDataAnswerShapes(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	answer := ""
	e.setIntercept(func(w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(answer))
		return true
	})
	ctx := context.Background()
	answer = `{"current":{"currency":"GBP","value":"100.2500"},"available":"99.10","updatedAtMs":"1700000000000"}`
	b, err := e.p.AccountBalances(ctx, "cust", "acc")
	if err != nil || b.Current.String() != "100.25 GBP" || b.Available.String() != "99.10 GBP" || b.Updated.UnixMilli() != 1700000000000 ||
		b.AccountID != "acc" {
		t.Fatalf("Token.io shape: %+v, %v", b, err)
	}
	answer = `{"current":-12.3,"currency":"GBP"}`
	if b, err = e.p.AccountBalances(ctx, "cust", "acc"); err != nil || b.Current.String() != "-12.30 GBP" || b.Available.IsValid() {
		t.Fatalf("flat shape: %+v, %v", b, err)
	}
	answer = `{"accountId":"another","current":"1.00"}`
	_, err = e.p.AccountBalances(ctx, "cust", "acc")
	wantCode(t, err, provider.Internal)
	answer = `{"current":"12.345"}`
	_, err = e.p.AccountBalances(ctx, "cust", "acc")
	wantCode(t, err, provider.Internal)

	answer = `{"transactions":[{"id":"t1","type":"DEBIT","amount":{"currency":"GBP","value":"5.0000"},"createdAtMs":"1700000000000"},` +
		`{"transactionId":"t2","creditDebitIndicator":"Credit","amount":7.5,"currency":"GBP","bookingDate":"2024-01-02T03:04:05Z"}],` +
		`"nextPageToken":"same"}`
	var got []string
	var last error
	for tx, err := range e.p.Transactions(ctx, trustist.TransactionsRequest{CustomerID: "cust", AccountID: "acc"}) {
		if err != nil {
			last = err
			break
		}
		got = append(got, tx.ID+" "+tx.Amount.String()+" "+tx.Booked.Format("2006-01-02"))
	}
	if strings.Join(got, "|") != "t1 -5.00 GBP 2023-11-14|t2 7.50 GBP 2024-01-02|t1 -5.00 GBP 2023-11-14|t2 7.50 GBP 2024-01-02" {
		t.Fatalf("read %q", got)
	}
	if pe := wantCode(t, last, provider.Internal); !strings.Contains(fmt.Sprint(pe.Err), "given before") {
		t.Fatalf("a repeated token: %v", last)
	}
}
