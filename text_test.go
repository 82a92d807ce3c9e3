package paybridge_test

import (
	"context"
	"strings"
	"testing"

	"github.com/paybridge/paybridge"
)

// Text that would not reach the provider as the caller wrote it is refused by the field's
// name before anything is sent: bytes that are not UTF-8 (encoding/json replaces them with
// U+FFFD, and a signature over the raw bytes no longer matches the body) and control
// characters (NUL, line breaks in a name, C1 controls). Free text a person reads
// (Description, Reason) may hold tabs and line breaks.
func TestTextThatWouldChangeOnTheWireIsRefused(t *testing.T) {
	ctx := context.Background()
	f, gw := newFake(okPayment)

	req := validRequest()
	req.Description = "Order 1\n\tTwo items"
	req.Payer = paybridge.Person{FirstName: "Zoë", LastName: "Ñúñez"}
	if _, err := gw.Pay(ctx, req); err != nil {
		t.Fatalf("valid text was refused: %v", err)
	}

	req = validRequest()
	req.Description = "Order 1\x00"
	req.Payer = paybridge.Person{FirstName: "Ad\xffa", LastName: "Love\nlace", NationalID: "19\u00850101",
		Address: &paybridge.Address{Line1: "1 High St\r", City: "Lon\x1bdon"}}
	req.Metadata = map[string]string{"note": "a\xc3"}
	req.CustomerID = "c\x7f"
	_, err := gw.Pay(ctx, req)
	expectFieldsNamed(t, err, "Description", "Payer.FirstName", "Payer.LastName", "Payer.NationalID",
		"Payer.Address.Line1", "Payer.Address.City", "Metadata", "CustomerID")
	if f.calls.Load() != 1 {
		t.Fatalf("the adapter was called %d times; want only the valid Pay", f.calls.Load())
	}

	// A Metadata problem says whether a key or a value is at fault.
	req = validRequest()
	req.Metadata = map[string]string{"a\tb": "v"}
	_, err = gw.Pay(ctx, req)
	expectFieldsNamed(t, err, "Metadata")
	if pe := err.(*paybridge.Error); !strings.HasPrefix(pe.Fields[0].Problem, "keys must not contain control characters") {
		t.Errorf("a key with a tab: %q", pe.Fields[0].Problem)
	}
	req.Metadata = map[string]string{"note": "line 1\nline 2\x00"}
	_, err = gw.Pay(ctx, req)
	if pe, ok := err.(*paybridge.Error); !ok || len(pe.Fields) != 1 || !strings.HasPrefix(pe.Fields[0].Problem, "values must not contain control characters other than") {
		t.Errorf("a value with a NUL: %v", err)
	}

	// A field the struct tags already refuse is named once.
	req = validRequest()
	req.MerchantReference = "order\n1"
	_, err = gw.Pay(ctx, req)
	expectFieldsNamed(t, err, "MerchantReference")

	// An id given as an argument follows the same rule.
	_, err = gw.GetPayment(ctx, "p1\n")
	expectFieldsNamed(t, err, "id")
	if f.calls.Load() != 1 {
		t.Fatalf("the adapter was called %d times; want only the valid Pay", f.calls.Load())
	}
}
