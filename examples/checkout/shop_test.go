package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/internal/testwait"
	"github.com/paybridge/paybridge/provider/trustlyrest"
)

// The tests share one shop with its three simulators (starting the Trustly simulator
// makes RSA keys, which is slow under the race detector). Each test works on orders of
// its own; none runs in parallel with another.
var shared struct {
	once sync.Once
	app  *app
	err  error
}

// TestMain stops the shared shop after the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if shared.app != nil {
		ctx, cancel := context.WithTimeout(context.Background(), testwait.Limit)
		if err := shared.app.Close(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "closing the shop:", err)
			code = 1
		}
		cancel()
	}
	os.Exit(code)
}

// startTestShop returns the shop running with the three simulators on loopback. Its log
// shows errors only: the tests provoke warnings (forged notifications, lost answers) on
// purpose.
func startTestShop(t *testing.T) *app {
	t.Helper()
	shared.once.Do(func() {
		log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
		shared.app, shared.err = start(context.Background(), config{addr: "127.0.0.1:0"}, log)
	})
	if shared.err != nil {
		t.Fatalf("starting the shop: %v", shared.err)
	}
	return shared.app
}

// buyer is an HTTP client that, like a test's browser, sees each redirect itself.
var buyer = &http.Client{
	Timeout:       testwait.Limit,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

type reply struct {
	status   int
	location string
	body     string
}

func do(t *testing.T, method, target string, form url.Values) reply {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(t.Context(), method, target, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := buyer.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{status: resp.StatusCode, location: resp.Header.Get("Location"), body: string(b)}
}

func checkoutForm(method string) url.Values {
	return url.Values{"product": {"notebook"}, "method": {method}, "first_name": {"Ada"}, "last_name": {"Lovelace"},
		"email": {"ada@example.com"}, "phone": {"+441632960961"}, "country": {"GB"}}
}

// order returns the order the shop has for an order page URL.
func order(t *testing.T, a *app, pageURL string) Order {
	t.Helper()
	u, err := url.Parse(pageURL)
	if err != nil {
		t.Fatal(err)
	}
	id := strings.TrimSuffix(strings.TrimPrefix(u.Path, "/orders/"), "/return")
	o, ok := a.shop.orders.Get(id)
	if !ok {
		t.Fatalf("no order for %s", pageURL)
	}
	return o
}

// waitStatus waits until the order has the status, failing the test after testwait.Limit.
func waitStatus(t *testing.T, a *app, id string, want Status) Order {
	t.Helper()
	var o Order
	testwait.For(t, "order "+id+" to be "+string(want), func() bool {
		o, _ = a.shop.orders.Get(id)
		return o.Status == want
	})
	return o
}

// checkout posts the checkout form and returns the order and the hosted page it was sent to.
func checkout(t *testing.T, a *app, method string) (Order, string) {
	t.Helper()
	r := do(t, http.MethodPost, a.url+"/checkout", checkoutForm(method))
	if r.status != http.StatusSeeOther || r.location == "" {
		t.Fatalf("checkout with %s answered %d (Location %q): %s", method, r.status, r.location, r.body)
	}
	var id string
	a.shop.orders.mu.Lock()
	for oid, o := range a.shop.orders.byID {
		if o.Provider == method && o.RedirectURL == r.location {
			id = oid
		}
	}
	a.shop.orders.mu.Unlock()
	if id == "" {
		t.Fatalf("checkout sent the buyer to %s, which no order's payment names", r.location)
	}
	o, _ := a.shop.orders.Get(id)
	return o, r.location
}

func orderCount(a *app) int {
	a.shop.orders.mu.Lock()
	defer a.shop.orders.mu.Unlock()
	return len(a.shop.orders.byID)
}

func method(t *testing.T, a *app, name string) *Method {
	t.Helper()
	m := a.shop.byName[name]
	if m == nil {
		t.Fatalf("no method %q", name)
	}
	return m
}

// TestPaidOnlyByVerifiedNotification: returning from the provider with a query that says
// "paid", or posting a forged notification, changes nothing; the provider's real
// notification marks the order paid.
func TestPaidOnlyByVerifiedNotification(t *testing.T) {
	a := startTestShop(t)
	endUsers := map[string]interface {
		Approve(context.Context, string) error
	}{
		"trustly": a.sims.trustly.EndUser(), "trustlyrest": a.sims.trustlyREST.EndUser(), "trustist": a.sims.trustist.EndUser(),
	}
	for _, m := range a.sims.methods {
		t.Run(m.Name, func(t *testing.T) {
			o, hosted := checkout(t, a, m.Name)
			if o.Status != StatusAwaitingPayment || o.PaymentID == "" {
				t.Fatalf("after checkout the order is %q with payment %q", o.Status, o.PaymentID)
			}
			if o.PayKey == "" {
				t.Fatal("the order has no Pay idempotency key")
			}

			r := do(t, http.MethodGet, a.url+"/orders/"+o.ID+"/return?status=paid&transactionId="+o.PaymentID+"&tr-payment-id="+o.PaymentID, nil)
			if r.status != http.StatusSeeOther {
				t.Fatalf("return page answered %d", r.status)
			}
			status, body, header := forgedPaid(m.Name, o, a)
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, a.url+"/notifications/"+m.Name, strings.NewReader(body))
			req.Header = header
			resp, err := buyer.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			// Trustly and Trustly REST sign notifications: the forgery fails verification.
			// Trustist does not; its adapter confirms each notification by reading the
			// payment, which the buyer has not paid yet.
			if m.Name != "trustist" && resp.StatusCode != http.StatusBadRequest {
				t.Errorf("a forged %q notification answered %d, want 400", status, resp.StatusCode)
			}
			if got, _ := a.shop.orders.Get(o.ID); got.Status == StatusPaid || !got.Status.beforePayment() ||
				slices.Contains(got.Events, "payment.succeeded") {
				t.Fatalf("a forged %q notification (answered %d) moved the order to %q (events %v)", status, resp.StatusCode, got.Status, got.Events)
			}

			if err := endUsers[m.Name].Approve(t.Context(), hosted); err != nil {
				t.Fatalf("approving on %s: %v", hosted, err)
			}
			paid := waitStatus(t, a, o.ID, StatusPaid)
			if !slices.Contains(paid.Events, "payment.succeeded") {
				t.Fatalf("paid without a payment.succeeded notification: %v", paid.Events)
			}
			page := do(t, http.MethodGet, a.url+"/orders/"+o.ID, nil)
			if !strings.Contains(page.body, `data-status="paid"`) {
				t.Fatalf("the order page does not show the order paid:\n%s", page.body)
			}
		})
	}
}

// forgedPaid builds a notification in the provider's format claiming the order was paid,
// without the provider's key.
func forgedPaid(name string, o Order, a *app) (string, string, http.Header) {
	switch name {
	case "trustly":
		return "credit", `{"method":"credit","params":{"signature":"` + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0x5a}, 256)) +
				`","uuid":"258a2184-2842-b485-25ca-293525152425","data":{"orderid":"` + o.PaymentID +
				`","notificationid":"9999999999","messageid":"` + o.ID + `","amount":"12.00","currency":"EUR","timestamp":"2024-01-01 10:00:00.000000+00","enduserid":"guest-` + o.ID + `","attributes":{}}},"version":"1.1"}`,
			http.Header{"Content-Type": {"application/json"}}
	case "trustlyrest":
		form := url.Values{"merchantId": {"1002463580"}, "merchantReference": {o.ID}, "paymentType": {"2"}, "transactionType": {"3"},
			"eventId": {"1"}, "eventType": {"Complete"}, "objectId": {o.PaymentID}, "objectType": {"Transaction"},
			"accessId": {a.sims.trustlyREST.AccessID()}, "status": {"4"}, "statusMessage": {"Completed"}}
		return "Complete", form.Encode(), http.Header{"Content-Type": {"application/x-www-form-urlencoded"},
			"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(a.sims.trustlyREST.AccessID()+":forged"))}}
	default:
		return "payment.completed", `{"paymentId":"` + o.PaymentID + `","status":"COMPLETED","amount":10.50,"currency":"GBP","reference":"` +
			o.ID + `","eventType":"payment.completed"}`, http.Header{"Content-Type": {"application/json"}}
	}
}

// TestInvalidRequestShownToBuyer: a field the Gateway refuses comes back on the form,
// and nothing reaches the provider.
func TestInvalidRequestShownToBuyer(t *testing.T) {
	a := startTestShop(t)
	before, orders := a.sims.trustlyREST.Requests(), orderCount(a)
	form := checkoutForm("trustlyrest")
	form.Set("email", "not-an-e-mail")
	r := do(t, http.MethodPost, a.url+"/checkout", form)
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("checkout with a bad e-mail answered %d, want 422:\n%s", r.status, r.body)
	}
	if !strings.Contains(r.body, `id="errors"`) || !strings.Contains(r.body, "E-mail: ") {
		t.Fatalf("the form does not say what is wrong with the e-mail:\n%s", r.body)
	}
	if !strings.Contains(r.body, `value="not-an-e-mail"`) {
		t.Fatal("the form lost what the buyer typed")
	}
	if n := a.sims.trustlyREST.Requests() - before; n != 0 {
		t.Fatalf("an invalid payment sent %d requests to the provider", n)
	}
	if n := orderCount(a) - orders; n != 0 {
		t.Fatalf("%d orders kept for a payment that was never started", n)
	}
}

// TestPhoneAskedForByTrustlyREST: Trustly REST requires the payer's phone, so a checkout
// without one is shown the form again naming it, and nothing reaches the provider; the
// other providers take the order without a phone (Trustist, which has no place for one,
// takes it with one as well: the shop does not send it there).
func TestPhoneAskedForByTrustlyREST(t *testing.T) {
	a := startTestShop(t)
	before, orders := a.sims.trustlyREST.Requests(), orderCount(a)
	form := checkoutForm("trustlyrest")
	form.Del("phone")
	r := do(t, http.MethodPost, a.url+"/checkout", form)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "<li>Phone: ") {
		t.Fatalf("checkout without a phone answered %d; want 422 naming the phone:\n%s", r.status, r.body)
	}
	if n := a.sims.trustlyREST.Requests() - before; n != 0 {
		t.Fatalf("a payment without a phone sent %d requests to the provider", n)
	}
	if n := orderCount(a) - orders; n != 0 {
		t.Fatalf("%d orders kept for a payment that was never started", n)
	}
	for _, method := range []string{"trustly", "trustist"} {
		form := checkoutForm(method)
		form.Del("phone")
		if r := do(t, http.MethodPost, a.url+"/checkout", form); r.status != http.StatusSeeOther {
			t.Errorf("checkout with %s without a phone answered %d:\n%s", method, r.status, r.body)
		}
	}
	checkout(t, a, "trustist")
}

// TestUnknownOutcomeRetriesSameKey: when the answer to Pay is lost, the order keeps its
// key, the buyer is offered to try again, and trying again creates no second payment.
func TestUnknownOutcomeRetriesSameKey(t *testing.T) {
	a := startTestShop(t)
	sim := a.sims.trustist
	before := sim.Payments()
	sim.DropNext(1)
	r := do(t, http.MethodPost, a.url+"/checkout", checkoutForm("trustist"))
	if r.status != http.StatusSeeOther || !strings.Contains(r.location, "/orders/") {
		t.Fatalf("checkout with a lost answer answered %d to %q, want the order page:\n%s", r.status, r.location, r.body)
	}
	o := order(t, a, r.location)
	if o.Status != StatusRetry || !strings.Contains(o.Note, "could not confirm") {
		t.Fatalf("order is %q with note %q; want %q explaining the unknown outcome", o.Status, o.Note, StatusRetry)
	}
	page := do(t, http.MethodGet, r.location, nil)
	if !strings.Contains(page.body, `id="retry"`) {
		t.Fatalf("the order page offers no retry:\n%s", page.body)
	}
	retry := do(t, http.MethodPost, a.url+"/orders/"+o.ID+"/pay", url.Values{})
	if retry.status != http.StatusSeeOther {
		t.Fatalf("retry answered %d", retry.status)
	}
	again, _ := a.shop.orders.Get(o.ID)
	if again.PayKey != o.PayKey {
		t.Fatalf("the retry changed the idempotency key from %q to %q", o.PayKey, again.PayKey)
	}
	if n := sim.Payments() - before; n != 1 {
		t.Fatalf("the provider has %d payments for one order after a lost answer and a retry, want 1", n)
	}
}

// TestRefundTwiceRefundsOnce: two refund clicks at once ask for one refund, with the key
// stored with the order, and the provider's ledger shows one.
func TestRefundTwiceRefundsOnce(t *testing.T) {
	a := startTestShop(t)
	o, hosted := checkout(t, a, "trustlyrest")
	if err := a.sims.trustlyREST.EndUser().Approve(t.Context(), hosted); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, a, o.ID, StatusPaid)

	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			if r := do(t, http.MethodPost, a.url+"/orders/"+o.ID+"/refund", url.Values{}); r.status != http.StatusSeeOther {
				t.Errorf("refund answered %d: %s", r.status, r.body)
			}
		})
	}
	wg.Wait()
	refunded := waitStatus(t, a, o.ID, StatusRefunded)
	if refunded.RefundKey == "" || refunded.Refunds != 1 {
		t.Fatalf("order has refund key %q after %d refund attempts; want one key", refunded.RefundKey, refunded.Refunds)
	}

	var c *trustlyrest.Client
	if !method(t, a, "trustlyrest").Gateway.As(&c) {
		t.Fatal("no Trustly REST client behind the Gateway")
	}
	var refunds []*trustlyrest.Transaction
	for capture, err := range c.Transactions(t.Context(), trustlyrest.TransactionFilter{OriginalTransactionID: o.PaymentID, Types: []int{3}}) {
		if err != nil {
			t.Fatal(err)
		}
		for tx, err := range c.Transactions(t.Context(), trustlyrest.TransactionFilter{OriginalTransactionID: capture.ID, Types: []int{4}}) {
			if err != nil {
				t.Fatal(err)
			}
			refunds = append(refunds, tx)
		}
	}
	if len(refunds) != 1 || !refunds[0].Amount.Equal(o.Amount) {
		t.Fatalf("the provider holds %d refunds for the order (%v), want one of %v", len(refunds), refunds, o.Amount)
	}
}

// TestRefundNotOfferedWithoutCapability: Trustist has no refund call, so a paid Trustist
// order offers no refund button and a refund request is refused with the reason.
func TestRefundNotOfferedWithoutCapability(t *testing.T) {
	a := startTestShop(t)
	m := method(t, a, "trustist")
	if m.Gateway.Capabilities().Supports(paybridge.OpRefund) {
		t.Fatal("Trustist lists refunds; this test needs a provider without them")
	}
	o, hosted := checkout(t, a, "trustist")
	if err := a.sims.trustist.EndUser().Approve(t.Context(), hosted); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, a, o.ID, StatusPaid)
	page := do(t, http.MethodGet, a.url+"/orders/"+o.ID, nil)
	if strings.Contains(page.body, `id="refund"`) || !strings.Contains(page.body, `id="refund-unavailable"`) {
		t.Fatalf("the paid Trustist order page offers a refund or does not say why not:\n%s", page.body)
	}
	r := do(t, http.MethodPost, a.url+"/orders/"+o.ID+"/refund", url.Values{})
	if r.status != http.StatusConflict || !strings.Contains(r.body, "does not offer refunds") {
		t.Fatalf("a refund request answered %d:\n%s", r.status, r.body)
	}
	if got, _ := a.shop.orders.Get(o.ID); got.Status != StatusPaid || got.RefundKey != "" {
		t.Fatalf("order is %q with refund key %q after a refused refund", got.Status, got.RefundKey)
	}
}

// TestCrossOriginFormRefused: a form posted to the shop from another site is refused.
func TestCrossOriginFormRefused(t *testing.T) {
	a := startTestShop(t)
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, a.url+"/checkout", strings.NewReader(checkoutForm("trustly").Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := buyer.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a cross-site checkout post answered %d, want 403", resp.StatusCode)
	}
}

// TestRepeatOnlyUnknownOutcomes: the shop repeats a call only while its outcome is
// unknown; what the Gateway's retry policy covers it has already repeated.
func TestRepeatOnlyUnknownOutcomes(t *testing.T) {
	s := &Shop{attempts: 3, backoff: time.Millisecond}
	for _, c := range []struct {
		err  error
		want int
	}{
		{&paybridge.Error{Code: paybridge.CodeUnknownOutcome}, 3},
		{&paybridge.Error{Code: paybridge.CodeProviderUnavailable}, 1},
		{&paybridge.Error{Code: paybridge.CodeRateLimited}, 1},
		{&paybridge.Error{Code: paybridge.CodeDeclined}, 1},
		{nil, 1},
	} {
		calls := 0
		err := s.repeat(context.Background(), func() error { calls++; return c.err })
		if calls != c.want || err != c.err {
			t.Errorf("%v: %d calls, error %v; want %d calls and the error itself", c.err, calls, err, c.want)
		}
	}
}
