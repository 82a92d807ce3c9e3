package transport

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestTraceSent(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	ctx, sent := TraceSent(context.Background())
	if sent.Load() {
		t.Fatal("sent before any request")
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, strings.NewReader("{}"))
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !sent.Load() {
		t.Error("a request the server answered is not marked sent")
	}

	// Nothing listens on a port just closed: the dial fails and nothing is written.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ctx, sent = TraceSent(context.Background())
	req, _ = http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+"/", strings.NewReader("{}"))
	if _, err := http.DefaultClient.Do(req); err == nil {
		t.Fatal("a request to a closed port succeeded")
	}
	if sent.Load() {
		t.Error("a request that never reached a connection is marked sent")
	}
}
