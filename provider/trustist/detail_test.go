package trustist_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider/trustist"
)

// The decoded payment Payment.As and Event.As reach holds the payer's details; printing
// or logging it shows only its id, status and amount.
func TestPaymentDetailPrintsNoPersonalData(t *testing.T) {
	p := trustist.Payment{ID: "pay-123", Status: "COMPLETE", Amount: money.MustNew("12.50", "GBP"),
		CustomerDetails: "Ada Lovelace", PayerEmail: "ada@example.com",
		Raw: json.RawMessage(`{"customerDetails":"Ada Lovelace","payerEmail":"ada@example.com"}`)}
	var outs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		outs = append(outs, fmt.Sprintf(verb, p), fmt.Sprintf(verb, &p))
	}
	var buf bytes.Buffer
	for _, v := range []any{&p, p} { // by pointer and by value
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("payment", "detail", v)
		slog.New(slog.NewTextHandler(&buf, nil)).Info("payment", "detail", v)
	}
	outs = append(outs, buf.String())
	for _, out := range outs {
		if strings.Contains(out, "Lovelace") || strings.Contains(out, "ada@") || strings.Contains(out, "416461") {
			t.Errorf("printed personal data: %s", out)
		}
	}
	if !strings.Contains(outs[0], "pay-123") || !strings.Contains(outs[0], "12.50 GBP") {
		t.Errorf("%%v = %s; want the id and amount", outs[0])
	}
}
