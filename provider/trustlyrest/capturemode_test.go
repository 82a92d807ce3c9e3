package trustlyrest_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/provider/trustlyrest"
	"github.com/paybridge/paybridge/provider/trustlyrest/trustlyrestsim"
)

// TestUncertainPayFoundWhateverTheCaptureMode: instances sharing a journal may capture
// differently (Config.Capture) while a configuration change rolls out, and a Pay's
// merchantReference says which mode made it (ManualPaymentReference). A Pay whose answer
// was lost on an instance capturing manually, repeated on one capturing automatically,
// must find the payment the first attempt established, not take "no payment with my
// reference" for proof that there is none and establish a second one.
func TestUncertainPayFoundWhateverTheCaptureMode(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{}, nil)
	ctx := context.Background()
	j := journal.NewMemory()
	gateway := func(mode trustlyrest.CaptureMode) *paybridge.Gateway {
		cfg := e.sim.Config()
		cfg.Capture, cfg.SettlePeriod = mode, time.Nanosecond // the look-ups below come after any late request
		c, err := trustlyrest.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return paybridge.New(c, paybridge.WithJournal(j), paybridge.WithRetry(paybridge.NoRetry))
	}
	manual, automatic := gateway(trustlyrest.CaptureManual), gateway(trustlyrest.CaptureAutomatic)
	req := e.payReq("12.00")
	req.IdempotencyKey = "pay-mode-1"
	e.sim.DropNextWrite(1)
	if _, err := manual.Pay(ctx, req); !errors.Is(err, paybridge.ErrUnknownOutcome) {
		t.Fatalf("Pay with a lost answer: %v; want ErrUnknownOutcome", err)
	}
	p, err := automatic.Pay(ctx, req)
	if err != nil {
		t.Fatalf("the Pay repeated on the other instance: %v", err)
	}
	var established []*trustlyrest.Transaction
	for tx, err := range e.client.Transactions(ctx, trustlyrest.TransactionFilter{Types: []int{1}}) {
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(tx.MerchantReference, req.MerchantReference+".") {
			established = append(established, tx)
		}
	}
	if len(established) != 1 || p.ID != established[0].ID {
		t.Fatalf("the repeat returned %s; %d payments established for the order (want 1, the first attempt's)", p.ID, len(established))
	}
}
