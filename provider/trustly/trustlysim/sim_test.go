package trustlysim

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/testwait"
	"github.com/paybridge/paybridge/provider/simkit"
	"github.com/paybridge/paybridge/provider/trustly/internal/wire"
)

func start(t *testing.T, opts Options) (*Server, Credentials, *rsa.PrivateKey) {
	t.Helper()
	s, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	c, err := s.NewMerchant("m")
	if err != nil {
		t.Fatal(err)
	}
	k, err := wire.ParsePrivateKey(c.PrivateKey.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return s, c, k
}

func send(t *testing.T, s *Server, key *rsa.PrivateKey, method, uuid string, data map[string]any) (*wire.Result, error) {
	t.Helper()
	body, err := wire.EncodeRequest(key, method, uuid, data)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(s.APIURL(), "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return wire.DecodeResponse(b, s.PublicKey(), method, uuid)
}

func code(err error) int {
	var e *wire.RPCError
	if errors.As(err, &e) && e.Signed {
		return e.Code
	}
	return -1
}

func deposit(c Credentials, ref, notifyURL string) map[string]any {
	return map[string]any{"Username": c.Username, "Password": c.Password.Reveal(), "NotificationURL": notifyURL,
		"EndUserID": "u-1", "MessageID": ref, "Attributes": map[string]any{"Currency": "EUR", "Amount": "10.00",
			"Firstname": "A", "Lastname": "B", "Country": "SE", "Locale": "sv_SE",
			"SuccessURL": "https://shop.example.com/ok", "FailURL": "https://shop.example.com/fail"}}
}

const u1 = "258a2184-2842-b485-25ca-293525152425"
const u2 = "258a2184-2842-b485-25ca-293525152426"

func TestCredentialsSignatureAndReplay(t *testing.T) {
	s, c, k := start(t, Options{})
	d := deposit(c, "r1", "https://shop.example.com/n")
	bad := deposit(c, "r1", "https://shop.example.com/n")
	bad["Password"] = "wrong"
	if _, err := send(t, s, k, "Deposit", u1, bad); code(err) != wire.CodeInvalidCredentials {
		t.Fatalf("wrong password: %v", err)
	}
	other, _ := Start(Options{}) // a key that is not the merchant's
	defer other.Close()
	oc, _ := other.NewMerchant("x")
	ok, _ := wire.ParsePrivateKey(oc.PrivateKey.Bytes())
	if _, err := send(t, s, ok, "Deposit", u1, d); code(err) != wire.CodeUnableToVerifyRSASignature {
		t.Fatalf("wrong key: %v", err)
	}
	first, err := send(t, s, k, "Deposit", u1, d)
	if err != nil {
		t.Fatal(err)
	}
	again, err := send(t, s, k, "Deposit", u1, d)
	if err != nil || again.Signature != first.Signature {
		t.Fatalf("identical replay: %v", err)
	}
	changed := deposit(c, "r1", "https://shop.example.com/other")
	if _, err := send(t, s, k, "Deposit", u1, changed); code(err) != wire.CodeDuplicateUUID {
		t.Fatalf("same UUID, other content: %v", err)
	}
	if _, err := send(t, s, k, "Deposit", u2, d); code(err) != wire.CodeDuplicateMessageID {
		t.Fatalf("same MessageID: %v", err)
	}
	if err := s.AddMerchant("nokey", "pw", nil); err != nil {
		t.Fatal(err)
	}
	nk := map[string]any{"Username": "nokey", "Password": "pw"}
	if _, err := send(t, s, k, "Balance", u2, nk); code(err) != wire.CodeNoPublicKey {
		t.Fatalf("no public key: %v", err)
	}
}

func TestFieldErrors(t *testing.T) {
	s, c, k := start(t, Options{})
	cases := map[int]func(map[string]any){
		wire.CodeInvalidAmount:            func(d map[string]any) { d["Attributes"].(map[string]any)["Amount"] = "10.5" },
		wire.CodeInvalidCurrencyCode:      func(d map[string]any) { d["Attributes"].(map[string]any)["Currency"] = "XXX" },
		wire.CodeInvalidLocale:            func(d map[string]any) { d["Attributes"].(map[string]any)["Locale"] = "sv" },
		wire.CodeEndUserIDIsNull:          func(d map[string]any) { d["EndUserID"] = nil },
		wire.CodeMessageIDIsNull:          func(d map[string]any) { delete(d, "MessageID") },
		wire.CodeNotSecureNotificationURL: func(d map[string]any) { d["NotificationURL"] = "http://shop.example.com/n" },
		wire.CodeMalformedNotificationURL: func(d map[string]any) { d["NotificationURL"] = "https://shop.example.com/n?x=1" },
	}
	i := 0
	for want, mut := range cases {
		i++
		d := deposit(c, "f"+string(rune('a'+i)), "https://shop.example.com/n")
		mut(d)
		uuid := fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
		if _, err := send(t, s, k, "Deposit", uuid, d); code(err) != want {
			t.Errorf("want %d, got %v", want, err)
		}
	}
	// P2P survives only in Trustly's old clients (§4.14); the simulator does not offer it.
	if _, err := send(t, s, k, "P2P", u1, map[string]any{"Username": c.Username, "Password": c.Password.Reveal()}); code(err) != wire.CodeFunctionAccessDenied {
		t.Errorf("unknown method: %v", err)
	}
}

// TestNotificationsRetryUntilSignedOK answers wrongly twice, then correctly.
func TestNotificationsRetryUntilSignedOK(t *testing.T) {
	var calls atomic.Int32
	var s *Server
	var key *rsa.PrivateKey
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		n, err := wire.DecodeNotification(body, s.PublicKey())
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		switch calls.Add(1) {
		case 1:
			_, _ = w.Write([]byte(`{"result":{"data":{"status":"OK"}}}`)) // unsigned
		case 2:
			b, _ := wire.EncodeNotificationReply(key, n.Method, n.UUID, "FAILED")
			_, _ = w.Write(b)
		default:
			b, _ := wire.EncodeNotificationReply(key, n.Method, n.UUID, "OK")
			_, _ = w.Write(b)
		}
	}))
	defer recv.Close()
	var c Credentials
	// A delivery counts as refused only for the answers above, never for a slow one.
	s, c, key = start(t, Options{Options: simkit.Options{RetryBase: time.Millisecond, DeliveryClient: &http.Client{Timeout: testwait.Limit}}, AllowLoopbackHTTP: true})
	res, err := send(t, s, key, "Deposit", u1, deposit(c, "n1", recv.URL+"/n"))
	if err != nil {
		t.Fatal(err)
	}
	url, _ := wire.Scalar(res.Data.(map[string]any)["url"])
	if err := s.EndUser().Approve(context.Background(), url); err != nil {
		t.Fatal(err)
	}
	var d []simkit.Delivery
	testwait.For(t, "the notification's acknowledgement", func() bool {
		d = s.Deliveries()
		return len(d) == 1 && d[0].Acknowledged
	})
	if len(d) != 1 || !d[0].Acknowledged || d[0].Attempts != 3 || d[0].Reply != "OK" || d[0].Event != "credit" {
		t.Fatalf("deliveries %+v", d)
	}
}

func TestFaults(t *testing.T) {
	s, c, k := start(t, Options{})
	s.FailNext(1)
	body, _ := wire.EncodeRequest(k, "Balance", u1, map[string]any{"Username": c.Username, "Password": c.Password.Reveal()})
	resp, err := http.Post(s.APIURL(), "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("FailNext: HTTP %d", resp.StatusCode)
	}
	s.DropNext(1)
	if _, err := http.Post(s.APIURL(), "application/json", bytes.NewReader(body)); err == nil {
		t.Fatal("DropNext: a reply arrived")
	}
	if n := s.Requests(); n != 2 {
		t.Fatalf("Requests() = %d", n)
	}
}

// paidDeposit creates a deposit of 10.00 EUR whose notifications go nowhere and approves
// it (delayed: pending until Settle), returning its orderid.
func paidDeposit(t *testing.T, s *Server, c Credentials, k *rsa.PrivateKey, ref, uuid string, settle bool) string {
	t.Helper()
	res, err := send(t, s, k, "Deposit", uuid, deposit(c, ref, "http://127.0.0.1:9/n"))
	if err != nil {
		t.Fatal(err)
	}
	m := res.Data.(map[string]any)
	url, _ := wire.Scalar(m["url"])
	id, _ := wire.Scalar(m["orderid"])
	if err := s.EndUser().ApproveDelayed(context.Background(), url); err != nil {
		t.Fatal(err)
	}
	if settle {
		if err := s.Settle(id); err != nil {
			t.Fatal(err)
		}
	}
	return id
}

func refundData(c Credentials, orderID string, amount any) map[string]any {
	return map[string]any{"Username": c.Username, "Password": c.Password.Reveal(), "OrderID": orderID,
		"Amount": amount, "Currency": "EUR", "Attributes": nil}
}

// TestRefundRequestShape: Refund needs the Attributes member (null when unused) and the
// amount as text, as Trustly documents; a deposit that is pending is refundable (queued).
func TestRefundRequestShape(t *testing.T) {
	s, c, k := start(t, Options{AllowLoopbackHTTP: true, Options: simkit.Options{RetryBase: time.Hour}})
	credited := paidDeposit(t, s, c, k, "rs-1", "00000000-0000-4000-8000-000000000001", true)
	noAttrs := refundData(c, credited, "1.00")
	delete(noAttrs, "Attributes")
	if _, err := send(t, s, k, "Refund", "00000000-0000-4000-8000-000000000002", noAttrs); code(err) != wire.CodeInvalidParameters {
		t.Errorf("Refund without Attributes: %v", err)
	}
	if _, err := send(t, s, k, "Refund", "00000000-0000-4000-8000-000000000003", refundData(c, credited, json.Number("1.00"))); code(err) != wire.CodeInvalidParameters {
		t.Errorf("Refund with a JSON number amount: %v", err)
	}
	if _, err := send(t, s, k, "Refund", "00000000-0000-4000-8000-000000000004", refundData(c, credited, "1.00")); err != nil {
		t.Errorf("a well-formed Refund: %v", err)
	}
	pending := paidDeposit(t, s, c, k, "rs-2", "00000000-0000-4000-8000-000000000005", false)
	res, err := send(t, s, k, "Refund", "00000000-0000-4000-8000-000000000006", refundData(c, pending, "1.00"))
	if err != nil {
		t.Fatalf("Refund of a pending deposit: %v", err)
	}
	if r, _ := wire.Scalar(res.Data.(map[string]any)["result"]); r != "1" {
		t.Fatalf("result %q", r)
	}
	if err := s.ConfirmRefund(pending); err == nil {
		t.Error("a refund of an unsettled deposit was executed")
	}
}

// TestErrorAnswersAreReplayed: once a request passed authentication its answer, error or
// not, belongs to its UUID: the identical request gets the same answer and a changed one
// ERROR_DUPLICATE_UUID.
func TestErrorAnswersAreReplayed(t *testing.T) {
	s, c, k := start(t, Options{})
	d := deposit(c, "er-1", "https://shop.example.com/n")
	s.FailNextWith(wire.CodeUnknown)
	if _, err := send(t, s, k, "Deposit", u1, d); code(err) != wire.CodeUnknown {
		t.Fatalf("forced error: %v", err)
	}
	if _, err := send(t, s, k, "Deposit", u1, d); code(err) != wire.CodeUnknown {
		t.Fatalf("the identical request after an error: %v", err)
	}
	changed := deposit(c, "er-2", "https://shop.example.com/n")
	if _, err := send(t, s, k, "Deposit", u1, changed); code(err) != wire.CodeDuplicateUUID {
		t.Fatalf("same UUID, other content after an error: %v", err)
	}
	bad := deposit(c, "er-3", "https://shop.example.com/n")
	bad["Attributes"].(map[string]any)["Currency"] = "XXX"
	if _, err := send(t, s, k, "Deposit", u2, bad); code(err) != wire.CodeInvalidCurrencyCode {
		t.Fatalf("bad currency: %v", err)
	}
	bad["Attributes"].(map[string]any)["Currency"] = "EUR"
	if _, err := send(t, s, k, "Deposit", u2, bad); code(err) != wire.CodeDuplicateUUID {
		t.Fatalf("the UUID of a refused request reused: %v", err)
	}
}

// TestAccountPayoutNeedsShopperStatement: [I] AccountPayout without
// Attributes.ShopperStatement is refused with 623.
func TestAccountPayoutNeedsShopperStatement(t *testing.T) {
	s, c, k := start(t, Options{})
	res, err := send(t, s, k, "RegisterAccount", u1, map[string]any{"Username": c.Username, "Password": c.Password.Reveal(),
		"EndUserID": "u-1", "ClearingHouse": "SWEDEN", "BankNumber": "", "AccountNumber": "SE4550000000058398257466",
		"Firstname": "A", "Lastname": "B", "Attributes": nil})
	if err != nil {
		t.Fatal(err)
	}
	acct, _ := wire.Scalar(res.Data.(map[string]any)["accountid"])
	payout := func(attrs any) map[string]any {
		return map[string]any{"Username": c.Username, "Password": c.Password.Reveal(), "NotificationURL": "https://shop.example.com/n",
			"AccountID": acct, "EndUserID": "u-1", "MessageID": "po-" + fmt.Sprint(attrs != nil), "Amount": "1.00", "Currency": "EUR",
			"Attributes": attrs}
	}
	if _, err := send(t, s, k, "AccountPayout", "00000000-0000-4000-8000-000000000011", payout(nil)); code(err) != wire.CodeInvalidParameters {
		t.Errorf("AccountPayout without ShopperStatement: %v", err)
	}
	if _, err := send(t, s, k, "AccountPayout", "00000000-0000-4000-8000-000000000012", payout(map[string]any{"ShopperStatement": "Shop"})); err != nil {
		t.Errorf("AccountPayout with ShopperStatement: %v", err)
	}
}

// TestVersionIsRequired: [I] a request without the JSON-RPC version member is refused;
// "1.1" as a string or a number is accepted.
func TestVersionIsRequired(t *testing.T) {
	s, c, k := start(t, Options{})
	data := map[string]any{"Username": c.Username, "Password": c.Password.Reveal()}
	body, err := wire.EncodeRequest(k, "Balance", u1, data)
	if err != nil {
		t.Fatal(err)
	}
	post := func(b []byte) error {
		resp, err := http.Post(s.APIURL(), "application/json", bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		_, err = wire.DecodeResponse(out, s.PublicKey(), "Balance", u1)
		return err
	}
	var env map[string]any
	if err := json.Unmarshal(body, &env); err != nil {
		t.Fatal(err)
	}
	delete(env, "version")
	without, _ := json.Marshal(env)
	if err := post(without); err == nil {
		t.Error("a request without version was answered with a result")
	}
	env["version"] = 1.1
	number, _ := json.Marshal(env)
	if err := post(number); err != nil {
		t.Errorf("version as a number: %v", err)
	}
	if err := post(body); err != nil {
		t.Errorf("version as a string: %v", err)
	}
}

// methodsOf lists the methods of the notifications made for an order, in order.
func methodsOf(s *Server, orderID string) []string {
	var out []string
	for _, d := range s.Deliveries() {
		if d.ObjectID == orderID {
			out = append(out, d.Event)
		}
	}
	return out
}

// waitMethods waits until the order's notifications are want (the test's own deadline
// bounds the wait).
func waitMethods(t *testing.T, s *Server, orderID string, want ...string) {
	t.Helper()
	for {
		got := methodsOf(s, orderID)
		if fmt.Sprint(got) == fmt.Sprint(want) {
			return
		}
		if len(got) > len(want) {
			t.Fatalf("order %s notified %v, want %v", orderID, got, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestRefundsSettle: as at Trustly, an accepted refund is executed without anyone's
// help — at once for a settled deposit, after the deposit settles for a pending one —
// and reported with a payoutconfirmation; HoldRefunds leaves them to ConfirmRefund.
func TestRefundsSettle(t *testing.T) {
	s, c, k := start(t, Options{AllowLoopbackHTTP: true, Options: simkit.Options{RetryBase: time.Hour}, RefundDelay: time.Millisecond})
	credited := paidDeposit(t, s, c, k, "st-1", "00000000-0000-4000-8000-000000000011", true)
	if _, err := send(t, s, k, "Refund", "00000000-0000-4000-8000-000000000012", refundData(c, credited, "4.00")); err != nil {
		t.Fatal(err)
	}
	waitMethods(t, s, credited, "pending", "credit", "payoutconfirmation")
	if err := s.ConfirmRefund(credited); err == nil {
		t.Error("ConfirmRefund found a refund still queued after the simulator executed it")
	}
	body := s.Deliveries()[len(s.Deliveries())-1].Body
	if !bytes.Contains(body, []byte(`"amount":"4.00"`)) {
		t.Errorf("the payoutconfirmation does not carry the refunded amount: %s", body)
	}

	// A refund of a pending deposit waits for the deposit's credit.
	pending := paidDeposit(t, s, c, k, "st-2", "00000000-0000-4000-8000-000000000013", false)
	if _, err := send(t, s, k, "Refund", "00000000-0000-4000-8000-000000000014", refundData(c, pending, "1.00")); err != nil {
		t.Fatal(err)
	}
	if err := s.Settle(pending); err != nil {
		t.Fatal(err)
	}
	waitMethods(t, s, pending, "pending", "credit", "payoutconfirmation")

	held, hc, hk := start(t, Options{AllowLoopbackHTTP: true, Options: simkit.Options{RetryBase: time.Hour}, RefundDelay: time.Millisecond, HoldRefunds: true})
	id := paidDeposit(t, held, hc, hk, "st-3", "00000000-0000-4000-8000-000000000015", true)
	if _, err := send(t, held, hk, "Refund", "00000000-0000-4000-8000-000000000016", refundData(hc, id, "2.00")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond) // fifty times the delay after which a refund would execute
	if err := held.ConfirmRefund(id); err != nil {
		t.Fatalf("a held refund was not left queued: %v", err)
	}
	waitMethods(t, held, id, "pending", "credit", "payoutconfirmation")
}
