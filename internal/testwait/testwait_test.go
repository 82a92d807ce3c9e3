package testwait

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

func TestForWaitsUntilTrue(t *testing.T) {
	var n atomic.Int32
	For(t, "the third call", func() bool { return n.Add(1) == 3 })
	if got := n.Load(); got != 3 {
		t.Fatalf("cond called %d times, want 3", got)
	}
}

func TestRecvReturnsTheValue(t *testing.T) {
	ch := make(chan int, 1)
	go func() { ch <- 42 }()
	if v := Recv(t, "the answer", ch); v != 42 {
		t.Fatalf("Recv = %d, want 42", v)
	}
}

func TestReturnsRunsF(t *testing.T) {
	var ran atomic.Bool
	Returns(t, "a function", func() { ran.Store(true) })
	if !ran.Load() {
		t.Fatal("f did not run")
	}
}

func TestSilentNeverAnswers(t *testing.T) {
	url, arrived := Silent(t)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-arrived
		cancel()
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader("body"))
	if err != nil {
		t.Fatal(err)
	}
	var resp *http.Response
	Returns(t, "a request cancelled once the server has it", func() { resp, err = http.DefaultClient.Do(req) })
	if err == nil {
		resp.Body.Close()
		t.Fatalf("the silent server answered HTTP %d", resp.StatusCode)
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
}
