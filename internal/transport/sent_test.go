package transport

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestTraceSent(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	s := new(sent)
	ctx := s.traceOn(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, strings.NewReader("{}"))
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !s.Load() {
		t.Error("a request the server answered is not marked sent")
	}

	// Nothing listens on a port just closed: the dial fails and nothing is written.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	s = new(sent)
	ctx = s.traceOn(context.Background())
	req, _ = http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+"/", strings.NewReader("{}"))
	if _, err := http.DefaultClient.Do(req); err == nil {
		t.Fatal("a request to a closed port succeeded")
	}
	if s.Load() {
		t.Error("a request that never reached a connection is marked sent")
	}
}

// silentTransport answers nothing and reports nothing to a trace, as a RoundTripper other
// than net/http's may.
type silentTransport struct{}

func (silentTransport) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("connection reset")
}

func TestTraceSentAssumesSentWhenTheTransportIsSilent(t *testing.T) {
	s := new(sent)
	ctx := s.traceOn(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "https://api.example/x", strings.NewReader("{}"))
	if _, err := (&http.Client{Transport: silentTransport{}}).Do(req); err == nil {
		t.Fatal("the silent transport answered")
	}
	if !s.Load() {
		t.Error("a transport that reports nothing to the trace failed, and the request counts as unsent: a write could be repeated after it took effect")
	}
}
