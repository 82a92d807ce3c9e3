package conformance

import (
	"context"
	"errors"
	"reflect"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/provider"
)

// stranger is a type no adapter knows: As must never set a target of it.
type stranger struct{}

// Error makes *stranger an error, so that errors.As accepts a **stranger target.
func (*stranger) Error() string { return "conformance: stranger" }

// asScenario checks Gateway.As and errors.As against what every adapter must do and what
// Harness.As declares. Each target is zeroed before it is tried, so that only a value set
// by that call counts.
func asScenario(ctx context.Context, t T, s *suite) {
	gw := s.gw
	if gw.As(nil) {
		t.Error("Gateway.As(nil) reported true")
	}
	var odd *stranger
	if gw.As(&odd) || odd != nil {
		t.Error("Gateway.As set a target of a type the adapter does not know")
	}
	var p provider.Provider
	if !gw.As(&p) || p == nil || p.Name() != gw.Provider() {
		t.Errorf("Gateway.As(*provider.Provider) = %v, want the adapter named %q", p, gw.Provider())
	}
	for i, target := range s.h.As.Gateway {
		v := asTarget(t, "Harness.As.Gateway", i, target, false)
		if !gw.As(target) {
			t.Errorf("Gateway.As(%T) reported false", target)
		} else if v.IsZero() {
			t.Errorf("Gateway.As(%T) reported true but left the target zero", target)
		}
	}

	refusals := s.refusals(ctx, t)
	if len(refusals) == 0 {
		t.Log("no provider refusal to check errors.As with: the harness has no bad credentials and GetPayment is not supported")
	}
	for what, err := range refusals {
		var pe *paybridge.Error
		if !errors.As(err, &pe) || pe.Provider != gw.Provider() {
			t.Errorf("%s: errors.As did not reach a *paybridge.Error of %s in %v", what, gw.Provider(), err)
		}
		var ae *provider.Error
		if !errors.As(err, &ae) || ae == nil {
			t.Errorf("%s: errors.As did not reach the adapter's *provider.Error in %v", what, err)
		}
		odd = nil
		if errors.As(err, &odd) || odd != nil {
			t.Errorf("%s: errors.As set a target of a type the adapter does not know from %v", what, err)
		}
		for i, target := range s.h.As.Error {
			v := asTarget(t, "Harness.As.Error", i, target, true)
			if !errors.As(err, target) {
				t.Errorf("%s: errors.As(%T) reported false for %v", what, target, err)
			} else if v.IsZero() {
				t.Errorf("%s: errors.As(%T) reported true but left the target zero", what, target)
			}
		}
	}
	t.Logf("%d Gateway targets and %d error targets checked against %d refusals",
		len(s.h.As.Gateway), len(s.h.As.Error), len(refusals))
}

// asTarget checks that target is a non-nil pointer (to an error or interface type, for
// errors.As), zeroes what it points to and returns that.
func asTarget(t T, field string, i int, target any, forErrors bool) reflect.Value {
	t.Helper()
	rv := reflect.ValueOf(target)
	if !rv.IsValid() || rv.Kind() != reflect.Pointer || rv.IsNil() {
		t.Fatalf("%s[%d] is %T, want a non-nil pointer such as new(*Client)", field, i, target)
	}
	elem := rv.Elem()
	errorType := reflect.TypeFor[error]()
	if forErrors && elem.Kind() != reflect.Interface && !elem.Type().Implements(errorType) {
		t.Fatalf("%s[%d] is %T, whose element type neither implements error nor is an interface", field, i, target)
	}
	elem.SetZero()
	return elem
}

// refusals returns errors the provider itself sent back through a Gateway: wrong
// credentials refused, and an unknown payment id, where the harness and the provider allow.
func (s *suite) refusals(ctx context.Context, t T) map[string]error {
	out := map[string]error{}
	if s.h.NewGatewayBadCredentials != nil {
		gw := s.h.NewGatewayBadCredentials(ctx, t, s.opts...)
		defer gw.Close()
		_, err := gw.Pay(ctx, s.paymentRequest(t, "1.00"))
		expectCode(t, s, err, paybridge.ErrUnauthenticated)
		out["Pay with wrong credentials"] = err
	}
	if s.caps.Supports(paybridge.OpGetPayment) {
		_, err := s.gw.GetPayment(ctx, "999999999999") // numeric, as in GetPaymentNotFound
		expectCode(t, s, err, paybridge.ErrNotFound)
		out["GetPayment of an unknown id"] = err
	}
	return out
}
