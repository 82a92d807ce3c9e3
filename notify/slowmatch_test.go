package notify_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paybridge/paybridge/notify"
)

// A Matcher that outlasts the claim's lease (a slow journal or provider read) must not
// lead to the notification reaching the application twice: meanwhile another handler
// sharing the store claimed it once the lease ran out, processed it and recorded it.
func TestSlowMatcherDoesNotDeliverTwice(t *testing.T) {
	store := notify.NewMemoryStore()
	var delivered atomic.Int32
	count := func(context.Context, notify.Event) error { delivered.Add(1); return nil }
	inMatcher, otherDone := make(chan struct{}), make(chan struct{})
	slow := notify.NewHandler(plainVerifier{}, count, notify.WithStore(store), notify.WithLease(30*time.Millisecond),
		notify.WithMatcher(func(context.Context, *notify.Event) error { close(inMatcher); <-otherDone; return nil }))
	other := notify.NewHandler(plainVerifier{}, count, notify.WithStore(store), notify.WithLease(30*time.Millisecond))
	first := make(chan int)
	go func() { first <- post(slow, http.MethodPost, "ok:n1").Code }()
	<-inMatcher
	for { // the provider delivers again until a handler takes it: once the slow one's lease ran out
		if rec := post(other, http.MethodPost, "ok:n1"); rec.Code == http.StatusOK {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	close(otherDone)
	<-first
	if n := delivered.Load(); n != 1 {
		t.Fatalf("delivered %d times; want once", n)
	}
}
