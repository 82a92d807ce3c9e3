package simkit_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"time"

	"github.com/paybridge/paybridge/provider/simkit"
)

// A simulator of a tiny API on the Server base: its handler lets the Kit apply the
// fault knobs, and its users get URL, Close, FailNext, DropNext, SetChaos and the rest
// from the embedded Server.
func ExampleListen() {
	base, kit, err := simkit.Listen(simkit.Options{}, simkit.Config{Name: "pingsim"})
	if err != nil {
		fmt.Println(err)
		return
	}
	kit.Serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fault, ok := kit.Arrive(r.Context())
		switch {
		case !ok: // the client left
		case fault == simkit.FailFault:
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
		case kit.TakeDrop():
			kit.Drop(w)
		default:
			kit.Answer(w, r, fault, http.StatusOK, http.Header{"Content-Type": {"text/plain"}}, []byte("pong"))
		}
	}))
	sim := struct{ simkit.Server }{base} // a simulator's Server embeds the base
	defer sim.Close()

	sim.FailNext(1)
	for range 2 {
		resp, err := http.Get(sim.URL() + "/ping")
		if err != nil {
			fmt.Println(err)
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(resp.StatusCode, strings.TrimSpace(string(body)))
	}
	fmt.Println(sim.Requests(), "requests")
	// Output:
	// 503 unavailable
	// 200 pong
	// 2 requests
}

// A simulated API fails the next request, then answers normally.
func ExampleFaults() {
	var faults simkit.Faults
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fail, err := faults.Begin(r.Context())
		if err != nil {
			return
		}
		if fail {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, "ok")
	}))
	defer srv.Close()
	faults.FailNext(1)
	for range 2 {
		resp, err := http.Get(srv.URL)
		if err != nil {
			fmt.Println(err)
			return
		}
		resp.Body.Close()
		fmt.Println(resp.StatusCode)
	}
	// Output:
	// 503
	// 200
}

// A notification is posted again until the receiver answers with a 2xx status.
func ExampleDeliverer() {
	var calls atomic.Int32
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) < 3 {
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	defer receiver.Close()
	d := simkit.NewDeliverer(receiver.Client(), time.Millisecond, 10*time.Millisecond, 5)
	defer d.Close()
	gaveUp := d.Retry(func(attempt int) bool {
		status, _ := d.Post(receiver.URL, http.Header{"Content-Type": {"application/json"}}, []byte(`{}`), 1<<10)
		fmt.Println("attempt", attempt, "status", status)
		return simkit.Acknowledged(status)
	})
	fmt.Println("gave up:", gaveUp)
	// Output:
	// attempt 1 status 500
	// attempt 2 status 500
	// attempt 3 status 200
	// gave up: false
}

// A Browser reads a hosted page's form and submits it.
func ExampleBrowser() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			_, _ = io.WriteString(w, `<form method="post" action="/done"><input type="hidden" name="token" value="abc"></form>`)
			return
		}
		_ = r.ParseForm()
		http.Redirect(w, r, "/thanks?token="+r.PostForm.Get("token"), http.StatusSeeOther)
	}))
	defer srv.Close()
	b := simkit.NewBrowser(time.Minute)
	ctx := context.Background()
	page, err := b.Get(ctx, srv.URL+"/page", 1<<16)
	if err != nil {
		fmt.Println(err)
		return
	}
	action, _ := simkit.FormAction(page.Body)
	token, _ := simkit.HiddenInput(page.Body, "token")
	reply, err := b.PostForm(ctx, srv.URL+action, map[string][]string{"token": {token}}, 1<<16)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(reply.Status, reply.Header.Get("Location"))
	// Output: 303 /thanks?token=abc
}
