package trustly_test

import (
	"context"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider/simkit"
	"github.com/paybridge/paybridge/provider/trustly"
	"github.com/paybridge/paybridge/provider/trustly/trustlysim"
)

// With Lean KYC, the account notification of an account the holder selected names the
// holder, and the application receives it as the event's Identity and as typed data.
func TestLeanKYCAccountNotification(t *testing.T) {
	e := newEnvSim(t, paybridge.DefaultRetryPolicy, trustlysim.Options{Options: simkit.Options{RetryBase: 2 * time.Millisecond, RetryMax: 20 * time.Millisecond},
		AllowLoopbackHTTP: true, LeanKYC: true})
	ctx := context.Background()
	holder := paybridge.Person{ID: "u-8", FirstName: "Ada", LastName: "Lovelace", Country: "SE", Locale: "sv_SE",
		NationalID: "19651217-1957"}
	v, err := e.gw.VerifyAccount(ctx, paybridge.VerifyAccountRequest{Holder: holder, ReturnURL: "https://shop.example.com/r",
		NotificationURL: e.notifyURL()})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.sim.EndUser().Approve(ctx, v.RedirectURL); err != nil {
		t.Fatal(err)
	}
	evs := e.waitEvents(t, func(evs []notify.Event) bool { return len(evs) == 1 })
	ev := evs[0]
	if ev.Kind != notify.AccountVerified || ev.VerificationID != v.ID || ev.Identity == nil {
		t.Fatalf("event %+v", ev)
	}
	if id := *ev.Identity; id.Name != "Ada Lovelace" || id.NationalID != "SE196512171957" || id.Street == "" || id.PostalCode == "" || id.City == "" {
		t.Fatalf("holder %+v", id)
	}
	var data *trustly.NotificationData
	if !ev.As(&data) || data.Holder == nil || *data.Holder != *ev.Identity || data.LastDigits == "" || data.Bank == "" {
		t.Fatalf("notification data %+v", data)
	}
}
