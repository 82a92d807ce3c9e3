package paybridge

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/provider"
)

// requestTypes are the request types the Gateway validates (checkStruct), as pointers to
// their zero values.
func requestTypes() []any {
	return []any{
		&provider.PaymentRequest{}, &provider.RefundRequest{}, &provider.PayoutRequest{},
		&provider.VerifyAccountRequest{}, &provider.CaptureRequest{}, &provider.VoidRequest{},
		&provider.MandateRequest{}, &provider.ChargeRequest{}, &provider.CancelMandateRequest{},
		&provider.Customer{}, &provider.CustomerUpdate{}, &provider.ListCustomersRequest{},
		&provider.LedgerRequest{},
	}
}

// The Metadata limits hold for every request that carries Metadata, whichever call takes
// it: the rule sits in the check every request goes through, not in each call, so a request
// type that gains Metadata is held to it without more code.
func TestMetadataLimitsHoldForEveryRequestWithMetadata(t *testing.T) {
	g := &Gateway{validate: newValidator()}
	var found []string
	for _, req := range requestTypes() {
		rt := reflect.TypeOf(req).Elem()
		for i := range rt.NumField() {
			sf := rt.Field(i)
			if sf.Type != reflect.TypeFor[map[string]string]() {
				continue
			}
			name := rt.Name() + "." + sf.Name
			found = append(found, name)
			check := func(md map[string]string) []FieldError {
				v := reflect.New(rt)
				v.Elem().Field(i).Set(reflect.ValueOf(md))
				var out []FieldError
				for _, fe := range g.checkStruct(v.Interface()) {
					if fe.Field == sf.Name {
						out = append(out, fe)
					}
				}
				return out
			}
			if fes := check(map[string]string{strings.Repeat("k", 40): strings.Repeat("v", 500), "a": ""}); len(fes) != 0 {
				t.Errorf("%s: a 40-byte key and a 500-byte value were refused: %v", name, fes)
			}
			many := map[string]string{}
			for i := range 21 {
				many[fmt.Sprint("k", i)] = "v"
			}
			if fes := check(many); len(fes) != 1 || !strings.Contains(fes[0].Problem, "at most 20") {
				t.Errorf("%s with 21 entries: %v; want one problem naming the limit", name, fes)
			}
			delete(many, "k20")
			if fes := check(many); len(fes) != 0 {
				t.Errorf("%s with 20 entries: %v", name, fes)
			}
			for what, md := range map[string]map[string]string{
				"an empty key":        {"": "v"},
				"a 41-byte key":       {strings.Repeat("k", 41): "v"},
				"a 501-byte value":    {"k": strings.Repeat("v", 501)},
				"a 41-byte UTF-8 key": {strings.Repeat("é", 20) + "k": "v"},
			} {
				fes := check(md)
				if len(fes) != 1 || !strings.Contains(fes[0].Problem, "40 bytes") {
					t.Errorf("%s with %s: %v; want one problem naming the limits", name, what, fes)
				}
			}
		}
	}
	// The number of entries (the field's tag), the sizes and the text are separate rules:
	// a map that breaks all three is refused for each, so that one fix does not lead to
	// another refusal.
	md := map[string]string{strings.Repeat("k", 41): "v", "tab\t": "v"}
	for i := range 20 {
		md[fmt.Sprint("k", i)] = "v"
	}
	var got []string
	for _, fe := range g.checkStruct(&provider.PaymentRequest{Metadata: md}) {
		if fe.Field == "Metadata" {
			got = append(got, fe.Problem)
		}
	}
	if len(got) != 3 || !strings.Contains(got[0], "at most 20") || !strings.Contains(got[1], "40 bytes") ||
		!strings.HasPrefix(got[2], "keys must not contain control characters") {
		t.Errorf("Metadata breaking every rule: %q; want the count, the sizes and the text", got)
	}

	// The request types that carry Metadata today; the loop above would hold a new one to
	// the limits too.
	want := []string{"PaymentRequest.Metadata", "RefundRequest.Metadata", "PayoutRequest.Metadata", "ChargeRequest.Metadata"}
	if !reflect.DeepEqual(found, want) {
		t.Errorf("request types with Metadata: %v; want %v", found, want)
	}
}
