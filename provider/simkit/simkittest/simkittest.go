// Package simkittest checks a simulator's hosted pages in its tests: fetch a page, check
// that text with markup in it is shown as text, and check the buttons it offers.
package simkittest

import (
	"html"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/provider/simkit"
)

// Hostile is text with markup in it, for a test to put in what a page shows (a
// description, a reference); the page must show it as text (see CheckEscaped).
const Hostile = `</dd><script>alert(1)</script><img src=x onerror=alert(2)>`

// GetPage fetches a hosted page and returns its status and body.
func GetPage(t testing.TB, pageURL string) (int, string) {
	t.Helper()
	resp, err := http.Get(pageURL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// CheckEscaped fails the test if Hostile reached the page as markup, or is not shown.
func CheckEscaped(t testing.TB, page string) {
	t.Helper()
	if strings.Contains(page, "<script") || strings.Contains(page, "<img") {
		t.Errorf("a merchant's text added markup to the page:\n%s", page)
	}
	if !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("the merchant's text is not shown, escaped:\n%s", page)
	}
}

// CheckButtons fails the test unless the page offers, in this order: approve labelled
// approveLabel, the alternatives, "Decline" and "Cancel and go back" (abandon), as
// simkit.PageButtons lays them out.
func CheckButtons(t testing.TB, page, approveLabel string, alternatives ...simkit.PageButton) {
	t.Helper()
	want := append([]simkit.PageButton{{Action: "approve", Label: approveLabel}}, alternatives...)
	want = append(want, simkit.PageButton{Action: "decline", Label: "Decline"},
		simkit.PageButton{Action: "abandon", Label: "Cancel and go back"})
	if got := simkit.Buttons([]byte(page)); !slices.Equal(got, want) {
		t.Errorf("buttons %v, want %v", got, want)
	}
}

// Submit posts the form of page, fetched from pageURL, as a person pressing its button
// that posts action would, with the page's hidden fields and the given fields (a choice
// from one of its lists, say), and returns the HTTP status of the answer.
func Submit(t testing.TB, pageURL, page, action string, fields url.Values) int {
	t.Helper()
	formAction, ok := simkit.FormAction([]byte(page))
	if !ok {
		t.Fatalf("the page at %s has no form", pageURL)
	}
	base, err := url.Parse(pageURL)
	if err != nil {
		t.Fatal(err)
	}
	target, err := base.Parse(html.UnescapeString(formAction))
	if err != nil {
		t.Fatal(err)
	}
	form := simkit.HiddenInputs([]byte(page))
	for k, v := range fields {
		form[k] = v
	}
	form.Set("action", action)
	reply, err := simkit.NewBrowser(0).PostForm(t.Context(), target.String(), form, 1<<16)
	if err != nil {
		t.Fatal(err)
	}
	return reply.Status
}
