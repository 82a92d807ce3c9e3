package trustly_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider/trustly/trustlysim"
)

// TestLedger: the neutral ledger lists a deposit, a charge, a refund, a payout and a fee
// row with their kinds and signed amounts, keeps to the times asked for, and carries a
// planted row no call made (the discrepancy a reconciliation must find).
func TestLedger(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	start := time.Now().Add(-time.Second)
	p, err := e.gw.Pay(ctx, e.payment("ledger-pay"))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.sim.EndUser().Approve(ctx, p.RedirectURL); err != nil {
		t.Fatal(err)
	}
	if _, err := e.gw.Refund(ctx, paybridge.RefundRequest{PaymentID: p.ID, Amount: money.MustNew("2.50", "EUR"), MerchantReference: "ledger-ref"}); err != nil {
		t.Fatal(err)
	}
	m := e.activeMandate(t, "ledger-mandate")
	ch, err := e.gw.Charge(ctx, e.chargeRequest(m.ID, "ledger-charge"))
	if err != nil {
		t.Fatal(err)
	}
	holder := paybridge.Person{ID: "u-l", FirstName: "Ada", LastName: "Lovelace", Country: "SE", Locale: "sv_SE"}
	v, err := e.gw.VerifyAccount(ctx, paybridge.VerifyAccountRequest{Holder: holder, Account: paybridge.BankAccount{IBAN: trustlysim.TestIBAN}})
	if err != nil {
		t.Fatal(err)
	}
	po, err := e.gw.Payout(ctx, paybridge.PayoutRequest{Amount: money.MustNew("1.00", "EUR"), AccountID: v.AccountID, Payee: holder,
		MerchantReference: "ledger-po", Description: "Shop", NotificationURL: e.notifyURL()})
	if err != nil {
		t.Fatal(err)
	}
	fee := money.MustNew("-0.35", "EUR")
	if err := e.sim.PlantLedgerRow(e.creds.Username, trustlysim.LedgerRow{OrderID: p.ID, MessageID: "ledger-pay",
		AccountName: "TRANSACTION_FEE_BANK_DEPOSIT", TransactionType: "Fee", Amount: fee}); err != nil {
		t.Fatal(err)
	}
	// Outside the times asked for: the day before.
	if err := e.sim.PlantLedgerRow(e.creds.Username, trustlysim.LedgerRow{OrderID: "1", MessageID: "old", TransactionType: "Deposit",
		Amount: money.MustNew("9.00", "EUR"), At: start.Add(-24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	// A movement no call of the merchant made.
	if err := e.sim.PlantLedgerRow(e.creds.Username, trustlysim.LedgerRow{OrderID: "4242", MessageID: "planted",
		TransactionType: "Adjustment", Amount: money.MustNew("3.00", "EUR")}); err != nil {
		t.Fatal(err)
	}
	end := time.Now().Add(time.Second)
	entries, err := collect(e.gw.Ledger(ctx, paybridge.LedgerRequest{From: start, To: end, Currency: money.MustCurrency("EUR")}))
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		kind     paybridge.LedgerKind
		id, ref  string
		amount   string
		provKind string
	}
	var got []row
	for _, le := range entries {
		if le.Time.Before(start) || !le.Time.Before(end) {
			t.Errorf("entry at %v is outside [%v, %v)", le.Time, start, end)
		}
		got = append(got, row{le.Kind, le.ProviderID, le.Reference, le.Amount.String(), le.ProviderKind})
	}
	want := []row{
		{paybridge.LedgerPayment, p.ID, "ledger-pay", money.MustNew("12.50", "EUR").String(), "Deposit"},
		{paybridge.LedgerRefund, p.ID, "ledger-pay", money.MustNew("-2.50", "EUR").String(), "Refund"},
		{paybridge.LedgerPayment, ch.ID, "ledger-charge", money.MustNew("7.25", "EUR").String(), "Charge"},
		{paybridge.LedgerPayout, po.ID, "ledger-po", money.MustNew("-1.00", "EUR").String(), "AccountPayout"},
		{paybridge.LedgerFee, p.ID, "ledger-pay", fee.String(), "TRANSACTION_FEE_BANK_DEPOSIT"},
		{paybridge.LedgerOther, "4242", "planted", money.MustNew("3.00", "EUR").String(), "Adjustment"},
	}
	if len(got) != len(want) {
		t.Fatalf("ledger = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("entry %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	_, err = collect(e.gw.Ledger(ctx, paybridge.LedgerRequest{From: end, To: start}))
	if !errors.Is(err, paybridge.ErrInvalidRequest) {
		t.Errorf("a ledger ending before it starts: %v", err)
	}
}
