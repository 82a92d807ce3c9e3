package trustlysim

import (
	"context"
	"crypto/rsa"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/testwait"
	"github.com/paybridge/paybridge/provider/simkit"
	"github.com/paybridge/paybridge/provider/trustly/internal/wire"
)

// kycMerchant is a merchant's notification endpoint that answers kyc with answer (signed
// with the merchant's key; "" answers with a page that is no Trustly reply) and every
// other notification OK, and keeps the kyc notifications it received.
type kycMerchant struct {
	mu       sync.Mutex
	received []*wire.Notification
}

func (m *kycMerchant) serve(t *testing.T, s **Server, key **rsa.PrivateKey, answer string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		n, err := wire.DecodeNotification(body, (*s).PublicKey())
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		status := "OK"
		if n.Method == "kyc" {
			m.mu.Lock()
			m.received = append(m.received, n)
			m.mu.Unlock()
			if answer == "" {
				http.Error(w, "down", http.StatusInternalServerError)
				return
			}
			status = answer
		}
		b, err := wire.EncodeNotificationReply(*key, n.Method, n.UUID, status)
		if err != nil {
			t.Error(err)
		}
		_, _ = w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// kycDeposit makes a deposit with RequestKYC whose end user approves it at the bank, and
// returns its orderid once the page has answered (after the merchant's kyc answer).
func kycDeposit(t *testing.T, s *Server, c Credentials, k *rsa.PrivateKey, notifyURL string) string {
	t.Helper()
	d := deposit(c, "kyc-1", notifyURL)
	attrs := d["Attributes"].(map[string]any)
	attrs["RequestKYC"] = "1"
	attrs["NationalIdentificationNumber"] = "19651217-1957"
	res, err := send(t, s, k, "Deposit", u1, d)
	if err != nil {
		t.Fatal(err)
	}
	m := res.Data.(map[string]any)
	url, _ := wire.Scalar(m["url"])
	id, _ := wire.Scalar(m["orderid"])
	if err := s.EndUser().Approve(context.Background(), url); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestKYCNotification: a Deposit with RequestKYC sends the kyc notification with the
// fields Trustly documents before anything else; CONTINUE lets the deposit be paid.
func TestKYCNotification(t *testing.T) {
	var s *Server
	var k *rsa.PrivateKey
	m := &kycMerchant{}
	recv := m.serve(t, &s, &k, "CONTINUE")
	var c Credentials
	s, c, k = start(t, Options{Options: simkit.Options{RetryBase: time.Millisecond}, AllowLoopbackHTTP: true})
	id := kycDeposit(t, s, c, k, recv.URL+"/n")
	waitMethods(t, s, id, "kyc", "credit")
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.received) != 1 {
		t.Fatalf("%d kyc notifications", len(m.received))
	}
	n := m.received[0]
	for _, f := range []string{"enduserid", "timestamp", "amount"} {
		if _, ok := n.Data[f]; ok {
			t.Errorf("kyc data has %s: %v", f, n.Data)
		}
	}
	got := map[string]string{}
	for _, f := range []string{"orderid", "messageid", "kycentityid", "notificationid"} {
		got[f], _ = n.Get(f)
	}
	for f, v := range n.Attributes() {
		got["attributes."+f], _ = wire.Scalar(v)
	}
	want := map[string]string{"orderid": id, "messageid": "kyc-1", "attributes.personid": "SE196512171957",
		"attributes.firstname": "A", "attributes.lastname": "B", "attributes.dob": bankDOB, "attributes.street": bankStreet,
		"attributes.zipcode": bankZipcode, "attributes.city": bankCity, "attributes.country": "Sweden"}
	for f, v := range want {
		if got[f] != v {
			t.Errorf("%s = %q, want %q", f, got[f], v)
		}
	}
	if got["kycentityid"] == "" || got["notificationid"] == "" || len(got) != len(want)+2 {
		t.Errorf("kyc data %v", got)
	}
	if b := s.Balance("m", "EUR"); b != "10.00" {
		t.Fatalf("balance %s", b)
	}
}

// TestKYCFinishCancelsTheDeposit: FINISH, or no valid answer at all, ends the deposit with
// a cancel notification and moves no money.
func TestKYCFinishCancelsTheDeposit(t *testing.T) {
	for _, answer := range []string{"FINISH", ""} {
		t.Run(fmt.Sprintf("answer %q", answer), func(t *testing.T) {
			var s *Server
			var k *rsa.PrivateKey
			m := &kycMerchant{}
			recv := m.serve(t, &s, &k, answer)
			var c Credentials
			s, c, k = start(t, Options{Options: simkit.Options{RetryBase: time.Millisecond, RetryMax: time.Millisecond, MaxAttempts: 3}, AllowLoopbackHTTP: true})
			id := kycDeposit(t, s, c, k, recv.URL+"/n")
			waitMethods(t, s, id, "kyc", "cancel")
			testwait.For(t, "the cancel's acknowledgement", func() bool {
				d := s.Deliveries()
				return len(d) == 2 && d[1].Acknowledged
			})
			d := s.Deliveries()
			if answer == "FINISH" && (!d[0].Acknowledged || d[0].Reply != "FINISH") {
				t.Fatalf("kyc delivery %+v", d[0])
			}
			if answer == "" && (d[0].Acknowledged || d[0].Attempts != 3) {
				t.Fatalf("kyc delivery %+v", d[0])
			}
			if b := s.Balance("m", "EUR"); b != "0.00" {
				t.Fatalf("balance %s", b)
			}
			if err := s.CompleteOrder(id, ActionApprove); err == nil {
				t.Fatal("the canceled deposit can still be approved")
			}
		})
	}
}
