package transport

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/provider"
)

// A request gets the attempt's end as its deadline only when nothing else ends it by
// then: no timer is added where the caller's deadline or the client's Timeout already
// does the work.
func TestBoundAddsADeadlineOnlyWhereNeeded(t *testing.T) {
	end := time.Now().Add(time.Minute)
	attempt := WithAttemptEnd(context.Background(), end)
	soon, cancel := context.WithDeadline(attempt, end.Add(-30*time.Second))
	defer cancel()
	late, cancel2 := context.WithDeadline(attempt, end.Add(time.Hour))
	defer cancel2()
	for _, tc := range []struct {
		name   string
		ctx    context.Context
		client *http.Client
		want   time.Time // the zero time: the context is left as it was
	}{
		{"no attempt end", context.Background(), &http.Client{}, time.Time{}},
		{"client without a timeout", attempt, &http.Client{}, end},
		{"nil client", attempt, nil, end},
		{"client timeout within the attempt", attempt, &http.Client{Timeout: 10 * time.Second}, time.Time{}},
		{"client timeout beyond the attempt", attempt, &http.Client{Timeout: time.Hour}, end},
		{"caller's deadline sooner", soon, &http.Client{}, time.Time{}},
		{"caller's deadline later", late, &http.Client{}, end},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, release := bound(tc.ctx, tc.client)
			defer release()
			if tc.want.IsZero() {
				if ctx != tc.ctx {
					t.Fatal("a deadline was added where something else already ends the request")
				}
				return
			}
			if dl, ok := ctx.Deadline(); !ok || !dl.Equal(tc.want) {
				t.Fatalf("deadline %v (%v); want the attempt's end %v", dl, ok, tc.want)
			}
		})
	}
}

// An attempt whose end passes before its request is written sent nothing, while the
// caller, whose own context is still alive, waits for an answer: it gets
// ProviderUnavailable, which a retry or a release of the journal claim can act on, not
// the bare context error that says the caller's own deadline passed.
func TestAttemptEndBeforeWritingIsUnavailable(t *testing.T) {
	dialing := make(chan struct{}, 1)
	c := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		dialing <- struct{}{}
		<-ctx.Done() // a connection that never comes
		return nil, ctx.Err()
	}}}
	ctx := WithAttemptEnd(context.Background(), time.Now().Add(50*time.Millisecond))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://provider.invalid/pay", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Do(c, req, "the provider", 1<<10)
	<-dialing
	if code := provider.CodeOf(err); code != provider.ProviderUnavailable {
		t.Fatalf("Do: %v (code %s); want ProviderUnavailable", err, code)
	}
	if ctx.Err() != nil {
		t.Fatal("the caller's context ended")
	}
}
