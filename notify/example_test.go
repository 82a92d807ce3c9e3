package notify_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/notify"
	_ "github.com/paybridge/paybridge/provider/memprovider"
)

func ExampleHandler() {
	gw, _ := paybridge.Open(context.Background(), "mem://")
	defer gw.Close()

	h, err := gw.NotificationHandler(func(ctx context.Context, e notify.Event) error {
		// Store or queue the event, then return nil. An error makes the provider retry.
		fmt.Println(e.Kind, e.PaymentID)
		return nil
	}, notify.WithMaxBodyBytes(256<<10))
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("POST /paybridge/notifications", h)

	// A forged notification is rejected and never reaches the callback.
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/paybridge/notifications", nil))
	fmt.Println(rec.Code)
	// Output:
	// 400
}

// Serving notifications with the timeouts a public endpoint needs.
func ExampleHandler_server() {
	gw, _ := paybridge.Open(context.Background(), "mem://")
	defer gw.Close()
	h, _ := gw.NotificationHandler(func(ctx context.Context, e notify.Event) error { return nil })
	srv := &http.Server{
		Addr:              ":8443",
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
	}
	_ = srv // srv.ListenAndServeTLS(certFile, keyFile)
	fmt.Println(srv.ReadHeaderTimeout)
	// Output: 5s
}
