package main

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider/trustist"
	"github.com/paybridge/paybridge/provider/trustly"
	"github.com/paybridge/paybridge/provider/trustlyrest"
	"github.com/paybridge/paybridge/sandbox"
)

// result is one run of the command.
type result struct {
	code     int
	out, err string
}

// cli runs the command line in-process, until the test ends (a run under -race on a busy
// machine can take minutes; one that hangs is go test's -timeout to report).
func cli(t *testing.T, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(t.Context(), args, &out, &errOut)
	return result{code, out.String(), errOut.String()}
}

// mustCode fails unless the run exited with want.
func (r result) mustCode(t *testing.T, want int) result {
	t.Helper()
	if r.code != want {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, want, r.out, r.err)
	}
	return r
}

// decode decodes the run's JSON stdout into a new T.
func decode[T any](t *testing.T, r result) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(r.out), &v); err != nil {
		t.Fatalf("stdout is not the expected JSON: %v\n%s", err, r.out)
	}
	return v
}

// clearProviderEnv unsets every variable the sandboxes, the adapters and the command read.
func clearProviderEnv(t *testing.T) {
	t.Helper()
	t.Setenv(envURL, "")
	for _, p := range sandbox.Providers() {
		for _, v := range p.Vars {
			t.Setenv(v.Name, "")
			t.Setenv(v.Name+"_FILE", "")
		}
	}
}

// events collects the notifications the simulators' receiver verified.
type events struct {
	mu      sync.Mutex
	list    []notify.Event
	changed chan struct{}
}

func newEvents() *events { return &events{changed: make(chan struct{})} }

func (e *events) add(ev notify.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.list = append(e.list, ev)
	close(e.changed)
	e.changed = make(chan struct{})
}

// wait returns once an event satisfies match, or fails the test when ctx ends first.
func (e *events) wait(ctx context.Context, t *testing.T, what string, match func(notify.Event) bool) notify.Event {
	t.Helper()
	for {
		e.mu.Lock()
		i := slices.IndexFunc(e.list, match)
		var ev notify.Event
		if i >= 0 {
			ev = e.list[i]
		}
		ch := e.changed
		e.mu.Unlock()
		if i >= 0 {
			return ev
		}
		select {
		case <-ch:
		case <-ctx.Done():
			t.Fatalf("no notification %s arrived", what)
		}
	}
}

// startTestSims starts the simulators as `paybridge sim` does and stops them when the
// test ends.
func startTestSims(t *testing.T) (*simSet, *events) {
	t.Helper()
	ev := newEvents()
	set, err := startSims(0, func(e notify.Event, _ bool) { ev.add(e) })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(set.Close)
	return set, ev
}

// useSim sets the environment a simulator's printed configuration names, and returns its
// paybridge URL.
func useSim(t *testing.T, set *simSet, name string) string {
	t.Helper()
	for _, si := range set.Simulators {
		if si.Provider == name {
			for _, v := range si.Env {
				t.Setenv(v.Name, v.Value)
			}
			return si.OpenURL
		}
	}
	t.Fatalf("no simulator %q", name)
	return ""
}

var simNames = []string{trustly.Name, trustlyrest.Name, trustist.Name}

func contains(t *testing.T, text string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("output lacks %q:\n%s", w, text)
		}
	}
}

// TestSimServersBoundSlowClients: every server `paybridge sim` starts bounds how long a
// client may take to send its headers and its request, and how long an idle connection
// stays open. The simulators serve on simkit.Listen, whose TestServerTimeouts checks the
// same bounds; the servers here are the command's own.
func TestSimServersBoundSlowClients(t *testing.T) {
	set, _ := startTestSims(t)
	if len(set.servers) == 0 {
		t.Fatal("no servers started")
	}
	for i, srv := range set.servers {
		if srv.ReadHeaderTimeout <= 0 || srv.ReadTimeout <= 0 || srv.IdleTimeout <= 0 {
			t.Errorf("server %d: read-header %v, read %v, idle %v; want all bounded", i, srv.ReadHeaderTimeout, srv.ReadTimeout, srv.IdleTimeout)
		}
	}
}
