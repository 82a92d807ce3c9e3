package chaosproc_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/chaos/chaostest"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/simkit"
	"github.com/paybridge/paybridge/provider/trustly"
	"github.com/paybridge/paybridge/provider/trustly/trustlysim"
	"github.com/paybridge/paybridge/secret"
)

// TestChaosProcTrustlyRefund runs testRefund on the Trustly JSON-RPC adapter, with the
// signed-answer request fault mix: credited deposits, refunded four times each. Trustly
// reports a refund with a payoutconfirmation on the deposit's order, which the adapter
// reads as the refund's through the journal.
func TestChaosProcTrustlyRefund(t *testing.T) { testRefund(t, startTrustly) }

// TestChaosProcTrustlyPayout runs testPayout on the Trustly JSON-RPC adapter, with the
// signed-answer request fault mix: registered accounts, paid out to 20 times each.
func TestChaosProcTrustlyPayout(t *testing.T) { testPayout(t, startTrustly) }

// The environment a worker makes the Trustly JSON-RPC adapter from.
const (
	envTrustlyAPIURL          = "PAYBRIDGE_CHAOSPROC_TRUSTLY_API_URL"
	envTrustlyUsername        = "PAYBRIDGE_CHAOSPROC_TRUSTLY_USERNAME"
	envTrustlyPassword        = "PAYBRIDGE_CHAOSPROC_TRUSTLY_PASSWORD"
	envTrustlyPrivateKey      = "PAYBRIDGE_CHAOSPROC_TRUSTLY_PRIVATE_KEY" // PEM
	envTrustlyPublicKey       = "PAYBRIDGE_CHAOSPROC_TRUSTLY_PUBLIC_KEY"  // Trustly's (the simulator's), PEM
	envTrustlyNotificationURL = "PAYBRIDGE_CHAOSPROC_TRUSTLY_NOTIFICATION_URL"
)

// trustlyMerchant is the simulator's merchant: its username and the journal scope
// "trustly/<username>" are those of every Gateway of a test.
const trustlyMerchant = "chaos-merchant"

// trustlyPayer is the end user of the deposits and the owner of the accounts paid out to.
var trustlyPayer = paybridge.Person{ID: "enduser-7", FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com",
	Country: "SE", Locale: "sv_SE"}

func trustlyFromEnv() (provider.Provider, error) {
	c, err := trustly.New(trustly.Config{Username: os.Getenv(envTrustlyUsername), Password: secret.New(os.Getenv(envTrustlyPassword)),
		PrivateKey: secret.New(os.Getenv(envTrustlyPrivateKey)), BaseURL: os.Getenv(envTrustlyAPIURL),
		TrustlyPublicKey: []byte(os.Getenv(envTrustlyPublicKey)), NotificationURL: os.Getenv(envTrustlyNotificationURL),
		HTTPClient: chaostest.Client(), ShopperStatement: "Chaos test"})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// trustlySim is the Trustly JSON-RPC simulator with one merchant, whose calls name the
// application's receiver as their NotificationURL.
type trustlySim struct {
	s     *trustlysim.Server
	creds trustlysim.Credentials
	// notifyURL is the application's receiver.
	notifyURL string
}

func startTrustly(t *testing.T) *env {
	t.Helper()
	e := newEnv(t, trustly.Name, money.MustCurrency("EUR"))
	// Refunds execute by themselves, a millisecond after they are accepted (the deposits
	// are settled), each reported by a payoutconfirmation.
	s, err := trustlysim.Start(trustlysim.Options{AllowLoopbackHTTP: true, RefundDelay: time.Millisecond,
		Options: simkit.Options{RetryBase: 10 * time.Millisecond, RetryMax: 250 * time.Millisecond, MaxAttempts: 1_000_000}})
	if err != nil {
		t.Fatal(err)
	}
	creds, err := s.NewMerchant(trustlyMerchant)
	if err != nil {
		s.Close()
		t.Fatal(err)
	}
	c, err := trustly.New(trustly.Config{Username: creds.Username, Password: creds.Password, PrivateKey: creds.PrivateKey,
		BaseURL: s.APIURL(), TrustlyPublicKey: s.PublicKeyPEM(), HTTPClient: chaostest.Client(), ShopperStatement: "Chaos test"})
	if err != nil {
		s.Close()
		t.Fatal(err)
	}
	e.attach(t, c, s.Close)
	e.sim = trustlySim{s: s, creds: creds, notifyURL: e.rec.URL()}
	return e
}

func (r trustlySim) workerEnv() []string {
	return []string{envTrustlyAPIURL + "=" + r.s.APIURL(), envTrustlyUsername + "=" + r.creds.Username,
		envTrustlyPassword + "=" + r.creds.Password.Reveal(), envTrustlyPrivateKey + "=" + r.creds.PrivateKey.Reveal(),
		envTrustlyPublicKey + "=" + string(r.s.PublicKeyPEM()), envTrustlyNotificationURL + "=" + r.notifyURL}
}

// payments makes n deposits of 400.00 (enough for four refunds), each approved by the end
// user (the bank confirms at once: the deposit is credited and settled).
func (r trustlySim) payments(t *testing.T, e *env, n int) []string {
	t.Helper()
	ids := make([]string, n)
	chaostest.Run(t, n, chaostest.Options{}, func(ctx context.Context, i int) (string, error) {
		key := fmt.Sprintf("pay-%d", i)
		p, err := e.gw.Pay(ctx, paybridge.PaymentRequest{Amount: money.FromMinorCurrency(400_00, e.currency),
			MerchantReference: fmt.Sprintf("order-%d", i), ReturnURL: "https://shop.example/return", NotificationURL: r.notifyURL,
			Payer: trustlyPayer, IdempotencyKey: key})
		if err != nil {
			return key, err
		}
		ids[i] = p.ID
		if err := r.s.CompleteOrder(p.ID, trustlysim.ActionApprove); err != nil {
			t.Errorf("order-%d: approving deposit %s: %v", i, p.ID, err)
		}
		return key, nil
	})
	if t.Failed() {
		t.FailNow()
	}
	e.waitStates(t, "payment/", ids, notify.PaymentSucceeded)
	return ids
}

// accounts registers n accounts (RegisterAccount: no notification, the account id comes
// in the answer).
func (r trustlySim) accounts(t *testing.T, e *env, n int) []string {
	t.Helper()
	ids := make([]string, n)
	chaostest.Run(t, n, chaostest.Options{}, func(ctx context.Context, i int) (string, error) {
		key := fmt.Sprintf("account-%d", i)
		v, err := e.gw.VerifyAccount(ctx, paybridge.VerifyAccountRequest{Holder: trustlyPayer,
			Account: paybridge.BankAccount{HolderName: "Ada Lovelace", Country: "SE", IBAN: trustlysim.TestIBAN}, IdempotencyKey: key})
		if err != nil {
			return key, err
		}
		if v.AccountID == "" {
			t.Errorf("account-%d: the registered account has no id", i)
		}
		ids[i] = v.AccountID
		return key, nil
	})
	if t.Failed() {
		t.FailNow()
	}
	return ids
}

func (r trustlySim) chaos(seed int64) (float64, error) {
	req := chaostest.SignedAnswers
	req.DelayBy = chaostest.DelayBy
	return req.Total(), r.s.SetChaos(simkit.Chaos{Seed: seed, Requests: req, Notifications: chaostest.Deliveries})
}

// movements returns the refunds, on the deposits' orders, by their ExternalReference (the
// refund's own id, its request's UUID, is not in the ledger), or the payouts, orders of
// their own, by their MessageID.
func (r trustlySim) movements(op provider.Operation) []movement {
	var out []movement
	for _, m := range r.s.Movements() {
		switch {
		case op == provider.OpRefund && m.Kind == "Refund":
			out = append(out, movement{ref: m.Reference, amount: m.Amount, order: m.ID})
		case op == provider.OpPayout && m.Kind == "AccountPayout":
			out = append(out, movement{ref: m.Reference, amount: m.Amount, id: m.ID, order: m.ID})
		}
	}
	return out
}

func (r trustlySim) deliveries() []delivery {
	ds := r.s.Deliveries()
	out := make([]delivery, len(ds))
	for i, d := range ds {
		out[i] = delivery{id: d.EventID, order: d.ObjectID, what: d.Event, attempts: d.Attempts, lastStatus: d.LastStatus,
			acknowledged: d.Acknowledged}
	}
	return out
}

func (r trustlySim) requestFaults() simkit.FaultCounts { return r.s.ChaosCounts().Requests }
