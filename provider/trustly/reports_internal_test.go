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
	"sync/atomic"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/testwait"
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
	// The timeout is a hundred times the pause between pieces of data, so that only a
	// stall, and not a busy machine, can exceed it.
	const idle, pause = time.Second, 10 * time.Millisecond
	var lastData atomic.Int64 // when the server began its last write, in Unix nanoseconds
	stop := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Data for longer than the timeout, then nothing.
		first := time.Now()
		lastData.Store(first.UnixNano())
		_, _ = w.Write([]byte(`{"version":"1.1","result":{"data":[{"amount":"1.00"}`))
		w.(http.Flusher).Flush()
		for time.Since(first) < idle+idle/2 {
			time.Sleep(pause)
			lastData.Store(time.Now().UnixNano())
			_, _ = w.Write([]byte(`,{"amount":"1.00"}`))
			w.(http.Flusher).Flush()
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
	c.s.httpClient.Timeout = idle
	day := time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC)
	var last error
	var gaveUp time.Time
	testwait.Returns(t, "a report whose answer stalls", func() {
		for _, err := range c.AccountLedger(context.Background(), day, day.AddDate(0, 0, 1), "") {
			last = err
		}
		gaveUp = time.Now()
	})
	var pe *provider.Error
	if !errors.As(last, &pe) || pe.Code != provider.UnknownOutcome || !strings.Contains(pe.Message, "stopped sending") {
		t.Fatalf("err %v", last)
	}
	// The last data arrived after the server began to send it; the Client may give up only
	// a full timeout after that, however slowly the machine ran.
	if since := gaveUp.Sub(time.Unix(0, lastData.Load())); since < idle {
		t.Fatalf("gave up %v after the last data arrived; the data kept coming for longer than the %v timeout", since, idle)
	}
}
