package main

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/internal/pgkit/pgtest"
	"github.com/paybridge/paybridge/internal/testwait"
	"github.com/paybridge/paybridge/journal/pgjournal"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider/trustly/trustlysim"
	"github.com/paybridge/paybridge/provider/trustlyrest"
	"github.com/paybridge/paybridge/provider/trustlyrest/trustlyrestsim"
	"github.com/paybridge/paybridge/reconcile"
)

// errorOut is the --json form of a failure.
type errorOut struct {
	Error errorJSON `json:"error"`
}

// waitStatus runs `status KIND ID` until the printed status is want.
func waitStatus(ctx context.Context, t *testing.T, url, kind, id, want string) {
	t.Helper()
	for {
		r := cli(t, "status", kind, id, "--url", url, "--json").mustCode(t, exitOK)
		got := decode[struct {
			Status string `json:"status"`
		}](t, r)
		if got.Status == want {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s %s stayed %q, want %q", kind, id, got.Status, want)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func TestOperationsTrustlyREST(t *testing.T) {
	clearProviderEnv(t)
	set, ev := startTestSims(t)
	url := useSim(t, set, trustlyrest.Name)
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Limit)
	defer cancel()
	payer := []string{"--first-name", "Ada", "--last-name", "Lovelace", "--email", "ada@example.com", "--country", "US"}

	// Trustly REST requires the payer's phone: without --phone the payment is refused,
	// naming the field and its flag, before anything is sent.
	before := set.rest.Requests()
	noPhone := append([]string{"pay", "--url", url, "--amount", "10.00", "--currency", "USD", "--reference", "order-0",
		"--description", "Order 0", "--return-url", set.ReturnURL, "--idempotency-key", "order-0-pay"}, payer...)
	r := cli(t, noPhone...).mustCode(t, exitUsage)
	contains(t, r.err, "Payer.Phone (--phone) is required by Trustly", "Nothing moved")
	e := decode[errorOut](t, cli(t, append(noPhone, "--json")...).mustCode(t, exitUsage))
	if len(e.Error.Fields) != 1 || e.Error.Fields[0].Field != "Payer.Phone" || e.Error.Fields[0].Flag != "--phone" {
		t.Fatalf("fields %+v; want Payer.Phone with its flag --phone", e.Error.Fields)
	}
	if n := set.rest.Requests() - before; n != 0 {
		t.Fatalf("a payment without a phone sent %d requests to Trustly REST", n)
	}
	payer = append(payer, "--phone", "+14155550100")

	payArgs := append([]string{"pay", "--url", url, "--json", "--amount", "10.00", "--currency", "USD", "--reference", "order-1",
		"--description", "Order 1", "--return-url", set.ReturnURL, "--idempotency-key", "order-1-pay"}, payer...)
	p := decode[paybridge.Payment](t, cli(t, payArgs...).mustCode(t, exitOK))
	if p.Status != paybridge.PaymentRequiresAction || p.RedirectURL == "" || p.ProviderStatus == "" || p.IdempotencyKey != "order-1-pay" {
		t.Fatalf("pay printed %+v", p)
	}
	if err := set.rest.EndUser().Approve(ctx, p.RedirectURL); err != nil {
		t.Fatal(err)
	}
	waitStatus(ctx, t, url, "payment", p.ID, string(paybridge.PaymentSucceeded))
	// The receiver `paybridge sim` runs verified the simulator's notification.
	ev.wait(ctx, t, "of the payment's success", func(e notify.Event) bool {
		return e.PaymentID == p.ID && e.Kind == notify.PaymentSucceeded
	})
	// Plain text names the neutral and the provider's status.
	r = cli(t, "status", p.ID, "--url", url).mustCode(t, exitOK)
	contains(t, r.out, "status           succeeded", "provider status", "10.00 USD")

	refund := []string{"refund", "--url", url, "--json", "--payment", p.ID, "--amount", "4.00", "--currency", "USD",
		"--idempotency-key", "ticket-9-refund"}
	first := decode[paybridge.Refund](t, cli(t, refund...).mustCode(t, exitOK))
	again := decode[paybridge.Refund](t, cli(t, refund...).mustCode(t, exitOK))
	if first.ID == "" || again.ID != first.ID || first.PaymentID != p.ID || first.Amount.String() != "4.00 USD" {
		t.Fatalf("refund %+v, repeated %+v: want one refund of 4.00 USD", first, again)
	}
	cli(t, "status", "refund", first.ID, "--url", url).mustCode(t, exitOK)
	// More than what is left of the payment is refused by the provider, as invalid.
	over := cli(t, "refund", "--url", url, "--json", "--payment", p.ID, "--amount", "7.00", "--currency", "USD",
		"--idempotency-key", "ticket-9-refund-2").mustCode(t, exitUsage)
	if e := decode[errorOut](t, over); e.Error.Code != "invalid_request" || e.Error.ExitCode != exitUsage {
		t.Fatalf("over-refund error %+v", e)
	}

	// Bank details verify at once, but Trustly REST pays out only to an account the holder
	// confirmed at the bank: the payout is refused before anything is sent.
	details := decode[verification](t, cli(t, append([]string{"verify", "--url", url, "--json",
		"--account-number", "1000000008", "--routing-number", trustlyrestsim.DemoRoutingNumber}, payer...)...).mustCode(t, exitOK))
	if details.Status != paybridge.VerificationVerified || details.AccountID == "" || details.IdempotencyKey == "" {
		t.Fatalf("verify by details printed %+v", details)
	}
	payout := []string{"payout", "--url", url, "--json", "--amount", "3.00", "--currency", "USD", "--reference", "wd-1",
		"--idempotency-key", "wd-1"}
	cli(t, append(append(payout, "--account-id", details.AccountID), payer...)...).mustCode(t, exitUsage)

	v := decode[verification](t, cli(t, append([]string{"verify", "--url", url, "--json", "--return-url", set.ReturnURL,
		"--idempotency-key", "holder-1-verify"}, payer...)...).mustCode(t, exitOK))
	if v.Status != paybridge.VerificationRequiresAction || v.RedirectURL == "" {
		t.Fatalf("interactive verify printed %+v", v)
	}
	if err := set.rest.EndUser().Approve(ctx, v.RedirectURL); err != nil {
		t.Fatal(err)
	}
	waitStatus(ctx, t, url, "verification", v.ID, string(paybridge.VerificationVerified))
	got := decode[paybridge.AccountVerification](t, cli(t, "status", "verification", v.ID, "--url", url, "--json").mustCode(t, exitOK))
	po := decode[paybridge.Payout](t, cli(t, append(append(payout, "--account-id", got.AccountID), payer...)...).mustCode(t, exitOK))
	po2 := decode[paybridge.Payout](t, cli(t, append(append(payout, "--account-id", got.AccountID), payer...)...).mustCode(t, exitOK))
	if po.ID == "" || po2.ID != po.ID || po.Amount.String() != "3.00 USD" {
		t.Fatalf("payout %+v, repeated %+v: want one payout of 3.00 USD", po, po2)
	}
	cli(t, "status", "payout", po.ID, "--url", url).mustCode(t, exitOK)

	// Refused credentials are a configuration error.
	wrong := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(wrong, []byte("not-the-access-key"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(trustlyrest.EnvAccessKey+"_FILE", wrong)
	bad := cli(t, "status", p.ID, "--url", url).mustCode(t, exitConfig)
	contains(t, bad.err, "unauthenticated")
	if strings.Contains(bad.err+bad.out, "not-the-access-key") {
		t.Fatal("the access key was printed")
	}
}

func TestOperationsTrustly(t *testing.T) {
	clearProviderEnv(t)
	set, ev := startTestSims(t)
	url := useSim(t, set, "trustly")
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Limit)
	defer cancel()
	person := []string{"--user-id", "customer-1", "--first-name", "Ada", "--last-name", "Lovelace", "--email", "ada@example.com",
		"--country", "SE", "--locale", "sv_SE"}

	p := decode[paybridge.Payment](t, cli(t, append([]string{"pay", "--url", url, "--json", "--amount", "20.00", "--currency", "EUR",
		"--reference", "order-2", "--return-url", set.ReturnURL, "--idempotency-key", "order-2-pay"}, person...)...).mustCode(t, exitOK))
	if p.Status != paybridge.PaymentRequiresAction || !strings.HasPrefix(p.RedirectURL, set.trustly.URL()) {
		t.Fatalf("pay printed %+v", p)
	}
	if err := set.trustly.EndUser().Approve(ctx, p.RedirectURL); err != nil {
		t.Fatal(err)
	}
	// The receiver did not create the order, so the adapter cannot tell what the credit
	// confirms and reports it as Other, with Trustly's method and the order's reference.
	credit := ev.wait(ctx, t, "of the deposit's credit", func(e notify.Event) bool {
		return e.Provider == "trustly" && e.ProviderEvent == "credit" && e.MerchantReference == "order-2" &&
			e.Amount.String() == "20.00 EUR"
	})
	contains(t, describeEvent(credit), "trustly  credit  order="+p.ID, "money reached the merchant")
	// Trustly has no call that reads a payment back: refused before anything is sent.
	// The advice fits a read: nothing could move.
	st := cli(t, "status", p.ID, "--url", url).mustCode(t, exitUsage)
	contains(t, st.err, "not_supported", "Nothing was read, and a read changes nothing: change the request.")
	if strings.Contains(st.err, "moved") {
		t.Errorf("a failed read speaks of moving money:\n%s", st.err)
	}

	refund := []string{"refund", "--url", url, "--json", "--payment", p.ID, "--amount", "5.00", "--currency", "EUR",
		"--idempotency-key", "order-2-refund"}
	r1 := decode[paybridge.Refund](t, cli(t, refund...).mustCode(t, exitOK))
	r2 := decode[paybridge.Refund](t, cli(t, refund...).mustCode(t, exitOK))
	if r1.ID == "" || r2.ID != r1.ID {
		t.Fatalf("refund %+v, repeated %+v: want the same refund", r1, r2)
	}
	// The simulator executes the refund, as Trustly does, and confirms it: the refund
	// reaches its final state. The receiver did not make the order, so it prints Trustly's
	// method, the order and what the method means, not an unexplained "other".
	done := ev.wait(ctx, t, "confirming the refund", func(e notify.Event) bool {
		return e.Provider == "trustly" && e.ProviderEvent == "payoutconfirmation" && e.Amount.String() == "5.00 EUR"
	})
	line := describeEvent(done)
	contains(t, line, "trustly  payoutconfirmation  order="+p.ID, "reference=order-2", "amount=5.00 EUR",
		"a refund or payout of this order was executed", "another command made the order")
	if strings.Contains(line, "  other  ") {
		t.Errorf("a confirmed refund printed as %q", line)
	}

	v := decode[verification](t, cli(t, append([]string{"verify", "--url", url, "--json", "--iban", trustlysim.TestIBAN,
		"--idempotency-key", "customer-1-account"}, person...)...).mustCode(t, exitOK))
	if v.Status != paybridge.VerificationVerified || v.AccountID == "" {
		t.Fatalf("verify printed %+v", v)
	}
	payout := append([]string{"payout", "--url", url, "--json", "--account-id", v.AccountID, "--amount", "7.50", "--currency", "EUR",
		"--reference", "wd-2", "--description", "Withdrawal 2", "--idempotency-key", "wd-2"}, person...)
	po := decode[paybridge.Payout](t, cli(t, payout...).mustCode(t, exitOK))
	po2 := decode[paybridge.Payout](t, cli(t, payout...).mustCode(t, exitOK))
	if po.ID == "" || po2.ID != po.ID || po.Amount.String() != "7.50 EUR" {
		t.Fatalf("payout %+v, repeated %+v: want one payout of 7.50 EUR", po, po2)
	}
	// A bad IBAN is refused by the provider.
	bad := cli(t, append([]string{"verify", "--url", url, "--iban", trustlysim.TestBadIBAN}, person...)...).mustCode(t, exitUsage)
	contains(t, bad.err, "provider code    623")

	// Without the simulator's public key the answers do not verify against Trustly's TEST
	// key: the command must not trust them, and the deposit may exist.
	t.Setenv("PAYBRIDGE_TRUSTLY_PUBLIC_KEY_FILE", "")
	untrusted := cli(t, append([]string{"pay", "--url", url, "--amount", "1.00", "--currency", "EUR", "--reference", "order-3",
		"--return-url", set.ReturnURL, "--idempotency-key", "order-3-pay"}, person...)...).mustCode(t, exitUnknown)
	contains(t, untrusted.err, "does not verify", "--idempotency-key order-3-pay")
}

func TestOperationsTrustist(t *testing.T) {
	clearProviderEnv(t)
	set, ev := startTestSims(t)
	url := useSim(t, set, "trustist")
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Limit)
	defer cancel()
	pay := func(key string) []string {
		return []string{"pay", "--url", url, "--json", "--amount", "12.34", "--currency", "GBP", "--reference", key,
			"--return-url", set.ReturnURL, "--first-name", "Ada", "--last-name", "Lovelace", "--email", "ada@example.com",
			"--idempotency-key", key}
	}
	p := decode[paybridge.Payment](t, cli(t, pay("order-4")...).mustCode(t, exitOK))
	if p.Status != paybridge.PaymentRequiresAction || p.ProviderStatus == "" {
		t.Fatalf("pay printed %+v", p)
	}
	if err := set.trustist.EndUser().Approve(ctx, p.RedirectURL); err != nil {
		t.Fatal(err)
	}
	waitStatus(ctx, t, url, "payment", p.ID, string(paybridge.PaymentSucceeded))
	ev.wait(ctx, t, "of the payment's success", func(e notify.Event) bool {
		return e.PaymentID == p.ID && e.Kind == notify.PaymentSucceeded
	})
	// Trustist has no refund or payout endpoint; the sentence names the provider once.
	r := cli(t, "refund", "--url", url, "--payment", p.ID, "--amount", "1.00", "--currency", "GBP", "--idempotency-key", "r").mustCode(t, exitUsage)
	contains(t, r.err, "paybridge refund: trustist does not support refund", "not_supported")
	cli(t, "payout", "--url", url, "--account-id", "a", "--reference", "w", "--amount", "1.00", "--currency", "GBP",
		"--idempotency-key", "w").mustCode(t, exitUsage)

	// The answer to a payment's creation is lost: Trustist keeps no idempotency keys, so
	// the outcome is unknown and the command says so.
	set.trustist.DropNext(1)
	lost := cli(t, pay("order-5")...).mustCode(t, exitUnknown)
	if e := decode[errorOut](t, lost); e.Error.Code != "unknown_outcome" || e.Error.IdempotencyKey != "order-5" || !e.Error.Retryable {
		t.Fatalf("lost answer reported as %+v", e)
	}
	lostText := cli(t, "status", "--url", url, "no-such-payment")
	if lostText.code != exitFailed {
		t.Fatalf("status of an unknown payment: exit %d\n%s", lostText.code, lostText.err)
	}

	// A provider that does not answer is a connection error.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "trustist://sandbox?base_url=http://" + ln.Addr().String()
	_ = ln.Close()
	down := cli(t, "status", "--url", closed, "--timeout", testwait.Limit.String(), "some-id").mustCode(t, exitUnavailable)
	contains(t, down.err, "paybridge status: provider unavailable: Trustist could not be reached", "provider_unavailable", "try again later")
	downJSON := decode[errorOut](t, cli(t, "status", "--url", closed, "--timeout", testwait.Limit.String(), "--json", "some-id").mustCode(t, exitUnavailable))
	if downJSON.Error.Code != "provider_unavailable" || downJSON.Error.ExitCode != exitUnavailable || !downJSON.Error.Retryable {
		t.Fatalf("unreachable provider reported as %+v", downJSON.Error)
	}
}

func TestOperationsUnknownOutcomeText(t *testing.T) {
	clearProviderEnv(t)
	set, _ := startTestSims(t)
	url := useSim(t, set, "trustist")
	set.trustist.DropNext(1)
	r := cli(t, "pay", "--url", url, "--amount", "12.34", "--currency", "GBP", "--reference", "order-6",
		"--return-url", set.ReturnURL, "--first-name", "Ada", "--last-name", "Lovelace", "--email", "ada@example.com",
		"--idempotency-key", "order-6").mustCode(t, exitUnknown)
	contains(t, r.err, "paybridge pay: outcome unknown: trustist Pay: ", "unknown_outcome", "idempotency key  order-6", "may have acted",
		"--idempotency-key order-6", "TrustistTransfer portal")
}

func TestOperationsMem(t *testing.T) {
	clearProviderEnv(t)
	t.Setenv(envURL, "mem://")
	pay := []string{"pay", "--amount", "12.34", "--currency", "GBP", "--reference", "order-1001",
		"--return-url", "https://shop.example.com/orders/1001", "--email", "ada@example.com", "--first-name", "Ada"}

	r := cli(t, append(pay, "--idempotency-key", "order-1001-pay")...).mustCode(t, exitOK)
	contains(t, r.out, "provider         mem", "status           requires_action", "12.34 GBP", "order-1001-pay", "redirect URL")

	// No key: refused, with a key to use printed.
	r = cli(t, pay...).mustCode(t, exitUsage)
	contains(t, r.err, "--idempotency-key is required", "--idempotency-key pay-")
	if r.out != "" {
		t.Fatalf("stdout %q", r.out)
	}
	// Amounts are exact: three decimals of GBP are refused, never rounded.
	r = cli(t, "pay", "--amount", "12.345", "--currency", "GBP", "--reference", "x", "--return-url", "https://x.example",
		"--idempotency-key", "k").mustCode(t, exitUsage)
	contains(t, r.err, "12.345")
	// The Gateway's validation names the bad field; nothing is sent.
	r = cli(t, append(pay[:len(pay):len(pay)], "--idempotency-key", "k2", "--cancel-url", "javascript:alert(1)", "--json")...).mustCode(t, exitUsage)
	if e := decode[errorOut](t, r); e.Error.Code != "invalid_request" || len(e.Error.Fields) == 0 || e.Error.Fields[0].Field != "CancelURL" {
		t.Fatalf("invalid request reported as %+v", e)
	}

	v := decode[verification](t, cli(t, "verify", "--json", "--iban", "GB29NWBK60161331926819", "--first-name", "Ada",
		"--last-name", "Lovelace").mustCode(t, exitOK))
	if v.Status != paybridge.VerificationVerified || v.AccountID == "" || !strings.HasPrefix(v.IdempotencyKey, "verify-") {
		t.Fatalf("verify printed %+v", v)
	}
	// mem:// is new on every command: what another command made is not found.
	r = cli(t, "status", "payment", "pay_1", "--json").mustCode(t, exitFailed)
	if e := decode[errorOut](t, r); e.Error.Code != "not_found" || e.Error.ExitCode != exitFailed {
		t.Fatalf("not found reported as %+v", e)
	}
	cli(t, "refund", "--payment", "pay_1", "--amount", "1.00", "--currency", "GBP", "--idempotency-key", "r1").mustCode(t, exitFailed)
	// The provider refuses a payout to an account it does not know as an invalid request.
	cli(t, "payout", "--account-id", v.AccountID, "--amount", "1.00", "--currency", "GBP", "--reference", "w1",
		"--idempotency-key", "w1", "--first-name", "Ada", "--last-name", "Lovelace").mustCode(t, exitUsage)
	// A money-moving call that runs out of time has an unknown outcome.
	r = cli(t, append(pay, "--idempotency-key", "order-1002-pay", "--timeout", "1ns")...).mustCode(t, exitUnknown)
	contains(t, r.err, "--idempotency-key order-1002-pay")

	// No URL at all is a configuration error that says what to set.
	t.Setenv(envURL, "")
	r = cli(t, "status", "pay_1").mustCode(t, exitConfig)
	contains(t, r.err, "PAYBRIDGE_URL")
	r = cli(t, "status", "pay_1", "--url", "nosuch://x").mustCode(t, exitConfig)
	contains(t, r.err, "configuration error", `unknown provider "nosuch"`, "mem://")
}

// The help shows what works at a real provider, and says where a flag or a result does not.
func TestHelpSaysWhatProvidersAccept(t *testing.T) {
	refund := cli(t, "refund", "--help").mustCode(t, exitOK)
	examples, flags, _ := strings.Cut(refund.out, "\nFlags:")
	// Only mem:// carries a reason: an example with one fails at every real provider.
	if strings.Contains(examples, "--reason") {
		t.Errorf("a refund example sets --reason, which Trustly and Trustist refuse:\n%s", examples)
	}
	_, reason, _ := strings.Cut(flags, "-reason")
	reason, _, _ = strings.Cut(reason, "\n  -")
	contains(t, reason, "mem://", "Trustly", "Trustist")
	// At Trustly REST an account verified from its details is refused by payout
	// (TestOperationsTrustlyREST): verify's help says so.
	verify := cli(t, "verify", "--help").mustCode(t, exitOK)
	contains(t, strings.Join(strings.Fields(verify.out), " "), "At Trustly REST only an interactive verification gives an account id payout accepts")
}

// trustlyRESTPayments counts the payments the Trustly REST simulator holds whose
// merchantReference begins with ref, as the provider's own list reports them.
func trustlyRESTPayments(ctx context.Context, t *testing.T, url, ref string) int {
	t.Helper()
	gw, err := paybridge.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer gw.Close()
	var client *trustlyrest.Client
	if !gw.As(&client) {
		t.Fatal("the Gateway holds no *trustlyrest.Client")
	}
	n := 0
	for p, err := range client.ListPayments(ctx, trustlyrest.PaymentFilter{}) {
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(p.MerchantReference, ref+".") {
			n++
		}
	}
	return n
}

// With --journal (or PAYBRIDGE_JOURNAL_URL) the journal answers a repeated command with the
// first result across invocations, where the provider would not: Trustly REST opens a
// second payment for a repeated pay the payer has not approved. The call is then in the
// journal reconcile reads.
func TestOperationsJournalAnswersRepeats(t *testing.T) {
	clearProviderEnv(t)
	t.Setenv(envJournal, "")
	dbURL := pgtest.ServerURL(t) // skips, saying why, without a PostgreSQL server
	table := pgtest.FreshTable(t, dbURL, "clijournal")
	set, _ := startTestSims(t)
	url := useSim(t, set, trustlyrest.Name)
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Limit)
	defer cancel()
	pay := func(ref string, more ...string) []string {
		return append([]string{"pay", "--url", url, "--json", "--amount", "10.00", "--currency", "USD", "--reference", ref,
			"--description", "Order", "--return-url", set.ReturnURL, "--idempotency-key", ref + "-pay",
			"--first-name", "Ada", "--last-name", "Lovelace", "--email", "ada@example.com", "--phone", "+14155550100", "--country", "US"}, more...)
	}

	// Without a journal each run has its own: the provider opens a second payment, as
	// the help texts say.
	a := decode[paybridge.Payment](t, cli(t, pay("order-nj")...).mustCode(t, exitOK))
	b := decode[paybridge.Payment](t, cli(t, pay("order-nj")...).mustCode(t, exitOK))
	if n := trustlyRESTPayments(ctx, t, url, "order-nj"); a.ID == b.ID || n != 2 {
		t.Fatalf("without a journal: payments %s and %s, %d at the provider; the help texts say a repeat opens a second one",
			a.ID, b.ID, n)
	}

	// A journal whose table was never made is refused before anything is sent: the
	// command changes no schema.
	missing := cli(t, pay("order-j", "--journal", dbURL, "--journal-table", table)...).mustCode(t, exitConfig)
	if n := trustlyRESTPayments(ctx, t, url, "order-j"); n != 0 || !strings.Contains(missing.out+missing.err, table) {
		t.Fatalf("a journal without its table: %d payments at the provider, output %q", n, missing.out+missing.err)
	}
	j, err := pgjournal.Open(ctx, dbURL, pgjournal.WithTable(table))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if err := j.Migrate(ctx); err != nil {
		t.Fatal(err)
	}

	// With the journal, by flag and then by variable.
	first := decode[paybridge.Payment](t, cli(t, pay("order-j", "--journal", dbURL, "--journal-table", table)...).mustCode(t, exitOK))
	t.Setenv(envJournal, dbURL)
	again := decode[paybridge.Payment](t, cli(t, pay("order-j", "--journal-table", table)...).mustCode(t, exitOK))
	if first.ID == "" || again.ID != first.ID || again.RedirectURL != first.RedirectURL {
		t.Fatalf("pay %+v, repeated %+v: want the first payment again", first, again)
	}
	if n := trustlyRESTPayments(ctx, t, url, "order-j"); n != 1 {
		t.Fatalf("the provider holds %d payments for the repeated command, want 1", n)
	}
	// The same key with another request is refused by the journal, before anything is sent.
	other := cli(t, pay("order-j", "--journal-table", table, "--amount", "11.00")...).mustCode(t, exitFailed)
	if e := decode[errorOut](t, other); e.Error.Code != "duplicate" {
		t.Fatalf("the key reused for another amount: %+v", e.Error)
	}

	// reconcile reads the call the command journaled (and none of the runs without one).
	today := time.Now().UTC().Format(time.DateOnly)
	tomorrow := time.Now().UTC().AddDate(0, 0, 1).Format(time.DateOnly)
	r := cli(t, "reconcile", "--url", url, "--journal-table", table, "--from", today, "--to", tomorrow, "--json")
	if r.code != exitAgree && r.code != exitDiffer {
		t.Fatalf("reconcile exit %d\n%s%s", r.code, r.out, r.err)
	}
	if rep := decode[reconcile.Report](t, r); rep.Calls != 1 {
		t.Fatalf("reconcile found %d calls in the journal, want the one pay: %+v", rep.Calls, rep)
	}
}

// A journal that cannot be opened is a configuration error that names --journal and
// never prints the connection string's password.
func TestOperationsJournalUnusable(t *testing.T) {
	clearProviderEnv(t)
	t.Setenv(envJournal, "")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	_ = ln.Close()
	const password = "pw-Zq81xK"
	pay := []string{"pay", "--url", "mem://", "--amount", "1.00", "--currency", "GBP", "--reference", "r",
		"--return-url", "https://shop.example.com/r", "--idempotency-key", "k"}
	for _, dsn := range []string{
		"postgres://ops:" + password + "@" + closed + "/books?sslmode=disable", // nothing listens
		"postgres://ops:" + password + "@[::1/books",                           // malformed
		"host=" + closed + " user=ops password=" + password + " sslmode=disable",
	} {
		r := cli(t, append(pay, "--journal", dsn)...).mustCode(t, exitConfig)
		contains(t, r.err, "configuration error: the journal", "--journal (or "+envJournal+")")
		j := cli(t, append(pay, "--journal", dsn, "--json")...).mustCode(t, exitConfig)
		if e := decode[errorOut](t, j); e.Error.Code != "configuration" {
			t.Errorf("--json: %+v", e.Error)
		}
		t.Setenv(envJournal, dsn)
		v := cli(t, "verify", "--url", "mem://", "--iban", "GB29NWBK60161331926819", "--first-name", "Ada").mustCode(t, exitConfig)
		t.Setenv(envJournal, "")
		for _, out := range []string{r.out, r.err, j.out, j.err, v.out, v.err} {
			if strings.Contains(out, password) {
				t.Fatalf("the journal's password was printed:\n%s", out)
			}
		}
	}
}
