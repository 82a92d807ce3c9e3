package simkit

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestFaultsFailNextCountsDown(t *testing.T) {
	var f Faults
	f.FailNext(2)
	for i, want := range []bool{true, true, false} {
		fail, err := f.Begin(context.Background())
		if err != nil || fail != want {
			t.Fatalf("request %d: fail %v err %v, want fail %v", i+1, fail, err, want)
		}
	}
	f.FailNext(1)
	f.FailNext(0)
	if fail, _ := f.Arrive(); fail {
		t.Fatal("FailNext(0) did not clear the knob")
	}
}

func TestFaultsDropNextCountsDown(t *testing.T) {
	var f Faults
	if f.TakeDrop() {
		t.Fatal("the zero Faults drop a reply")
	}
	f.DropNext(1)
	if !f.TakeDrop() || f.TakeDrop() {
		t.Fatal("DropNext(1) did not drop exactly one reply")
	}
}

func TestFaultsLatency(t *testing.T) {
	var f Faults
	f.SetLatency(time.Hour)
	if _, l := f.Arrive(); l != time.Hour {
		t.Fatalf("latency %v, want 1h", l)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := f.Begin(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Begin with an ended context: %v, want context.Canceled", err)
	}
	f.SetLatency(time.Millisecond)
	f.FailNext(1)
	if fail, err := f.Begin(context.Background()); err != nil || !fail {
		t.Fatalf("fail %v err %v", fail, err)
	}
}

func TestDropConnection(t *testing.T) {
	if DropConnection(httptest.NewRecorder()) {
		t.Fatal("a recorder cannot give up a connection")
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !DropConnection(w) {
			t.Error("the server's connection was not dropped")
		}
	}))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("a dropped connection answered HTTP %d", resp.StatusCode)
	}
}

// receiver answers the statuses in order, then 200, and counts the POSTs.
func receiver(t *testing.T, statuses ...int) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := n.Add(1)
		if r.Method != http.MethodPost || r.Header.Get("X-Test") != "yes" {
			t.Errorf("%s with X-Test %q", r.Method, r.Header.Get("X-Test"))
		}
		b, _ := io.ReadAll(r.Body)
		if string(b) != "payload" {
			t.Errorf("body %q", b)
		}
		if int(i) <= len(statuses) {
			w.WriteHeader(statuses[i-1])
		}
		_, _ = io.WriteString(w, "reply")
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

var testHeader = http.Header{"X-Test": {"yes"}}

func TestDelivererRetriesUntilAcknowledged(t *testing.T) {
	srv, hits := receiver(t, 500, 503)
	d := NewDeliverer(srv.Client(), time.Millisecond, 2*time.Millisecond, 10)
	defer d.Close()
	done := make(chan struct{})
	var statuses []int
	var exhausted bool
	if !d.Go(func() {
		defer close(done)
		exhausted = d.Retry(func(n int) bool {
			status, reply := d.Post(srv.URL, testHeader, []byte("payload"), 100)
			if string(reply) != "reply" {
				t.Errorf("attempt %d: reply %q", n, reply)
			}
			statuses = append(statuses, status)
			return Acknowledged(status)
		})
	}) {
		t.Fatal("Go refused before Close")
	}
	<-done
	if exhausted || hits.Load() != 3 || len(statuses) != 3 || statuses[0] != 500 || statuses[1] != 503 || statuses[2] != 200 {
		t.Fatalf("exhausted %v, hits %d, statuses %v", exhausted, hits.Load(), statuses)
	}
}

func TestDelivererGivesUp(t *testing.T) {
	srv, hits := receiver(t, 500, 500, 500, 500)
	d := NewDeliverer(srv.Client(), time.Millisecond, time.Millisecond, 3)
	defer d.Close()
	exhausted := d.Retry(func(int) bool {
		status, _ := d.Post(srv.URL, testHeader, []byte("payload"), 100)
		return Acknowledged(status)
	})
	if !exhausted || hits.Load() != 3 {
		t.Fatalf("exhausted %v after %d attempts, want true after 3", exhausted, hits.Load())
	}
}

func TestDelivererPostLimit(t *testing.T) {
	srv, _ := receiver(t)
	d := NewDeliverer(srv.Client(), time.Millisecond, time.Millisecond, 1)
	defer d.Close()
	status, reply := d.Post(srv.URL, testHeader, []byte("payload"), 4)
	if status != 200 || reply != nil {
		t.Fatalf("a reply over the limit: status %d reply %q, want 200 and nil", status, reply)
	}
	if status, _ := d.Post("http://127.0.0.1:0/", nil, nil, 4); status != 0 {
		t.Fatalf("no answer gave status %d", status)
	}
}

func TestDelivererCloseStopsWaits(t *testing.T) {
	srv, hits := receiver(t, 500)
	d := NewDeliverer(srv.Client(), time.Hour, time.Hour, 5)
	result := make(chan bool, 1)
	d.Go(func() {
		result <- d.Retry(func(int) bool {
			status, _ := d.Post(srv.URL, testHeader, []byte("payload"), 100)
			return Acknowledged(status)
		})
	})
	for hits.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	d.Close() // returns only once the hour-long wait has been cut short
	if exhausted := <-result; exhausted || hits.Load() != 1 {
		t.Fatalf("exhausted %v, hits %d", exhausted, hits.Load())
	}
	if d.Context().Err() == nil {
		t.Fatal("Close did not cancel the context")
	}
	if d.Go(func() { t.Error("ran after Close") }) {
		t.Fatal("Go accepted work after Close")
	}
}

const testPage = `<!doctype html><form method="post" action="/pay/abc?x=1&amp;y=2">
<input type="hidden" name="other" value="zzz">
<input type="hidden" name="token" value="0a1b">
<button name="action" value="approve">Pay</button></form>`

func TestFormParsing(t *testing.T) {
	if a, ok := FormAction([]byte(testPage)); !ok || a != "/pay/abc?x=1&amp;y=2" {
		t.Fatalf("FormAction %q %v", a, ok)
	}
	if v, ok := HiddenInput([]byte(testPage), "token"); !ok || v != "0a1b" {
		t.Fatalf("HiddenInput token %q %v", v, ok)
	}
	if _, ok := HiddenInput([]byte(testPage), "missing"); ok {
		t.Fatal("found an input that is not there")
	}
	if _, ok := FormAction([]byte("<p>no form</p>")); ok {
		t.Fatal("found a form that is not there")
	}
}

func TestBrowser(t *testing.T) {
	var posted url.Values
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet:
			_, _ = io.WriteString(w, testPage)
		case http.MethodPost:
			if r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
				t.Errorf("Content-Type %q", r.Header.Get("Content-Type"))
			}
			_ = r.ParseForm()
			posted = r.PostForm
			http.Redirect(w, r, "https://merchant.example/return", http.StatusSeeOther)
		}
	}))
	defer srv.Close()
	b := NewBrowser(time.Minute)
	page, err := b.Get(context.Background(), srv.URL, 1<<16)
	if err != nil || page.BodyErr != nil || page.Status != 200 || string(page.Body) != testPage {
		t.Fatalf("Get: %v %v %d %q", err, page.BodyErr, page.Status, page.Body)
	}
	short, err := b.Get(context.Background(), srv.URL, 10)
	if err != nil || len(short.Body) != 10 {
		t.Fatalf("Get with limit 10: %v, %d bytes", err, len(short.Body))
	}
	reply, err := b.PostForm(context.Background(), srv.URL, url.Values{"token": {"0a1b"}, "action": {"approve"}}, 1<<16)
	if err != nil {
		t.Fatal(err)
	}
	if reply.Status != http.StatusSeeOther || reply.Header.Get("Location") != "https://merchant.example/return" {
		t.Fatalf("the redirect was followed or lost: %d %q", reply.Status, reply.Header.Get("Location"))
	}
	if posted.Get("token") != "0a1b" || posted.Get("action") != "approve" {
		t.Fatalf("posted %v", posted)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := b.Get(ctx, srv.URL, 1); !errors.Is(err, context.Canceled) {
		t.Fatalf("Get with an ended context: %v", err)
	}
	if _, err := b.PostForm(context.Background(), "://bad", nil, 1); err == nil || !strings.Contains(err.Error(), "missing protocol scheme") {
		t.Fatalf("PostForm to a bad URL: %v", err)
	}
}
