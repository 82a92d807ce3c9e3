package simkit

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestPageChoices(t *testing.T) {
	banks := []Option{{Value: "a", Label: "Bank A"}, {Value: "b", Label: "Bank B", Checked: true}}
	c := NewChoice("Choose your bank", "bank", banks)
	if c.Name != "bank" || !c.Options[0].Checked || c.Options[1].Checked || !banks[1].Checked {
		t.Fatalf("NewChoice %+v (its input now %+v): only the first entry preselected, the input unchanged", c, banks)
	}
	for value, want := range map[string]string{"": "a", "a": "a", "b": "b", "c": ""} {
		got, ok := Pick(banks, value)
		if got.Value != want || ok != (want != "") {
			t.Errorf("Pick(%q) = %+v, %v", value, got, ok)
		}
	}
	got := fmt.Sprint(PageButtons("Pay", Button{Action: "later", Label: "Pay later", Kind: ButtonAlternative}))
	if want := "[{approve Pay approve} {later Pay later alternative} {decline Decline decline} {abandon Cancel and go back cancel}]"; got != want {
		t.Fatalf("PageButtons: %s, want %s", got, want)
	}
}

func TestReadChoice(t *testing.T) {
	banks := []Option{{Value: "a"}, {Value: "b"}}
	post := func(body string) (*httptest.ResponseRecorder, Option, bool) {
		r := httptest.NewRequest(http.MethodPost, "/page", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		o, ok := ReadChoice(w, r, "bank", banks)
		return w, o, ok
	}
	if w, o, ok := post("bank=b&action=approve"); !ok || o.Value != "b" || w.Code != http.StatusOK {
		t.Errorf("a known bank: %v %+v %d", ok, o, w.Code)
	}
	if w, o, ok := post("action=approve"); !ok || o.Value != "a" || w.Code != http.StatusOK {
		t.Errorf("no choice: %v %+v %d", ok, o, w.Code)
	}
	if w, _, ok := post("bank=z"); ok || w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "unknown bank") {
		t.Errorf("an unknown bank: %v %d %q", ok, w.Code, w.Body)
	}
	if w, _, ok := post("bank=%zz"); ok || w.Code != http.StatusBadRequest {
		t.Errorf("a form that does not parse: %v %d", ok, w.Code)
	}
}

// pageSite serves a hosted page at /page/1 whose form posts to /page/1, and answers a
// submission with answer.
func pageSite(t *testing.T, answer int, got *url.Values) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/gone":
			WriteNotice(w, http.StatusGone, Theme{}, "Gone", "No longer active.")
		case r.URL.Path == "/plain":
			_, _ = w.Write([]byte("<p>no form</p>"))
		case r.Method == http.MethodGet:
			WritePage(w, http.StatusOK, Page{Title: "Pay", Action: "/page/1", Hidden: []Field{{Name: "token", Value: "t&1"}},
				Choices: []Choice{NewChoice("Bank", "bank", []Option{{Value: "a"}})}, Buttons: PageButtons("Pay")})
		default:
			_ = r.ParseForm()
			*got = r.PostForm
			if answer == http.StatusSeeOther {
				w.Header().Set("Location", "https://shop.example/back")
			}
			w.WriteHeader(answer)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestEndUserPressesTheButton(t *testing.T) {
	var got url.Values
	srv := pageSite(t, http.StatusSeeOther, &got)
	var location string
	e := NewEndUser(EndUserConfig{Name: "testsim", Done: func(r Reply) error { location = r.Header.Get("Location"); return nil }})
	if err := e.Decline(context.Background(), srv.URL+"/page/1"); err != nil {
		t.Fatal(err)
	}
	if got.Get("action") != ActionDecline || got.Get("token") != "t&1" || got.Has("bank") || location != "https://shop.example/back" {
		t.Fatalf("posted %v, then went to %q", got, location)
	}
}

func TestEndUserRefuses(t *testing.T) {
	var got url.Values
	failing := pageSite(t, http.StatusConflict, &got)
	ok := pageSite(t, http.StatusNoContent, &got)
	notOurs := errors.New("not a page of this simulator")
	e := NewEndUser(EndUserConfig{Name: "testsim", Page: func(u string) error {
		if strings.Contains(u, "elsewhere") {
			return notOurs
		}
		return nil
	}})
	for _, c := range []struct{ url, action, want string }{
		{ok.URL + "/gone", ActionApprove, "answered HTTP 410"},
		{ok.URL + "/plain", ActionApprove, "has no form"},
		{ok.URL + "/page/1", "approve_later", `offers no "approve_later" action`},
		{failing.URL + "/page/1", ActionApprove, `submitting "approve" on ` + failing.URL + "/page/1 answered HTTP 409"},
		{"http://elsewhere.invalid/page/1", ActionApprove, notOurs.Error()},
	} {
		err := e.Act(context.Background(), c.url, c.action)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s on %s: %v, want an error saying %q", c.action, c.url, err, c.want)
		}
	}
	if err := e.Abandon(context.Background(), ok.URL+"/page/1"); err != nil || got.Get("action") != ActionAbandon {
		t.Errorf("a 204 answer: %v, posted %v", err, got)
	}
	done := errors.New("the redirect does not verify")
	e = NewEndUser(EndUserConfig{Name: "testsim", Done: func(Reply) error { return done }})
	if err := e.Approve(context.Background(), ok.URL+"/page/1"); !errors.Is(err, done) {
		t.Errorf("Done's error: %v", err)
	}
}
