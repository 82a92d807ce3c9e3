package trustlyrest

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustlyrest/internal/signing"
)

// TestPostChildRecoversByItsRule: each recovery rule looks the child up after exactly the
// failures it names, returns the child found, and on a miss or a failed look-up returns
// the error its rule says.
func TestPostChildRecoversByItsRule(t *testing.T) {
	const (
		made      = `{"transaction":{"transactionId":"12","transactionType":3,"originalTransactionId":"10","merchantReference":"ref","status":1}}`
		duplicate = `{"errors":[{"domain":"d","code":210,"message":"This is a duplicate request"}]}`
		refused   = `{"errors":[{"domain":"d","code":200,"message":"Invalid amount"}]}`
		down      = `{"errors":[{"domain":"d","code":100,"message":"Internal error"}]}`
		ours      = `{"transactions":[{"transactionId":"11","transactionType":3,"originalTransactionId":"10","merchantReference":"ref","status":1}]}`
		other     = `{"transactions":[{"transactionId":"11","transactionType":3,"originalTransactionId":"10","merchantReference":"else","status":1}]}`
		none      = `{"transactions":[]}`
	)
	type answer struct {
		status int
		body   string
	}
	ok := func(body string) answer { return answer{http.StatusOK, body} }
	bad := func(body string) answer { return answer{http.StatusBadRequest, body} }
	fails := answer{http.StatusInternalServerError, down}
	for _, tt := range []struct {
		name          string
		rule          recovery
		anyRef        bool
		lookUpErrWins bool
		post, list    answer
		lookUps       int32
		wantID        string // "" for no transaction
		wantFound     bool
		wantCode      provider.Code
	}{
		{"made, none", recoverNone, false, false, ok(made), ok(ours), 0, "12", false, provider.Unknown},
		{"made, duplicate", recoverDuplicate, false, false, ok(made), ok(ours), 0, "12", false, provider.Unknown},
		{"made, any", recoverAnyFailure, false, true, ok(made), ok(ours), 0, "12", false, provider.Unknown},

		{"none never looks", recoverNone, false, false, bad(duplicate), ok(ours), 0, "", false, provider.Duplicate},

		{"duplicate found", recoverDuplicate, false, false, bad(duplicate), ok(ours), 1, "11", true, provider.Unknown},
		{"duplicate missed", recoverDuplicate, false, false, bad(duplicate), ok(none), 1, "", false, provider.Duplicate},
		{"duplicate, look-up fails", recoverDuplicate, false, false, bad(duplicate), fails, 1, "", false, provider.Duplicate},
		{"duplicate only", recoverDuplicate, false, false, bad(refused), ok(ours), 0, "", false, provider.InvalidRequest},
		{"duplicate, another reference", recoverDuplicate, false, false, bad(duplicate), ok(other), 1, "", false, provider.Duplicate},

		{"any found", recoverAnyFailure, false, false, bad(refused), ok(ours), 1, "11", true, provider.Unknown},
		{"any missed", recoverAnyFailure, false, true, bad(refused), ok(none), 1, "", false, provider.InvalidRequest},
		{"any, look-up fails, post's error", recoverAnyFailure, false, false, bad(refused), fails, 1, "", false, provider.InvalidRequest},
		{"any, look-up fails, look-up's error", recoverAnyFailure, false, true, bad(refused), fails, 1, "", false, provider.UnknownOutcome},
		{"any, another reference", recoverAnyFailure, false, false, bad(refused), ok(other), 1, "", false, provider.InvalidRequest},
		{"any, another reference, anyRef", recoverAnyFailure, true, false, bad(refused), ok(other), 1, "11", true, provider.Unknown},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var lookUps atomic.Int32
			var posted atomic.Value
			c := stubClient(t, func(w http.ResponseWriter, r *http.Request) {
				a := tt.post
				if r.Method == http.MethodGet {
					lookUps.Add(1)
					a = tt.list
				} else {
					posted.Store(r.URL.Path)
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(a.status)
				_, _ = w.Write([]byte(a.body))
			})
			p := childPost{parent: "10", typ: typeCapture, ref: "ref", anyRef: tt.anyRef, recover: tt.rule, lookUpErrWins: tt.lookUpErrWins}
			child, found, err := c.postChild(context.Background(), p, signing.Form{{Key: "merchantReference", Value: "ref"}})
			if path, _ := posted.Load().(string); path != "/transactions/10/capture" {
				t.Errorf("posted to %q", path)
			}
			if n := lookUps.Load(); n != tt.lookUps {
				t.Errorf("%d look-ups, want %d", n, tt.lookUps)
			}
			id := ""
			if child != nil {
				id = child.id()
			}
			if id != tt.wantID || found != tt.wantFound || provider.CodeOf(err) != tt.wantCode || (err == nil) != (tt.wantCode == provider.Unknown) {
				t.Errorf("postChild = %q, found %v, %v; want %q, found %v, code %v", id, found, err, tt.wantID, tt.wantFound, tt.wantCode)
			}
		})
	}
}

// TestPostChildAnyFailureStopsWithItsContext: once the context has ended, a failed post is
// not looked up, and its own error is returned even where a failed look-up's would win.
func TestPostChildAnyFailureStopsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := stubClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"errors":[{"domain":"d","code":200,"message":"Invalid amount"}]}`))
	})
	rt := &cancelAfterPost{next: c.hc.Transport, cancel: cancel}
	if rt.next == nil {
		rt.next = http.DefaultTransport
	}
	c.hc.Transport = rt
	p := childPost{parent: "10", typ: typeDeposit, ref: "ref", recover: recoverAnyFailure, lookUpErrWins: true}
	child, _, err := c.postChild(ctx, p, nil)
	if child != nil || provider.CodeOf(err) != provider.InvalidRequest {
		t.Fatalf("postChild = %v, %v; want the post's InvalidRequest", child, err)
	}
	if n := rt.lookUps.Load(); n != 0 {
		t.Fatalf("%d look-ups after the context ended", n)
	}
}

// cancelAfterPost ends the request's context once a POST's answer has been read whole, so
// that the post fails with Trustly's answer and the context ended.
type cancelAfterPost struct {
	next    http.RoundTripper
	cancel  context.CancelFunc
	lookUps atomic.Int32
}

func (rt *cancelAfterPost) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodGet {
		rt.lookUps.Add(1)
	}
	resp, err := rt.next.RoundTrip(r)
	if err != nil || r.Method != http.MethodPost {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	rt.cancel()
	return resp, nil
}

// TestPostChildRefusesAnUnknownType: a type no action makes is refused before anything is
// sent.
func TestPostChildRefusesAnUnknownType(t *testing.T) {
	var requests atomic.Int32
	c := stubClient(t, func(w http.ResponseWriter, r *http.Request) { requests.Add(1) })
	_, _, err := c.postChild(context.Background(), childPost{parent: "10", typ: typeAuthorize, ref: "ref"}, nil)
	if provider.CodeOf(err) != provider.Internal || requests.Load() != 0 {
		t.Fatalf("postChild of an authorization = %v after %d requests; want Internal, none sent", err, requests.Load())
	}
}
