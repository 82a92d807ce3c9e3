package hawk

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const (
	testID  = "a1b2c3d4-e5f6-7890-abcd-ef1234567890"
	testKey = "sk_test_3kTp9j2mN5xR-secret"
	testURL = "https://api-sandbox.trustistecommerce.com/v1/payments?orgId=branch-1"
	testCT  = "application/json; charset=utf-8"
)

var (
	testCred = Credentials{ID: testID, Key: Key(testKey)}
	testBody = []byte(`{"amount":12.34,"reference":"ORDER-1","description":"Zoë's order"}`)
)

const testNow = int64(1700000000)

func signed(t *testing.T, opts RequestOptions) (string, Artifacts) {
	t.Helper()
	if opts.Timestamp == 0 && opts.Clock == nil {
		opts.Timestamp = testNow
	}
	h, a, err := RequestHeader(testCred, "POST", testURL, opts)
	if err != nil {
		t.Fatal(err)
	}
	return h, a
}

func TestRoundTrip(t *testing.T) {
	post := RequestOptions{ContentType: testCT, Payload: testBody}

	t.Run("ok", func(t *testing.T) {
		h, a := signed(t, post)
		srv := newServer(testID, []byte(testKey), fixedClock(testNow))
		res, err := srv.Authenticate(newRequest("POST", testURL, testCT, testBody, h), testBody)
		if err != nil {
			t.Fatal(err)
		}
		if res.Artifacts != a || res.Credentials.ID != testID || string(res.Credentials.Key) != testKey {
			t.Errorf("result = %+v, artifacts %+v; want artifacts %+v", res, res.Artifacts, a)
		}
	})

	t.Run("get without payload", func(t *testing.T) {
		h, _, err := RequestHeader(testCred, "GET", testURL, RequestOptions{Timestamp: testNow})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(h, "hash=") {
			t.Errorf("GET header carries a hash: %s", h)
		}
		srv := newServer(testID, []byte(testKey), fixedClock(testNow))
		// A Content-Type on a GET (as some clients send) does not matter without a body.
		if _, err := srv.Authenticate(newRequest("GET", testURL, "application/json", nil, h), nil); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("wrong key", func(t *testing.T) {
		h, _ := signed(t, post)
		srv := newServer(testID, []byte(testKey+"x"), fixedClock(testNow))
		_, err := srv.Authenticate(newRequest("POST", testURL, testCT, testBody, h), testBody)
		ae := wantKind(t, err, BadMAC)
		if ae.Status() != http.StatusUnauthorized || ae.WWWAuthenticate != `Hawk error="Bad mac"` {
			t.Errorf("status %d, WWW-Authenticate %q", ae.Status(), ae.WWWAuthenticate)
		}
	})

	t.Run("unknown id", func(t *testing.T) {
		h, _ := signed(t, post)
		srv := newServer("someone-else", []byte(testKey), fixedClock(testNow))
		_, err := srv.Authenticate(newRequest("POST", testURL, testCT, testBody, h), testBody)
		wantKind(t, err, UnknownID)
	})

	t.Run("changed body", func(t *testing.T) {
		h, _ := signed(t, post)
		body := bytes.Replace(testBody, []byte("12.34"), []byte("99.34"), 1)
		srv := newServer(testID, []byte(testKey), fixedClock(testNow))
		_, err := srv.Authenticate(newRequest("POST", testURL, testCT, body, h), body)
		wantKind(t, err, BadHash)
	})

	t.Run("changed content type", func(t *testing.T) {
		h, _ := signed(t, post)
		srv := newServer(testID, []byte(testKey), fixedClock(testNow))
		_, err := srv.Authenticate(newRequest("POST", testURL, "text/plain", testBody, h), testBody)
		wantKind(t, err, BadHash)
		// Parameters and case do not count.
		srv = newServer(testID, []byte(testKey), fixedClock(testNow))
		if _, err := srv.Authenticate(newRequest("POST", testURL, " Application/JSON ;q=1", testBody, h), testBody); err != nil {
			t.Errorf("media type with other parameters/case: %v", err)
		}
	})

	t.Run("changed request", func(t *testing.T) {
		h, _ := signed(t, post)
		for _, u := range []string{
			"https://api-sandbox.trustistecommerce.com/v1/payments?orgId=branch-2",
			"https://api-sandbox.trustistecommerce.com/v1/payments",
			"https://api.trustistecommerce.com/v1/payments?orgId=branch-1",
			"https://api-sandbox.trustistecommerce.com:8443/v1/payments?orgId=branch-1",
			"http://api-sandbox.trustistecommerce.com/v1/payments?orgId=branch-1",
		} {
			srv := newServer(testID, []byte(testKey), fixedClock(testNow))
			_, err := srv.Authenticate(newRequest("POST", u, testCT, testBody, h), testBody)
			wantKind(t, err, BadMAC)
		}
		srv := newServer(testID, []byte(testKey), fixedClock(testNow))
		_, err := srv.Authenticate(newRequest("PUT", testURL, testCT, testBody, h), testBody)
		wantKind(t, err, BadMAC)
	})

	t.Run("body without hash", func(t *testing.T) {
		h, _, err := RequestHeader(testCred, "POST", testURL, RequestOptions{Timestamp: testNow})
		if err != nil {
			t.Fatal(err)
		}
		srv := newServer(testID, []byte(testKey), fixedClock(testNow))
		_, err = srv.Authenticate(newRequest("POST", testURL, testCT, testBody, h), testBody)
		wantKind(t, err, MissingHash)

		srv = newServer(testID, []byte(testKey), fixedClock(testNow))
		srv.AllowUnhashedBody = true
		if _, err := srv.Authenticate(newRequest("POST", testURL, testCT, testBody, h), testBody); err != nil {
			t.Errorf("AllowUnhashedBody: %v", err)
		}
	})

	t.Run("empty payload hashed", func(t *testing.T) {
		h, a := signed(t, RequestOptions{ContentType: testCT, HasPayload: true})
		if a.Hash == "" {
			t.Fatal("no hash for an explicitly empty payload")
		}
		srv := newServer(testID, []byte(testKey), fixedClock(testNow))
		if _, err := srv.Authenticate(newRequest("POST", testURL, testCT, nil, h), nil); err != nil {
			t.Fatal(err)
		}
		srv = newServer(testID, []byte(testKey), fixedClock(testNow))
		_, err := srv.Authenticate(newRequest("POST", testURL, testCT, []byte("{}"), h), []byte("{}"))
		wantKind(t, err, BadHash)
	})

	t.Run("ext", func(t *testing.T) {
		opts := post
		opts.Ext = "some-app-data: a=1, b=2"
		h, a := signed(t, opts)
		srv := newServer(testID, []byte(testKey), fixedClock(testNow))
		res, err := srv.Authenticate(newRequest("POST", testURL, testCT, testBody, h), testBody)
		if err != nil {
			t.Fatal(err)
		}
		if res.Artifacts.Ext != opts.Ext || res.Artifacts != a {
			t.Errorf("ext = %q", res.Artifacts.Ext)
		}
		srv = newServer(testID, []byte(testKey), fixedClock(testNow))
		changed := strings.Replace(h, "a=1", "a=2", 1)
		_, err = srv.Authenticate(newRequest("POST", testURL, testCT, testBody, changed), testBody)
		wantKind(t, err, BadMAC)
	})

	t.Run("replay", func(t *testing.T) {
		h, _ := signed(t, post)
		srv := newServer(testID, []byte(testKey), fixedClock(testNow))
		if _, err := srv.Authenticate(newRequest("POST", testURL, testCT, testBody, h), testBody); err != nil {
			t.Fatal(err)
		}
		_, err := srv.Authenticate(newRequest("POST", testURL, testCT, testBody, h), testBody)
		wantKind(t, err, Replay)
		// A fresh nonce is fine.
		h2, _ := signed(t, post)
		if _, err := srv.Authenticate(newRequest("POST", testURL, testCT, testBody, h2), testBody); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("skew boundary", func(t *testing.T) {
		for _, off := range []int64{-60, 60} {
			opts := post
			opts.Timestamp = testNow + off
			h, _ := signed(t, opts)
			srv := newServer(testID, []byte(testKey), fixedClock(testNow))
			if _, err := srv.Authenticate(newRequest("POST", testURL, testCT, testBody, h), testBody); err != nil {
				t.Errorf("offset %d s: %v", off, err)
			}
		}
	})

	t.Run("stale", func(t *testing.T) {
		for _, off := range []int64{-61, 61} {
			opts := post
			opts.Timestamp = testNow + off
			h, _ := signed(t, opts)
			srv := newServer(testID, []byte(testKey), fixedClock(testNow))
			_, err := srv.Authenticate(newRequest("POST", testURL, testCT, testBody, h), testBody)
			ae := wantKind(t, err, Stale)
			ts, err := VerifyStaleTimestamp(testCred, ae.WWWAuthenticate)
			if err != nil {
				t.Fatalf("stale reply %q does not verify: %v", ae.WWWAuthenticate, err)
			}
			if ts != testNow {
				t.Errorf("server ts = %d, want %d", ts, testNow)
			}
			if !strings.HasSuffix(ae.WWWAuthenticate, `, error="Stale timestamp"`) {
				t.Errorf("WWW-Authenticate = %q", ae.WWWAuthenticate)
			}
			if _, err := VerifyStaleTimestamp(Credentials{ID: testID, Key: Key("other")}, ae.WWWAuthenticate); err != ErrBadTimestampMAC {
				t.Errorf("stale reply verified with the wrong key: %v", err)
			}
		}
	})

	t.Run("custom skew", func(t *testing.T) {
		opts := post
		opts.Timestamp = testNow - 100
		h, _ := signed(t, opts)
		srv := newServer(testID, []byte(testKey), fixedClock(testNow))
		srv.Skew = 2 * time.Minute
		if _, err := srv.Authenticate(newRequest("POST", testURL, testCT, testBody, h), testBody); err != nil {
			t.Fatal(err)
		}
	})
}

func TestServerHeaderErrors(t *testing.T) {
	good, _ := signed(t, RequestOptions{ContentType: testCT, Payload: testBody})
	attrs, err := ParseHeader(good, Authorization)
	if err != nil {
		t.Fatal(err)
	}
	rebuild := func(change func(map[string]string)) string {
		m := make(map[string]string, len(attrs))
		for k, v := range attrs {
			m[k] = v
		}
		change(m)
		h, err := FormatHeader(Authorization, m)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	tests := []struct {
		name   string
		header string
		host   string
		kind   ErrorKind
	}{
		{name: "none", header: "", kind: MissingAuth},
		{name: "other scheme", header: "Bearer abc", kind: MissingAuth},
		{name: "scheme only", header: "Hawk", kind: BadHeader},
		{name: "garbage", header: `Hawk id="x" ts="1"`, kind: BadHeader},
		{name: "no id", header: rebuild(func(m map[string]string) { delete(m, "id") }), kind: BadHeader},
		{name: "no ts", header: rebuild(func(m map[string]string) { delete(m, "ts") }), kind: BadHeader},
		{name: "no nonce", header: rebuild(func(m map[string]string) { delete(m, "nonce") }), kind: BadHeader},
		{name: "no mac", header: rebuild(func(m map[string]string) { delete(m, "mac") }), kind: BadHeader},
		{name: "ts not a number", header: rebuild(func(m map[string]string) { m["ts"] = "17e8" }), kind: BadHeader},
		{name: "ts leading zero", header: rebuild(func(m map[string]string) { m["ts"] = "0" + m["ts"] }), kind: BadHeader},
		{name: "app", header: rebuild(func(m map[string]string) { m["app"] = "x" }), kind: BadHeader},
		{name: "dlg", header: rebuild(func(m map[string]string) { m["dlg"] = "x" }), kind: BadHeader},
		{name: "hash removed", header: rebuild(func(m map[string]string) { delete(m, "hash") }), kind: BadMAC},
		{name: "mac changed", header: rebuild(func(m map[string]string) { m["mac"] = string("BA"[min(1, int(m["mac"][0]^'A'))]) + m["mac"][1:] }), kind: BadMAC},
		{name: "bad host", header: good, host: "api-sandbox.trustistecommerce.com:x", kind: BadHeader},
		{name: "bad port", header: good, host: "api-sandbox.trustistecommerce.com:70000", kind: BadHeader},
		{name: "explicit default port", header: good, host: "API-Sandbox.TrustistEcommerce.com:443"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRequest("POST", testURL, testCT, testBody, tc.header)
			if tc.host != "" {
				r.Host = tc.host
			}
			srv := newServer(testID, []byte(testKey), fixedClock(testNow))
			_, err := srv.Authenticate(r, testBody)
			if tc.kind == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			ae := wantKind(t, err, tc.kind)
			if tc.kind == BadHeader && ae.Status() != http.StatusBadRequest {
				t.Errorf("status = %d", ae.Status())
			}
			if tc.kind == MissingAuth && (ae.Status() != http.StatusUnauthorized || ae.WWWAuthenticate != "Hawk") {
				t.Errorf("status = %d, WWW-Authenticate %q", ae.Status(), ae.WWWAuthenticate)
			}
		})
	}

	t.Run("two headers", func(t *testing.T) {
		r := newRequest("POST", testURL, testCT, testBody, good)
		r.Header.Add("Authorization", good)
		_, err := newServer(testID, []byte(testKey), fixedClock(testNow)).Authenticate(r, testBody)
		wantKind(t, err, BadHeader)
	})
	t.Run("no credentials func", func(t *testing.T) {
		srv := &Server{Now: fixedClock(testNow)}
		_, err := srv.Authenticate(newRequest("POST", testURL, testCT, testBody, good), testBody)
		wantKind(t, err, UnknownID)
	})
}

func TestServerHostAndPort(t *testing.T) {
	tests := []struct {
		url  string
		host string
		tls  bool
	}{
		{url: "http://localhost:8080/v1/x", host: "localhost:8080"},
		{url: "http://localhost/v1/x", host: "localhost"},
		{url: "https://localhost/v1/x", host: "localhost", tls: true},
		{url: "https://[::1]:9443/v1/x", host: "[::1]:9443", tls: true},
		{url: "http://[::1]/v1/x", host: "[::1]"},
		{url: "https://Example.NET:9443/v1/a%2Fb?x=%20y&z", host: "Example.NET:9443", tls: true},
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			h, a, err := RequestHeader(testCred, "GET", tc.url, RequestOptions{Timestamp: testNow})
			if err != nil {
				t.Fatal(err)
			}
			r := newRequest("GET", tc.url, "", nil, h)
			r.Host = tc.host
			if !tc.tls {
				r.TLS = nil
			}
			res, err := newServer(testID, []byte(testKey), fixedClock(testNow)).Authenticate(r, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.Artifacts != a {
				t.Errorf("server artifacts %+v, client %+v", res.Artifacts, a)
			}
		})
	}
}

func TestRequestHeaderErrors(t *testing.T) {
	tests := []struct {
		name   string
		cred   Credentials
		method string
		url    string
		opts   RequestOptions
	}{
		{name: "no id", cred: Credentials{Key: Key("k")}, method: "GET", url: testURL},
		{name: "bad id", cred: Credentials{ID: `a"b`, Key: Key("k")}, method: "GET", url: testURL},
		{name: "no key", cred: Credentials{ID: "id"}, method: "GET", url: testURL},
		{name: "no method", cred: testCred, url: testURL},
		{name: "relative url", cred: testCred, method: "GET", url: "/v1/payments"},
		{name: "other scheme", cred: testCred, method: "GET", url: "ftp://example.net/x"},
		{name: "bad port", cred: testCred, method: "GET", url: "https://example.net:0/x"},
		{name: "unparsable url", cred: testCred, method: "GET", url: "https://exa mple.net/%zz"},
		{name: "bad nonce", cred: testCred, method: "GET", url: testURL, opts: RequestOptions{Nonce: "a\\b"}},
		{name: "bad ext", cred: testCred, method: "GET", url: testURL, opts: RequestOptions{Ext: "line\nbreak"}},
		{name: "quote in ext", cred: testCred, method: "GET", url: testURL, opts: RequestOptions{Ext: `say "hi"`}},
		{name: "negative ts", cred: testCred, method: "GET", url: testURL, opts: RequestOptions{Timestamp: -5}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := RequestHeader(tc.cred, tc.method, tc.url, tc.opts); err == nil {
				t.Error("no error")
			} else if strings.Contains(err.Error(), testKey) {
				t.Errorf("error reveals the key: %v", err)
			}
		})
	}
}

func TestRequestHeaderDefaults(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		before := time.Now().Unix()
		_, a, err := RequestHeader(testCred, "get", "https://example.net", RequestOptions{})
		after := time.Now().Unix()
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Nonce) != 6 || !ValidAttributeValue(a.Nonce) || strings.Trim(a.Nonce, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
			t.Fatalf("nonce %q is not 6 base64url characters", a.Nonce)
		}
		if seen[a.Nonce] {
			t.Fatalf("nonce %q repeated", a.Nonce)
		}
		seen[a.Nonce] = true
		if a.Timestamp < before || a.Timestamp > after {
			t.Fatalf("ts %d is not now (%d..%d)", a.Timestamp, before, after)
		}
		if a.Method != "GET" || a.Resource != "/" || a.Port != 443 || a.Host != "example.net" {
			t.Fatalf("artifacts %+v", a)
		}
	}
	// A trailing "?" is part of the resource, as sent.
	_, a, err := RequestHeader(testCred, "GET", "http://example.net/a?", RequestOptions{Timestamp: 1})
	if err != nil || a.Resource != "/a?" || a.Port != 80 {
		t.Errorf("artifacts %+v, err %v", a, err)
	}
}

func TestClock(t *testing.T) {
	local := time.Unix(testNow-100, 0)
	c := &Clock{Local: func() time.Time { return local }}
	if c.Now() != testNow-100 || c.Offset() != 0 {
		t.Fatalf("Now %d, Offset %d", c.Now(), c.Offset())
	}
	h := `Hawk ts="` + strconv.FormatInt(testNow, 10) + `", tsm="` + TimestampMAC([]byte(testKey), testNow) + `", error="Stale timestamp"`
	if err := c.Sync(testCred, h); err != nil {
		t.Fatal(err)
	}
	if c.Offset() != 100 || c.Now() != testNow {
		t.Errorf("after sync: Offset %d, Now %d", c.Offset(), c.Now())
	}
	// A forged reply leaves the offset alone.
	forged := `Hawk ts="1", tsm="` + TimestampMAC([]byte("wrong"), 1) + `", error="Stale timestamp"`
	if err := c.Sync(testCred, forged); err != ErrBadTimestampMAC {
		t.Errorf("forged: %v", err)
	}
	if err := c.Sync(testCred, `Hawk ts="1", error="Stale timestamp"`); err != ErrBadTimestampMAC {
		t.Errorf("no tsm: %v", err)
	}
	if err := c.Sync(testCred, `Hawk error="Bad mac"`); err != ErrNoTimestamp {
		t.Errorf("no ts: %v", err)
	}
	if err := c.Sync(testCred, `Hawk ts="x1", tsm="abc"`); !errors.Is(err, ErrInvalidHeader) {
		t.Errorf("bad ts: %v", err)
	}
	if err := c.Sync(testCred, `Basic realm="x"`); !errors.Is(err, ErrNotHawk) {
		t.Errorf("other scheme: %v", err)
	}
	if c.Offset() != 100 {
		t.Errorf("offset changed to %d by rejected replies", c.Offset())
	}
	var nilClock *Clock
	before := time.Now().Unix()
	if got := nilClock.Now(); got < before || got > time.Now().Unix() || nilClock.Offset() != 0 {
		t.Errorf("nil clock: Now %d, Offset %d", got, nilClock.Offset())
	}
}

func TestClockConcurrent(t *testing.T) {
	c := &Clock{}
	h := `Hawk ts="` + strconv.FormatInt(testNow, 10) + `", tsm="` + TimestampMAC([]byte(testKey), testNow) + `"`
	began := time.Now()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				if err := c.Sync(testCred, h); err != nil {
					t.Error(err)
					return
				}
				_ = c.Now()
				_, _, _ = RequestHeader(testCred, "GET", testURL, RequestOptions{Clock: c})
			}
		})
	}
	wg.Wait()
	// Now is testNow plus the whole seconds since the last Sync, which followed began.
	if d := c.Now() - testNow; d < 0 || d > int64(time.Since(began)/time.Second)+1 {
		t.Errorf("Now = %d, want about %d", c.Now(), testNow)
	}
}

// TestStaleSyncOverHTTP runs a client whose clock is 100 s slow against a Hawk server over
// HTTP: the first request is refused as stale, the client adjusts its clock from the
// reply, and the retry succeeds; the response is authenticated with Server-Authorization.
func TestStaleSyncOverHTTP(t *testing.T) {
	srv := &Server{Credentials: func(id string) ([]byte, bool) { return []byte(testKey), id == testID }}
	var calls atomic.Int32
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		res, err := srv.Authenticate(r, body)
		if err != nil {
			var ae *AuthError
			errors.As(err, &ae)
			if ae.WWWAuthenticate != "" {
				w.Header().Set("WWW-Authenticate", ae.WWWAuthenticate)
			}
			http.Error(w, ae.Message, ae.Status())
			return
		}
		out := []byte(`{"id":"pay_123","status":"PENDING"}`)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Server-Authorization", ResponseHeader(res.Credentials.Key, res.Artifacts, "application/json", out))
		_, _ = w.Write(out)
	}))
	defer ts.Close()

	clock := &Clock{Local: func() time.Time { return time.Now().Add(-100 * time.Second) }}
	do := func() (*http.Response, []byte, Artifacts) {
		t.Helper()
		url := ts.URL + "/v1/payments?orgId=x"
		h, a, err := RequestHeader(testCred, "POST", url, RequestOptions{Clock: clock, ContentType: "application/json", Payload: testBody})
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest("POST", url, bytes.NewReader(testBody))
		req.Header.Set("Authorization", h)
		req.Header.Set("Content-Type", "application/json")
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b, a
	}

	began := time.Now()
	resp, _, _ := do()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("first status = %d, want 401", resp.StatusCode)
	}
	if err := clock.Sync(testCred, resp.Header.Get("WWW-Authenticate")); err != nil {
		t.Fatalf("sync: %v", err)
	}
	// The server's time when it answered, less the local time at Sync: 100 s less the
	// whole seconds in between, however many a busy machine took.
	if off := clock.Offset(); off < 100-int64(time.Since(began)/time.Second)-1 || off > 100 {
		t.Errorf("offset = %d, want about 100", off)
	}
	resp, body, a := do()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("retry status = %d (%s)", resp.StatusCode, body)
	}
	if err := VerifyResponse(testCred, a, resp.Header.Get("Server-Authorization"), resp.Header.Get("Content-Type"), body); err != nil {
		t.Fatalf("response: %v", err)
	}
	if calls.Load() != 2 {
		t.Errorf("%d calls", calls.Load())
	}
}

func TestResponseHeader(t *testing.T) {
	_, req := signed(t, RequestOptions{ContentType: testCT, Payload: testBody, Ext: "req-ext"})
	payload := []byte(`{"status":"COMPLETE"}`)
	const ct = "application/json"
	h := ResponseHeader([]byte(testKey), req, ct, payload)
	if !strings.HasPrefix(h, `Hawk mac="`) || !strings.Contains(h, `, hash="`+PayloadHash(ct, payload)+`"`) {
		t.Fatalf("header %q", h)
	}
	if err := VerifyResponse(testCred, req, h, ct, payload); err != nil {
		t.Fatal(err)
	}
	if err := VerifyResponse(testCred, req, h, ct, nil); err != nil {
		t.Errorf("nil payload (not checked): %v", err)
	}
	// The response MAC agrees with a second, plain implementation.
	want := refMAC(testKey, "response", strconv.FormatInt(req.Timestamp, 10), req.Nonce, req.Method, req.Resource, req.Host, req.Port, PayloadHash(ct, payload), "")
	if attrs, _ := ParseHeader(h, ServerAuthorization); attrs["mac"] != want {
		t.Errorf("response mac %q, want %q", attrs["mac"], want)
	}

	other := req
	other.Nonce = "other1"
	attrs, _ := ParseHeader(h, ServerAuthorization)
	// Change the MAC's first character (to "A", or to "B" when it already is an "A": the
	// MAC depends on the clock, so a fixed replacement would leave it unchanged now and then).
	first := "A"
	if strings.HasPrefix(attrs["mac"], "A") {
		first = "B"
	}
	badMAC, _ := FormatHeader(ServerAuthorization, map[string]string{"mac": first + attrs["mac"][1:], "hash": attrs["hash"]})
	noHash := ResponseHeader([]byte(testKey), req, ct, nil)
	extMAC := MAC([]byte(testKey), TypeResponse, Artifacts{Method: req.Method, Resource: req.Resource, Host: req.Host, Port: req.Port, Timestamp: req.Timestamp, Nonce: req.Nonce, Hash: attrs["hash"], Ext: "server-ext"})
	withExt := `Hawk mac="` + extMAC + `", hash="` + attrs["hash"] + `", ext="server-ext"`
	if err := VerifyResponse(testCred, req, withExt, ct, payload); err != nil {
		t.Errorf("response with ext: %v", err)
	}
	tests := []struct {
		name    string
		cred    Credentials
		req     Artifacts
		header  string
		payload []byte
		want    error
	}{
		{"changed payload", testCred, req, h, []byte(`{"status":"FAILED"}`), ErrBadResponseHash},
		{"empty payload", testCred, req, h, []byte{}, ErrBadResponseHash},
		{"other request", testCred, other, h, payload, ErrBadResponseMAC},
		{"wrong key", Credentials{ID: testID, Key: Key("nope")}, req, h, payload, ErrBadResponseMAC},
		{"changed mac", testCred, req, badMAC, payload, ErrBadResponseMAC},
		{"ext changed", testCred, req, strings.Replace(withExt, "server-ext", "server-exu", 1), payload, ErrBadResponseMAC},
		{"no hash", testCred, req, noHash, payload, ErrMissingResponseHash},
		{"no mac", testCred, req, `Hawk hash="abc"`, payload, ErrInvalidHeader},
		{"request attribute", testCred, req, h + `, id="x"`, payload, ErrInvalidHeader},
		{"missing", testCred, req, "", payload, ErrNoServerAuthorization},
		{"missing, body unchecked", testCred, req, "", nil, ErrNoServerAuthorization},
		{"another scheme", testCred, req, `Bearer abc`, payload, ErrNotHawk},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := VerifyResponse(tc.cred, tc.req, tc.header, ct, tc.payload); !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
		})
	}
	if err := VerifyResponse(testCred, req, noHash, ct, nil); err != nil {
		t.Errorf("hash-less response without payload check: %v", err)
	}
}

func TestMemoryNonces(t *testing.T) {
	now := time.Unix(testNow, 0)
	m := &MemoryNonces{Window: 2 * time.Minute, Now: func() time.Time { return now }}
	if m.Seen("a", "n1", testNow) {
		t.Fatal("first use reported as seen")
	}
	if !m.Seen("a", "n1", testNow) {
		t.Fatal("replay not caught")
	}
	if m.Seen("b", "n1", testNow) || m.Seen("a", "n1", testNow+1) {
		t.Fatal("different id or ts reported as seen")
	}
	// A far-future timestamp is remembered until it, too, is old.
	if m.Seen("a", "future", testNow+3600) {
		t.Fatal("future first use reported as seen")
	}
	now = now.Add(119 * time.Second)
	if !m.Seen("a", "n1", testNow) {
		t.Fatal("forgotten inside the window")
	}
	now = now.Add(10 * time.Second)
	m.Seen("a", "sweep", now.Unix())
	if m.Seen("a", "n1", testNow) {
		t.Fatal("remembered after the window")
	}
	if !m.Seen("a", "future", testNow+3600) {
		t.Fatal("future nonce forgotten")
	}
	now = now.Add(2 * time.Hour)
	m.Seen("a", "sweep2", now.Unix())
	if n := m.Len(); n != 1 {
		t.Errorf("%d entries remembered after everything expired, want 1", n)
	}
}

// TestReplayAlwaysCaught replays one request at many later times: every replay is refused
// as a replay or as stale, never accepted.
func TestReplayAlwaysCaught(t *testing.T) {
	h, _ := signed(t, RequestOptions{ContentType: testCT, Payload: testBody})
	now := time.Unix(testNow, 0)
	srv := newServer(testID, []byte(testKey), func() time.Time { return now })
	if _, err := srv.Authenticate(newRequest("POST", testURL, testCT, testBody, h), testBody); err != nil {
		t.Fatal(err)
	}
	for step := 0; step < 400; step++ {
		now = now.Add(time.Second)
		// Unrelated traffic keeps the nonce store sweeping.
		fresh, _ := signed(t, RequestOptions{Timestamp: now.Unix(), ContentType: testCT, Payload: testBody})
		if _, err := srv.Authenticate(newRequest("POST", testURL, testCT, testBody, fresh), testBody); err != nil {
			t.Fatalf("fresh request at +%ds: %v", step+1, err)
		}
		_, err := srv.Authenticate(newRequest("POST", testURL, testCT, testBody, h), testBody)
		var ae *AuthError
		if !errors.As(err, &ae) || (ae.Kind != Replay && ae.Kind != Stale) {
			t.Fatalf("replay at +%ds: %v", step+1, err)
		}
	}
}
