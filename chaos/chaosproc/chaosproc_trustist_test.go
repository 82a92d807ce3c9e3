package chaosproc_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/chaos/chaostest"
	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/simkit"
	"github.com/paybridge/paybridge/provider/trustist"
	"github.com/paybridge/paybridge/provider/trustist/trustistsim"
	"github.com/paybridge/paybridge/secret"
)

// TestChaosProcTrustistPay runs testPay on the Trustist adapter, with the
// authenticated-answer request fault mix. Trustist takes no idempotency key and has no
// look-up by reference: a Pay whose answer was lost stays uncertain in the journal, and
// its repeats send nothing, until the payment's payment.created webhook, confirmed by the
// application's Gateway on the same journal, records the payment's id; a repeat then
// reads the payment and returns it. A Pay that never reached Trustist (its worker was
// killed in between) is forgotten by the reconciliation job the test runs beside the
// workers (trustistSim.reconcile). The payer approves each payment once the application
// knows it was created.
func TestChaosProcTrustistPay(t *testing.T) { testPay(t, startTrustist) }

// The environment a worker makes the Trustist adapter from: the merchant key, which signs
// payments and their look-ups.
const (
	envTrustistURL     = "PAYBRIDGE_CHAOSPROC_TRUSTIST_URL"
	envTrustistHawkID  = "PAYBRIDGE_CHAOSPROC_TRUSTIST_HAWK_ID"
	envTrustistHawkKey = "PAYBRIDGE_CHAOSPROC_TRUSTIST_HAWK_KEY"
)

// trustistPayer is the payer of every payment.
var trustistPayer = paybridge.Person{ID: "user-7", FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com", Country: "GB"}

func trustistFromEnv() (provider.Provider, error) {
	c, err := trustist.New(trustist.Config{BaseURL: os.Getenv(envTrustistURL), Merchant: trustist.Key{HawkID: os.Getenv(envTrustistHawkID),
		HawkKey: secret.New(os.Getenv(envTrustistHawkKey))}, Currency: money.MustCurrency("GBP"), HTTPClient: chaostest.Client()})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// trustistSim is the Trustist simulator; it sends its webhooks, payment.created included,
// to the application's receiver.
type trustistSim struct{ s *trustistsim.Server }

func startTrustist(t *testing.T) *env {
	t.Helper()
	e := newEnv(t, trustist.Name, money.MustCurrency("GBP"))
	s, err := trustistsim.Start(trustistsim.Options{SendCreatedEvents: true, Currency: e.currency, Options: simkit.Options{RetryBase: 10 * time.Millisecond,
		RetryMax: 250 * time.Millisecond, MaxAttempts: 1_000_000, DeliveryClient: chaostest.DeliveryClient()}})
	if err != nil {
		t.Fatal(err)
	}
	cfg := s.Config()
	cfg.HTTPClient = chaostest.Client()
	// The application's process confirms thousands of webhooks in a few seconds; the
	// bound on confirmation reads would only pace them.
	cfg.ConfirmationsPerSecond = -1
	c, err := trustist.New(cfg)
	if err != nil {
		s.Close()
		t.Fatal(err)
	}
	e.attach(t, c, s.Close)
	s.SetWebhookURL(e.rec.URL())
	e.sim = trustistSim{s: s}
	t.Cleanup(func() {
		if t.Failed() {
			explainUnsettledPays(t, e, s)
		}
	})
	return e
}

// explainUnsettledPays counts the references paid more than once, then names the Pays whose journal entries are not settled, each with the
// payments the simulator holds for its reference and their webhooks: none means the
// request never reached Trustist — its worker was killed after the Gateway claimed the
// key — and, with no look-up by reference, no notification can settle it.
func explainUnsettledPays(t *testing.T, e *env, s *trustistsim.Server) {
	t.Helper()
	byRef := map[string][]simkit.Movement{}
	for _, m := range s.Movements() {
		byRef[m.Reference] = append(byRef[m.Reference], m)
	}
	byPayment := map[string][]string{}
	for _, d := range s.Deliveries() {
		byPayment[d.ObjectID] = append(byPayment[d.ObjectID], fmt.Sprintf("%s attempts %d last HTTP %d acknowledged %v",
			d.Event, d.Attempts, d.LastStatus, d.Acknowledged))
	}
	var twice []string
	for ref, ms := range byRef {
		if len(ms) > 1 {
			twice = append(twice, fmt.Sprintf("%s (%d payments)", ref, len(ms)))
		}
	}
	sort.Strings(twice)
	t.Logf("the simulator holds %d payments for %d references; references paid more than once: %d %v", len(s.Movements()), len(byRef),
		len(twice), twice[:min(len(twice), 10)])
	shown := 0
	for i := range opsCount(t) {
		key, ref := fmt.Sprintf("pay-key-%d", i), fmt.Sprintf("order-%d", i)
		en, err := e.journal.Get(context.Background(), journal.ID{Scope: e.gw.JournalScope(), Op: string(provider.OpPay), Key: key})
		if err != nil || en.State == journal.Settled || shown == 10 {
			continue
		}
		shown++
		var ps []string
		for _, m := range byRef[ref] {
			ps = append(ps, fmt.Sprintf("%s (%s, %s; webhooks: %s)", m.ID, m.Status, m.Amount,
				strings.Join(byPayment[m.ID], "; ")))
		}
		if len(ps) == 0 {
			ps = append(ps, "none: the request never reached the simulator")
		}
		t.Logf("Pay %s (%s): journal entry %s, provider id %q, created %s, sent %s, updated %s, attempts %d; the simulator's payments "+
			"for %s: %s", key, ref, en.State, en.ProviderID, en.CreatedAt.Format("15:04:05.000"), en.SentAt.Format("15:04:05.000"),
			en.UpdatedAt.Format("15:04:05.000"), en.Attempts, ref, strings.Join(ps, ", "))
	}
}

// reconcile is Trustist's reconciliation job (chaostest.ForgetNeverApplied) over the Pays
// the journal holds as uncertain with no payment id: here, those whose worker was killed
// after claiming the key, before the request reached Trustist.
func (r trustistSim) reconcile(t *testing.T, e *env) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, e.url)
	if err != nil {
		t.Logf("reconcile: %v", err)
		return
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT key FROM `+pgx.Identifier{e.journal.Table()}.Sanitize()+
		` WHERE scope = $1 AND op = $2 AND state = 'uncertain' AND provider_id IS NULL`, e.gw.JournalScope(), string(provider.OpPay))
	if err != nil {
		t.Logf("reconcile: %v", err)
		return
	}
	keys, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(keys) == 0 {
		return
	}
	ids := make([]journal.ID, len(keys))
	for i, key := range keys {
		ids[i] = journal.ID{Scope: e.gw.JournalScope(), Op: string(provider.OpPay), Key: key}
	}
	chaostest.ForgetNeverApplied(t, e.journal, ids, r.references())
}

// references returns the references the simulator holds a payment for.
func (r trustistSim) references() map[string]bool {
	paid := map[string]bool{}
	for _, m := range r.s.Movements() {
		paid[m.Reference] = true
	}
	return paid
}

func (r trustistSim) workerEnv() []string {
	k := r.s.MerchantKey()
	return []string{envTrustistURL + "=" + r.s.URL(), envTrustistHawkID + "=" + k.HawkID, envTrustistHawkKey + "=" + k.HawkKey.Reveal()}
}

// payments and accounts prepare refunds and payouts, which Trustist does not offer.
func (r trustistSim) payments(t *testing.T, _ *env, _ int) []string {
	t.Helper()
	t.Fatal("Trustist has no refunds")
	return nil
}

func (r trustistSim) accounts(t *testing.T, _ *env, _ int) []string {
	t.Helper()
	t.Fatal("Trustist has no payouts")
	return nil
}

// approve waits until the application knows every payment as created — its
// payment.created webhook was confirmed, which also settled the Pay if its answer was
// lost — then approves each on its pay page. Each webhook then names one status the
// application learns once: PENDING for payment.created, COMPLETE for payment.completed.
func (r trustistSim) approve(t *testing.T, e *env, ids []string) {
	t.Helper()
	e.waitStates(t, "payment/", ids, notify.PaymentPending)
	for _, id := range ids {
		if err := r.s.CompletePayment(id, "approve"); err != nil {
			t.Errorf("approving payment %s: %v", id, err)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
}

func (r trustistSim) chaos(seed int64) (float64, error) {
	req := chaostest.AuthenticatedAnswers
	req.DelayBy = chaostest.DelayBy
	return req.Total(), r.s.SetChaos(simkit.Chaos{Seed: seed, Requests: req, Notifications: chaostest.Deliveries})
}

// movements returns every payment created, approved or not: a second payment for a
// reference shows whether or not its payer approved it.
func (r trustistSim) movements(op provider.Operation) []movement {
	if op != provider.OpPay {
		return nil
	}
	var out []movement
	for _, m := range r.s.Movements() {
		out = append(out, movement{ref: m.Reference, amount: m.Amount, id: m.ID, order: m.ID})
	}
	return out
}

// deliveries names each webhook after the event the application learns from it: the
// adapter reads the payment back and names the event after the status the API reports,
// the one the webhook was raised for unless the payment moved on before it arrived
// (approve waits for payment.created first). A payment.completed webhook says COMPLETED
// where the API says COMPLETE; the failures' statuses are the API's.
func (r trustistSim) deliveries() []delivery {
	ds := r.s.Deliveries()
	out := make([]delivery, len(ds))
	for i, d := range ds {
		status := map[string]string{"payment.created": trustistsim.StatusPending, "payment.completed": trustistsim.StatusComplete}[d.Event]
		if status == "" {
			var body struct {
				Status string `json:"status"`
			}
			_ = json.Unmarshal(d.Body, &body) // an unreadable body names no status, which no event matches
			status = body.Status
		}
		out[i] = delivery{id: "payment/" + d.ObjectID + "/" + status, order: d.ObjectID, what: d.Event, attempts: d.Attempts,
			lastStatus: d.LastStatus, acknowledged: d.Acknowledged}
	}
	return out
}

func (r trustistSim) requestFaults() simkit.FaultCounts { return r.s.ChaosCounts().Requests }
