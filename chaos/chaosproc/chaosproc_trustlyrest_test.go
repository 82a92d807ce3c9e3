package chaosproc_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/chaos/chaostest"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/simkit"
	"github.com/paybridge/paybridge/provider/trustlyrest"
	"github.com/paybridge/paybridge/provider/trustlyrest/trustlyrestsim"
	"github.com/paybridge/paybridge/secret"
)

// TestChaosProcTrustlyRESTRefund runs testRefund on the Trustly REST adapter, with the
// plain-answer request fault mix: captured payments, refunded four times each.
func TestChaosProcTrustlyRESTRefund(t *testing.T) { testRefund(t, startTrustlyREST) }

// TestChaosProcTrustlyRESTPayout runs testPayout on the Trustly REST adapter, with the
// plain-answer request fault mix: accounts verified interactively, paid out to 20 times
// each.
func TestChaosProcTrustlyRESTPayout(t *testing.T) { testPayout(t, startTrustlyREST) }

// The environment a worker makes the Trustly REST adapter from.
const (
	envRESTURL        = "PAYBRIDGE_CHAOSPROC_TRUSTLYREST_URL"
	envRESTAccessID   = "PAYBRIDGE_CHAOSPROC_TRUSTLYREST_ACCESS_ID"
	envRESTAccessKey  = "PAYBRIDGE_CHAOSPROC_TRUSTLYREST_ACCESS_KEY"
	envRESTMerchantID = "PAYBRIDGE_CHAOSPROC_TRUSTLYREST_MERCHANT_ID"
)

// settlePeriod is the Trustly REST adapter's SettlePeriod in these tests. A refund or
// payout whose answer was lost, or whose worker was killed after sending it, is looked up
// by its merchantReference when repeated; "not found" proves it was never applied only
// once the simulator can no longer be processing it. The simulator applies a request as
// it arrives — a faulty answer (a delayed one included) comes only after — and a request
// on loopback arrives within milliseconds, so 3s is well above any time a request can
// spend in flight, while short enough that uncertain calls settle within the run.
const settlePeriod = 3 * time.Second

var trustlyRESTPayer = trustlyrestsim.TestPayer

func trustlyRESTFromEnv() (provider.Provider, error) {
	c, err := trustlyrest.New(trustlyrest.Config{AccessID: os.Getenv(envRESTAccessID), AccessKey: secret.New(os.Getenv(envRESTAccessKey)),
		MerchantID: os.Getenv(envRESTMerchantID), BaseURL: os.Getenv(envRESTURL), HTTPClient: chaostest.Client(), SettlePeriod: settlePeriod})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// trustlyRESTSim is the Trustly REST simulator; it sends notifications to the
// application's receiver.
type trustlyRESTSim struct{ s *trustlyrestsim.Server }

func startTrustlyREST(t *testing.T) *env {
	t.Helper()
	e := newEnv(t, trustlyrest.Name, money.MustCurrency("USD"))
	s, err := trustlyrestsim.Start(trustlyrestsim.Options{SettleDelay: time.Millisecond,
		Options: simkit.Options{RetryBase: 10 * time.Millisecond, RetryMax: 250 * time.Millisecond, MaxAttempts: 1_000_000}})
	if err != nil {
		t.Fatal(err)
	}
	cfg := s.Config()
	cfg.HTTPClient = chaostest.Client()
	cfg.SettlePeriod = settlePeriod
	c, err := trustlyrest.New(cfg)
	if err != nil {
		s.Close()
		t.Fatal(err)
	}
	e.attach(t, c, s.Close)
	s.SetNotificationURL(e.rec.URL())
	e.sim = trustlyRESTSim{s: s}
	return e
}

func (r trustlyRESTSim) workerEnv() []string {
	return []string{envRESTURL + "=" + r.s.APIURL(), envRESTAccessID + "=" + r.s.AccessID(), envRESTAccessKey + "=" + r.s.AccessKey(),
		envRESTMerchantID + "=" + r.s.MerchantID()}
}

// payments pays and captures n payments of 400.00 (enough for four refunds), each
// approved on its hosted page.
func (r trustlyRESTSim) payments(t *testing.T, e *env, n int) []string {
	t.Helper()
	ids := make([]string, n)
	chaostest.Run(t, n, chaostest.Options{}, func(ctx context.Context, i int) (string, error) {
		key := fmt.Sprintf("pay-%d", i)
		p, err := e.gw.Pay(ctx, paybridge.PaymentRequest{Amount: money.FromMinorCurrency(400_00, e.currency),
			MerchantReference: fmt.Sprintf("order-%d", i), Description: "Chaos order", ReturnURL: "https://shop.example/return",
			Payer: trustlyRESTPayer, IdempotencyKey: key})
		if err != nil {
			return key, err
		}
		ids[i] = p.ID
		if err := r.s.CompletePage(p.ID, "approve"); err != nil {
			t.Errorf("order-%d: approving payment %s: %v", i, p.ID, err)
		}
		return key, nil
	})
	if t.Failed() {
		t.FailNow()
	}
	e.waitStates(t, "payment/", ids, notify.PaymentSucceeded)
	return ids
}

// accounts verifies n accounts, each on its hosted page.
func (r trustlyRESTSim) accounts(t *testing.T, e *env, n int) []string {
	t.Helper()
	ids := make([]string, n)
	chaostest.Run(t, n, chaostest.Options{}, func(ctx context.Context, i int) (string, error) {
		key := fmt.Sprintf("account-%d", i)
		v, err := e.gw.VerifyAccount(ctx, paybridge.VerifyAccountRequest{Holder: trustlyRESTPayer, Currency: e.currency,
			ReturnURL: "https://shop.example/accounts", IdempotencyKey: key})
		if err != nil {
			return key, err
		}
		ids[i] = v.ID
		if err := r.s.CompletePage(v.ID, "approve"); err != nil {
			t.Errorf("account-%d: approving verification %s: %v", i, v.ID, err)
		}
		return key, nil
	})
	if t.Failed() {
		t.FailNow()
	}
	e.waitStates(t, "account/", ids, notify.AccountVerified)
	return ids
}

func (r trustlyRESTSim) chaos(seed int64) (float64, error) {
	req := chaostest.PlainAnswers
	req.DelayBy = chaostest.DelayBy
	return req.Total(), r.s.SetChaos(simkit.Chaos{Seed: seed, Requests: req, Notifications: chaostest.Deliveries})
}

// movements returns the refunds or the payouts (deposits to the payee's account): both
// are transactions, which their notifications name, and their merchantReference is the
// caller's followed by ".pb" and a digest of the key.
func (r trustlyRESTSim) movements(op provider.Operation) []movement {
	kind := map[provider.Operation]string{provider.OpRefund: "Refund", provider.OpPayout: "Deposit"}[op]
	var out []movement
	for _, m := range r.s.Movements() {
		if m.Kind == kind {
			ref, _, _ := strings.Cut(m.Reference, ".pb")
			out = append(out, movement{ref: ref, amount: m.Amount, id: m.ID, order: m.ID})
		}
	}
	return out
}

func (r trustlyRESTSim) deliveries() []delivery {
	ds := r.s.Deliveries()
	out := make([]delivery, len(ds))
	for i, d := range ds {
		out[i] = delivery{id: d.EventID, order: d.ObjectID, what: d.Event, attempts: d.Attempts,
			lastStatus: d.LastStatus, acknowledged: d.Acknowledged}
	}
	return out
}

func (r trustlyRESTSim) requestFaults() simkit.FaultCounts { return r.s.ChaosCounts().Requests }
