package trustlyrestsim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider/trustlyrest/internal/signing"
)

// establishType signs and sends establish data of paymentType pt with extra fields, and
// returns the HTTP status, the Trustly error code and the answer.
func (a apiClient) establishType(pt, ref, amount string, extra map[string]any) (int, int, map[string]any) {
	a.t.Helper()
	est := map[string]any{"accessId": a.s.AccessID(), "merchantId": a.s.MerchantID(), "description": "d", "currency": "USD",
		"amount": amount, "merchantReference": ref, "paymentType": pt, "returnUrl": "https://m.example/r",
		"cancelUrl": "https://m.example/c",
		"customer":  map[string]any{"name": "A B", "email": "a@example.com", "phone": "+14155550100", "address": map[string]any{"country": "US"}}}
	for k, v := range extra {
		est[k] = v
	}
	sig, err := signing.RequestSignature([]byte(a.s.AccessKey()), est, signing.HMACSHA1)
	if err != nil {
		a.t.Fatal(err)
	}
	est["requestSignature"] = sig
	b, _ := json.Marshal(est)
	return a.do(http.MethodPost, "/establish?createTransaction=true", "application/json", string(b), "")
}

// approve has the payer approve transaction id's page and returns its splitToken.
func approve(t *testing.T, s *Server, id string) string {
	t.Helper()
	if err := s.CompletePage(id, "approve"); err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.txs[id].splitToken
}

// approvedDeferred establishes a Deferred payment of amount under ref and has the payer
// approve it, returning its transactionId and splitToken.
func approvedDeferred(a apiClient, ref, amount string) (id, token string) {
	a.t.Helper()
	_, code, est := a.establishType("Deferred", ref, amount, nil)
	if code != 0 {
		a.t.Fatalf("establish %s: code %d", ref, code)
	}
	id = est["transactionId"].(string)
	return id, approve(a.t, a.s, id)
}

func capture(a apiClient, id string, params url.Values) (int, int, map[string]any) {
	a.t.Helper()
	return a.do(http.MethodPost, "/transactions/"+id+"/capture", "application/x-www-form-urlencoded", params.Encode(), "")
}

func TestRecurringAndCaptureRules(t *testing.T) {
	s := start(t, Options{SettleDelay: -1})
	a := apiClient{t, s}
	// A recurrence belongs to a Recurring payment, and its fields are typed.
	if st, code, _ := a.establishType("Deferred", "d-rec", "5.00", map[string]any{"recurrence": map[string]any{"frequency": 1}}); st != 400 || code != 200 {
		t.Fatalf("Deferred with a recurrence: HTTP %d code %d", st, code)
	}
	for _, bad := range []map[string]any{
		{"recurringAmount": 5},
		{"frequencyUnitType": "Fortnight"},
		{"startDate": "tomorrow"},
		{"cadence": 2},
	} {
		if st, code, _ := a.establishType("Recurring", "r-bad", "0.00", map[string]any{"recurrence": bad}); st != 400 || code != 200 {
			t.Errorf("recurrence %v: HTTP %d code %d", bad, st, code)
		}
	}
	_, _, m := a.establishType("Recurring", "r-1", "0.00", map[string]any{"recurrence": map[string]any{
		"startDate": time.Now().UnixMilli(), "recurringAmount": "20.00", "frequency": 1, "frequencyUnit": 1, "frequencyUnitType": "Month"}})
	mandate, _ := m["transactionId"].(string)
	_, _, m = a.establishType("Deferred", "d-1", "30.00", nil)
	deferred, _ := m["transactionId"].(string)
	recTok, defTok := approve(t, s, mandate), approve(t, s, deferred)

	form := func(kv ...string) url.Values {
		v := url.Values{}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	// consumerNotPresent only on a Recurring authorization; within its recurringAmount.
	if st, code, _ := capture(a, deferred, form("amount", "1.00", "merchantReference", "c-0", "splitToken", defTok, "interactionId", "consumerNotPresent")); st != 400 || code != 200 {
		t.Errorf("consumerNotPresent on a Deferred authorization: HTTP %d code %d", st, code)
	}
	if st, code, _ := capture(a, mandate, form("amount", "20.01", "merchantReference", "c-1", "splitToken", recTok, "interactionId", "consumerNotPresent")); st != 400 || code != 200 {
		t.Errorf("charge beyond recurringAmount: HTTP %d code %d", st, code)
	}
	if st, code, m := capture(a, mandate, form("amount", "20.00", "merchantReference", "c-2", "splitToken", recTok, "interactionId", "consumerNotPresent")); st != 200 || code != 0 {
		t.Errorf("charge: HTTP %d code %d %v", st, code, m)
	}
	// Partial and multiple captures add up to the authorized amount at most, each 0.99 or more.
	if st, _, _ := capture(a, deferred, form("amount", "0.98", "merchantReference", "c-3", "splitToken", defTok)); st != 400 {
		t.Errorf("capture of 0.98: HTTP %d", st)
	}
	for i, amount := range []string{"10.00", "20.00"} {
		if st, code, m := capture(a, deferred, form("amount", amount, "merchantReference", "p-"+strconv.Itoa(i), "splitToken", defTok)); st != 200 || code != 0 {
			t.Fatalf("capture %s: HTTP %d code %d %v", amount, st, code, m)
		}
	}
	if st, _, _ := capture(a, deferred, form("amount", "0.99", "merchantReference", "p-3", "splitToken", defTok)); st != 400 {
		t.Errorf("capture beyond the authorized amount: HTTP %d", st)
	}
	// Canceled, the Recurring authorization is 13 Voided and refuses captures.
	st, code, m := a.do(http.MethodPost, "/transactions/"+mandate+"/cancel", "application/x-www-form-urlencoded", "", "")
	if tx, _ := m["transaction"].(map[string]any); st != 200 || code != 0 || tx["status"] != float64(13) {
		t.Fatalf("cancel: HTTP %d code %d %v", st, code, m)
	}
	if st, _, _ := capture(a, mandate, form("amount", "1.00", "merchantReference", "c-4", "splitToken", recTok, "interactionId", "consumerNotPresent")); st != 400 {
		t.Errorf("charge after cancel: HTTP %d", st)
	}
	// The mandate's payment carries its recurrence.
	_, _, m = a.do(http.MethodGet, "/transactions/"+mandate, "", "", "")
	tx, _ := m["transaction"].(map[string]any)
	pay, _ := tx["payment"].(map[string]any)
	if rec, _ := pay["recurrence"].(map[string]any); rec["recurringAmount"] != "20.00" || pay["paymentType"] != float64(3) {
		t.Errorf("mandate's payment = %v", pay)
	}
}

func TestListFiltersAndPlantedBookings(t *testing.T) {
	s := start(t, Options{SettleDelay: -1})
	a := apiClient{t, s}
	first, err := s.BookWithoutCall(money.MustNew("3.00", "USD"), "planted-1")
	if err != nil {
		t.Fatal(err)
	}
	second, _ := s.BookWithoutCall(money.MustNew("4.00", "USD"), "planted-2")
	if err := s.Rebook(second, money.MustNew("5.00", "USD")); err != nil {
		t.Fatal(err)
	}
	if err := s.Rebook(second, money.MustNew("5.00", "CAD")); err == nil {
		t.Error("a rebooking in another currency was accepted")
	}
	list := func(q string) (int, []any) {
		t.Helper()
		st, _, m := a.do(http.MethodGet, "/transactions?"+q, "", "", "")
		items, _ := m["transactions"].([]any)
		return st, items
	}
	ids := func(items []any) []string {
		var out []string
		for _, it := range items {
			out = append(out, it.(map[string]any)["transactionId"].(string))
		}
		return out
	}
	_, asc := list("transactionType=3&orderBy=createdAt&sortOrder=asc")
	_, desc := list("transactionType=3")
	if got := ids(asc); len(got) != 2 || got[0] != first || got[1] != second {
		t.Errorf("ascending captures = %v, want [%s %s]", got, first, second)
	}
	if got := ids(desc); len(got) != 2 || got[0] != second {
		t.Errorf("descending captures = %v, want %s first", got, second)
	}
	if tx := asc[1].(map[string]any); tx["amount"] != "5.00" || tx["status"] != float64(4) {
		t.Errorf("rebooked capture = %v", tx)
	}
	future := strconv.FormatInt(time.Now().Add(time.Hour).UnixMilli(), 10)
	if _, items := list("createdAt.start=" + future); len(items) != 0 {
		t.Errorf("createdAt.start in the future listed %v", ids(items))
	}
	if _, items := list("createdAt.end=0"); len(items) != 0 {
		t.Errorf("createdAt.end=0 listed %v", ids(items))
	}
	for _, bad := range []string{"createdAt.start=yesterday", "orderBy=amount", "sortOrder=up", "count=101", "transactionType=x"} {
		if st, _ := list(bad); st != 400 {
			t.Errorf("%s: HTTP %d, want 400", bad, st)
		}
	}
}
