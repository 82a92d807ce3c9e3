package trustlyrest_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustlyrest"
	"github.com/paybridge/paybridge/provider/trustlyrest/trustlyrestsim"
)

// A CreateMandate hook that replaces the Recurrence to describe a schedule would drop the
// recurringAmount MaxAmount set, and with it the cap every Charge enforces: it is refused,
// and so is one that raises the cap.
func TestMandateHookCannotChangeMaxAmount(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{}, nil)
	ctx := context.Background()
	for name, edit := range map[string]func(r *trustlyrest.Recurrence){
		"dropped": func(r *trustlyrest.Recurrence) {
			*r = trustlyrest.Recurrence{StartDate: r.StartDate, Frequency: 1, FrequencyUnitType: "Month"}
		},
		"raised": func(r *trustlyrest.Recurrence) { r.RecurringAmount = "5000.00" },
	} {
		req := e.mandateReq("plan-hook-" + name)
		req.BeforeSend = func(as func(any) bool) error {
			var r *trustlyrest.Recurrence
			if !as(&r) {
				return errors.New("no *Recurrence target")
			}
			edit(r)
			return nil
		}
		m, err := e.gw.CreateMandate(ctx, req)
		var pe *provider.Error
		if !errors.As(err, &pe) || pe.Code != provider.InvalidRequest || pe.Field != "MaxAmount" {
			t.Errorf("%s: CreateMandate = %+v, %v; want InvalidRequest on MaxAmount", name, m, err)
		}
	}
	// A schedule that leaves the cap alone is still sent.
	req := e.mandateReq("plan-hook-schedule")
	req.BeforeSend = func(as func(any) bool) error {
		var r *trustlyrest.Recurrence
		if as(&r) {
			r.Frequency, r.FrequencyUnitType = 1, "Month"
		}
		return nil
	}
	m, err := e.gw.CreateMandate(ctx, req)
	if err != nil || !m.MaxAmount.Equal(usd("50.00")) {
		t.Fatalf("CreateMandate with a schedule = %+v, %v", m, err)
	}
}

// stripRecurrence removes every "recurrence" member from the JSON answers of GET requests
// while on is set, as a Trustly that does not echo a mandate's recurrence would.
type stripRecurrence struct {
	on   atomic.Bool
	next http.RoundTripper
}

func (s *stripRecurrence) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := s.next.RoundTrip(r)
	if err != nil || r.Method != http.MethodGet || !s.on.Load() {
		return resp, err
	}
	return rewriteObjects(resp, func(o map[string]any) { delete(o, "recurrence") })
}

// A mandate made with a MaxAmount whose recurringAmount Trustly no longer shows is not
// charged: the cap cannot be checked, and charging without it fails open.
func TestChargeRefusedWhenCapCannotBeReadBack(t *testing.T) {
	strip := &stripRecurrence{next: http.DefaultTransport}
	e := newEnv(t, trustlyrestsim.Options{}, func(c *trustlyrest.Config) { c.HTTPClient = &http.Client{Transport: strip} })
	ctx := context.Background()
	m := e.approvedMandate("plan-cap")
	strip.on.Store(true)
	got, err := e.gw.GetMandate(ctx, m.ID)
	if err != nil || !got.MaxAmount.IsZero() {
		t.Fatalf("with the recurrence stripped, GetMandate = %+v, %v; want no MaxAmount", got, err)
	}
	p, err := e.gw.Charge(ctx, paybridge.ChargeRequest{MandateID: m.ID, Amount: usd("500.00"), MerchantReference: "big-1"})
	var pe *provider.Error
	if !errors.As(err, &pe) || pe.Code != provider.InvalidRequest || pe.Field != "MandateID" || !strings.Contains(pe.Message, "MaxAmount") {
		t.Fatalf("Charge of 500.00 under a 50.00 cap that cannot be read = %+v, %v; want InvalidRequest on MandateID", p, err)
	}
	// Read back again, the cap is enforced as before.
	strip.on.Store(false)
	if _, err := e.gw.Charge(ctx, paybridge.ChargeRequest{MandateID: m.ID, Amount: usd("500.00"), MerchantReference: "big-2"}); provider.CodeOf(err) != provider.InvalidRequest {
		t.Errorf("Charge beyond the cap = %v", err)
	}
}
