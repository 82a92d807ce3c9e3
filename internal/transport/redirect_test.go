package transport

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestNoRedirects(t *testing.T) {
	var reached bool
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached = true }))
	defer target.Close()
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "http://user:pw@"+target.Listener.Addr().String()+"/next?token=t#f")
		w.WriteHeader(http.StatusTemporaryRedirect)
	}))
	defer front.Close()

	own := errors.New("the caller's policy")
	user := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return own }}
	for name, c := range map[string]*http.Client{"NoRedirects": NoRedirects(user), "DefaultClient": DefaultClient()} {
		resp, err := c.Get(front.URL + "/x")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		resp.Body.Close()
		if reached || resp.StatusCode != http.StatusTemporaryRedirect {
			t.Fatalf("%s: the redirect was followed (status %d)", name, resp.StatusCode)
		}
		msg := RedirectMessage(resp)
		if !strings.Contains(msg, `"http://`+target.Listener.Addr().String()+`/next"`) || strings.Contains(msg, "pw") || strings.Contains(msg, "token") {
			t.Errorf("%s: RedirectMessage = %q; want the Location without user info or query", name, msg)
		}
	}
	if err := user.CheckRedirect(nil, nil); err != own {
		t.Error("NoRedirects changed the caller's client")
	}
}
