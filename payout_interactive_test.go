package paybridge_test

import (
	"context"
	"errors"
	"testing"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
)

// payoutFake is a fake that also implements provider.Payouter and counts its payouts.
type payoutFake struct {
	*fake
	payouts []provider.PayoutRequest
}

func (f *payoutFake) Payout(_ context.Context, r *provider.PayoutRequest) (*provider.Payout, error) {
	f.calls.Add(1)
	f.payouts = append(f.payouts, *r)
	po := &provider.Payout{ID: "po-1", Status: provider.PayoutPending, Amount: r.Amount, AccountID: r.AccountID}
	if r.AccountID == "" {
		po.RedirectURL = "https://provider.example.com/withdraw/po-1"
	}
	return po, nil
}

func (f *payoutFake) GetPayout(context.Context, string) (*provider.Payout, error) {
	return nil, &provider.Error{Code: provider.NotFound, Message: "no such payout"}
}

func TestInteractivePayoutNeedsTheCapability(t *testing.T) {
	ctx := context.Background()
	gbp := money.MustNew("5.00", "GBP")
	interactive := paybridge.PayoutRequest{Amount: gbp, MerchantReference: "po-i", ReturnURL: "https://merchant.example.com/back",
		Payee: paybridge.Person{ID: "payee-1"}}

	without := &payoutFake{fake: &fake{}}
	gw := paybridge.New(without)
	if gw.Capabilities().Supports(paybridge.OpPayoutInteractive) {
		t.Fatal("a Payouter without InteractivePayouts offers payout_interactive")
	}
	_, err := gw.Payout(ctx, interactive)
	if !errors.Is(err, paybridge.ErrNotSupported) || without.calls.Load() != 0 {
		t.Fatalf("interactive payout without the capability: err %v after %d calls, want ErrNotSupported before sending", err, without.calls.Load())
	}
	// A payout to a known account still goes through.
	if _, err := gw.Payout(ctx, paybridge.PayoutRequest{Amount: gbp, MerchantReference: "po-a", AccountID: "acct-1"}); err != nil {
		t.Fatalf("payout to an account: %v", err)
	}

	with := &payoutFake{fake: &fake{caps: provider.Capabilities{InteractivePayouts: true}}}
	gw = paybridge.New(with)
	if !gw.Capabilities().Supports(paybridge.OpPayoutInteractive) {
		t.Fatal("InteractivePayouts does not offer payout_interactive")
	}
	po, err := gw.Payout(ctx, interactive)
	if err != nil || po.RedirectURL == "" || len(with.payouts) != 1 || with.payouts[0].ReturnURL != interactive.ReturnURL {
		t.Fatalf("interactive payout: %+v, %v; sent %+v", po, err, with.payouts)
	}
}

func TestInteractivePayoutFields(t *testing.T) {
	ctx := context.Background()
	gbp := money.MustNew("5.00", "GBP")
	f := &payoutFake{fake: &fake{caps: provider.Capabilities{InteractivePayouts: true}}}
	gw := paybridge.New(f)
	for name, tc := range map[string]struct {
		req   paybridge.PayoutRequest
		field string
	}{
		"neither account nor return URL": {paybridge.PayoutRequest{Amount: gbp, MerchantReference: "po-1"}, "AccountID"},
		"both account and return URL": {paybridge.PayoutRequest{Amount: gbp, MerchantReference: "po-2", AccountID: "acct-1",
			ReturnURL: "https://merchant.example.com/back"}, "ReturnURL"},
		"return URL not a URL": {paybridge.PayoutRequest{Amount: gbp, MerchantReference: "po-3", ReturnURL: "not a url"}, "ReturnURL"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := gw.Payout(ctx, tc.req)
			var pe *paybridge.Error
			if !errors.As(err, &pe) || pe.Code != paybridge.CodeInvalidRequest {
				t.Fatalf("got %v, want an InvalidRequest error", err)
			}
			found := false
			for _, fe := range pe.Fields {
				found = found || fe.Field == tc.field
			}
			if !found {
				t.Fatalf("error %v names fields %+v, want %s", err, pe.Fields, tc.field)
			}
		})
	}
	if f.calls.Load() != 0 {
		t.Fatalf("invalid payouts reached the adapter %d times", f.calls.Load())
	}
}

func TestInteractivePayoutsNeedAPayouter(t *testing.T) {
	err := provider.CheckCapabilities(&fake{caps: provider.Capabilities{InteractivePayouts: true}})
	if err == nil {
		t.Fatal("InteractivePayouts without a Payouter was accepted")
	}
}
