package trustly

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/secret"
)

// TestReportStallTimeout: with the Client's own HTTP client, a report may take longer
// than the client's timeout as long as data keeps coming, and fails when it stops coming
// for that long.
func TestReportStallTimeout(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Data for longer than the timeout, then nothing.
		_, _ = w.Write([]byte(`{"version":"1.1","result":{"data":[`))
		for i := range 6 {
			if i > 0 {
				_, _ = w.Write([]byte(","))
			}
			_, _ = w.Write([]byte(`{"amount":"1.00"}`))
			w.(http.Flusher).Flush()
			time.Sleep(50 * time.Millisecond)
		}
		<-stop
	}))
	defer srv.Close()
	defer close(stop) // before Close, which waits for the handler
	c, err := New(Config{Username: "u", Password: secret.New("p"), BaseURL: srv.URL,
		PrivateKey: secret.FromBytes(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))})
	if err != nil {
		t.Fatal(err)
	}
	c.s.httpClient.Timeout = 200 * time.Millisecond
	start := time.Now()
	day := time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC)
	var last error
	for _, err := range c.AccountLedger(context.Background(), day, day.AddDate(0, 0, 1), "") {
		last = err
	}
	var pe *provider.Error
	if !errors.As(last, &pe) || pe.Code != provider.ProviderUnavailable || !strings.Contains(pe.Message, "stopped sending") {
		t.Fatalf("err %v", last)
	}
	if d := time.Since(start); d < 450*time.Millisecond || d > 5*time.Second {
		t.Fatalf("gave up after %v; the data took 300ms and the timeout is 200ms", d)
	}
}
