package transport

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/transport/transporttest"
	"github.com/paybridge/paybridge/provider"
)

// post builds the request Do is given in these tests: a POST with a body and credentials
// in its header.
func post(t *testing.T, ctx context.Context, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(`{"amount":"1.00"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Basic c2VjcmV0LWtleQ==")
	return req
}

// wantCode returns err's *provider.Error after checking its code.
func wantCode(t *testing.T, what string, err error, code provider.Code) *provider.Error {
	t.Helper()
	var pe *provider.Error
	if !errors.As(err, &pe) || pe.Code != code {
		t.Fatalf("%s: error %v, want code %v", what, err, code)
	}
	return pe
}

// closedURL is a loopback URL on which nothing listens: a dial to it fails, and nothing
// is written.
func closedURL(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

// rawServer answers each request with what answer writes to the raw connection, then
// closes it.
func rawServer(t *testing.T, answer func(c net.Conn)) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		c, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close()
		answer(c)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestDoAnswers(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("CorrelationId", "corr-1")
		switch r.URL.Path {
		case "/ok":
			w.WriteHeader(http.StatusCreated)
			_, _ = io.WriteString(w, `{"id":"p1"}`)
		case "/500":
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = io.WriteString(w, `{"error":"boom"}`)
		case "/big":
			_, _ = io.WriteString(w, strings.Repeat("x", 100))
		}
	}))
	defer srv.Close()
	c := Client(srv.Client())
	resp, err := Do(c, post(t, context.Background(), srv.URL+"/ok"), "Acme", 0)
	if err != nil || resp.Status != http.StatusCreated || string(resp.Body) != `{"id":"p1"}` || resp.CorrelationID() != "corr-1" {
		t.Fatalf("2xx: %+v, %v", resp, err)
	}
	// A whole error answer is the adapter's to read, whatever its status.
	resp, err = Do(c, post(t, context.Background(), srv.URL+"/500"), "Acme", 0)
	if err != nil || resp.Status != http.StatusInternalServerError || string(resp.Body) != `{"error":"boom"}` {
		t.Fatalf("500: %+v, %v", resp, err)
	}
	// A body beyond the limit was not read whole: the request may have been processed.
	_, err = Do(c, post(t, context.Background(), srv.URL+"/big"), "Acme", 99)
	if pe := wantCode(t, "body over the limit", err, provider.UnknownOutcome); !errors.Is(err, ErrResponseTooLarge) || pe.CorrelationID != "corr-1" {
		t.Fatalf("body over the limit: %v (correlation id %q)", err, pe.CorrelationID)
	}
}

func TestDoNothingWrittenIsUnavailable(t *testing.T) {
	url := closedURL(t) + "/pay?token=query-secret"
	_, err := Do(Client(nil), post(t, context.Background(), url), "Acme", 0)
	pe := wantCode(t, "a dial that failed", err, provider.ProviderUnavailable)
	if pe.Err == nil || pe.Message != "Acme could not be reached" {
		t.Errorf("a dial that failed: %+v", pe)
	}
	// net/http's error quotes the URL; the error Do returns does not.
	if s := err.Error(); strings.Contains(s, "query-secret") || strings.Contains(s, "c2VjcmV0") || strings.Contains(s, "/pay") {
		t.Errorf("the error quotes the request: %s", s)
	}
}

func TestDoWrittenThenDroppedIsUnknown(t *testing.T) {
	url := rawServer(t, func(net.Conn) {}) // the request was read, the connection closes unanswered
	_, err := Do(Client(nil), post(t, context.Background(), url), "Acme", 0)
	pe := wantCode(t, "a connection dropped after the request", err, provider.UnknownOutcome)
	if pe.HTTPStatus != 0 || !strings.Contains(pe.Message, "no answer arrived") {
		t.Errorf("a connection dropped after the request: %+v", pe)
	}
}

func TestDoTruncatedBody(t *testing.T) {
	truncated := func(status string) string {
		return rawServer(t, func(c net.Conn) {
			_, _ = io.WriteString(c, "HTTP/1.1 "+status+"\r\nContent-Length: 100\r\nX-Request-Id: req-7\r\n\r\n{\"id\":")
		})
	}
	_, err := Do(Client(nil), post(t, context.Background(), truncated("200 OK")), "Acme", 0)
	pe := wantCode(t, "a 200 cut short", err, provider.UnknownOutcome)
	if pe.HTTPStatus != 200 || pe.CorrelationID != "req-7" || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("a 200 cut short: %+v", pe)
	}
	// 503 and 429 say the request was refused before processing, whatever follows.
	_, err = Do(Client(nil), post(t, context.Background(), truncated("503 Service Unavailable")), "Acme", 0)
	wantCode(t, "a 503 cut short", err, provider.ProviderUnavailable)
	_, err = Do(Client(nil), post(t, context.Background(), truncated("429 Too Many Requests")), "Acme", 0)
	wantCode(t, "a 429 cut short", err, provider.RateLimited)
	_, err = Do(Client(nil), post(t, context.Background(), truncated("500 Internal Server Error")), "Acme", 0)
	wantCode(t, "a 500 cut short", err, provider.UnknownOutcome)
}

func TestDoContext(t *testing.T) {
	// Ended before anything was written: the context's own error, as it is.
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Do(Client(nil), post(t, ctx, srv.URL), "Acme", 0); err != context.Canceled {
		t.Fatalf("a call whose context ended before it was sent: %v, want context.Canceled itself", err)
	}

	// Ended once the server holds the request: it may have been processed.
	arrived, release := make(chan struct{}), make(chan struct{})
	held := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-release
	}))
	defer held.Close()
	defer close(release)
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-arrived
		cancel()
	}()
	_, err := Do(Client(nil), post(t, ctx, held.URL), "Acme", 0)
	wantCode(t, "a call whose context ended after it was sent", err, provider.UnknownOutcome)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("the error does not say the context ended: %v", err)
	}
}

func TestDoRefusesRedirects(t *testing.T) {
	trap := transporttest.NewTrap(t)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/see-other" {
			w.Header().Set("Location", "/result")
			w.WriteHeader(http.StatusSeeOther)
			return
		}
		w.Header().Set("Location", "http://user:pw@"+strings.TrimPrefix(trap.URL(), "http://")+r.URL.Path+"?token=t")
		w.WriteHeader(http.StatusTemporaryRedirect)
	}))
	defer front.Close()
	// The caller's client would follow; the one the adapters build from it does not.
	c := Client(&http.Client{})
	_, err := Do(c, post(t, context.Background(), front.URL+"/pay"), "Acme", 0)
	pe := wantCode(t, "a 307", err, provider.InvalidRequest)
	if pe.HTTPStatus != http.StatusTemporaryRedirect || !strings.Contains(pe.Message, trap.URL()+"/pay") ||
		strings.Contains(pe.Message, "pw") || strings.Contains(pe.Message, "token") {
		t.Errorf("a 307: %+v", pe)
	}
	if n := len(trap.Requests()); n != 0 {
		t.Fatalf("the redirect was followed: %d requests reached its target", n)
	}
	// A 303 can point at the result of a processed request.
	_, err = Do(c, post(t, context.Background(), front.URL+"/see-other"), "Acme", 0)
	if pe := wantCode(t, "a 303", err, provider.UnknownOutcome); pe.HTTPStatus != http.StatusSeeOther {
		t.Errorf("a 303: %+v", pe)
	}
}

func TestRefusal(t *testing.T) {
	for _, c := range []struct {
		status int
		code   provider.Code
		want   provider.Code
	}{
		{400, provider.InvalidRequest, provider.InvalidRequest},
		{404, provider.NotFound, provider.NotFound},
		{429, provider.RateLimited, provider.RateLimited},
		{503, provider.ProviderUnavailable, provider.ProviderUnavailable},
		{500, provider.ProviderUnavailable, provider.UnknownOutcome},
		{502, provider.InvalidRequest, provider.UnknownOutcome},
		{504, provider.ProviderUnavailable, provider.UnknownOutcome},
		// The provider says it failed while processing, under a status that does not
		// say it refused the request unprocessed.
		{200, provider.ProviderUnavailable, provider.UnknownOutcome},
		{400, provider.ProviderUnavailable, provider.UnknownOutcome},
		{429, provider.ProviderUnavailable, provider.ProviderUnavailable},
	} {
		e := Refusal(c.status, &provider.Error{Code: c.code, Message: "m"})
		if e.Code != c.want || (c.want == provider.UnknownOutcome) != strings.HasSuffix(e.Message, mayHave) {
			t.Errorf("Refusal(%d, %v) = %v %q, want %v", c.status, c.code, e.Code, e.Message, c.want)
		}
	}
}

func TestUnverifiedAndUnusable(t *testing.T) {
	cause := errors.New("bad MAC")
	if e := Unverified(200, "unsigned", cause); e.Code != provider.UnknownOutcome || !errors.Is(e, cause) {
		t.Errorf("Unverified = %+v", e)
	}
	if e := Unusable(true, 200, "c", "bad signature", cause); e.Code != provider.UnknownOutcome || e.CorrelationID != "c" || !errors.Is(e, cause) {
		t.Errorf("Unusable write = %+v", e)
	}
	if e := Unusable(false, 200, "c", "bad signature", cause); e.Code != provider.Internal || e.Message != "bad signature" {
		t.Errorf("Unusable read = %+v", e)
	}
}

func TestCorrelationID(t *testing.T) {
	for h, want := range map[string]string{
		"CorrelationId: a\r\nX-Request-Id: b\r\n": "a",
		"X-Correlation-Id: c\r\n":                 "c",
		"X-Request-Id: d\r\n":                     "d",
		"X-Other: e\r\n":                          "",
	} {
		resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader("HTTP/1.1 200 OK\r\n"+h+"\r\n")), nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := CorrelationID(resp.Header); got != want {
			t.Errorf("%q: CorrelationID = %q, want %q", h, got, want)
		}
	}
}

// TestOpenLeavesTheBodyToTheCaller: Open returns the answer with its body unread, and a
// body that breaks off while the caller streams it is classified as Do classifies it.
func TestOpenLeavesTheBodyToTheCaller(t *testing.T) {
	url := rawServer(t, func(c net.Conn) {
		_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nX-Request-Id: req-9\r\n\r\n[{\"row\":1},")
	})
	resp, err := Open(Client(nil), post(t, context.Background(), url), "Acme")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if string(b) != `[{"row":1},` || err == nil {
		t.Fatalf("read %q, %v; want the rows sent, then the break", b, err)
	}
	pe := wantCode(t, "a streamed body cut short", BodyFailure(context.Background(), "Acme", resp, err), provider.UnknownOutcome)
	if pe.HTTPStatus != 200 || pe.CorrelationID != "req-9" {
		t.Errorf("a streamed body cut short: %+v", pe)
	}
	// What fails before the body is Do's: nothing written is unavailable, a redirect refused.
	_, err = Open(Client(nil), post(t, context.Background(), closedURL(t)), "Acme")
	wantCode(t, "Open of a closed port", err, provider.ProviderUnavailable)
	redirect := rawServer(t, func(c net.Conn) {
		_, _ = io.WriteString(c, "HTTP/1.1 307 Temporary Redirect\r\nLocation: https://elsewhere.example/pay\r\nContent-Length: 0\r\n\r\n")
	})
	_, err = Open(Client(nil), post(t, context.Background(), redirect), "Acme")
	wantCode(t, "Open answered with a redirect", err, provider.InvalidRequest)
}
