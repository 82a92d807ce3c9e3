package simkit

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

const hostile = `<script>alert(1)</script>"><img src=x onerror=alert(2)>&amp;`

func hostedTestPage() Page {
	return Page{
		Theme: Theme{Provider: "Example Pay", Accent: "#0a6b47"},
		Title: "Pay by bank", Merchant: "Notebook shop",
		AmountLabel: "Amount to pay", Amount: "12.34", Currency: "EUR",
		Details: []Detail{{"Reference", "ORDER-1"}, {"Description", "A5 notebook"}, {"Left out", ""}},
		Choices: []Choice{{Legend: "Choose your bank", Name: "bank", Options: []Option{
			{Value: "demo", Label: "Demo Bank", Hint: "Approves at once", Checked: true}, {Value: "other", Label: "Other Bank"}}}},
		Action: "/pay/abc",
		Hidden: []Field{{"token", "0a1b"}},
		Buttons: []Button{{"approve", "Approve payment", ButtonApprove}, {"decline", "Decline", ButtonDecline},
			{"abandon", "Cancel and go back", ButtonCancel}},
		Help: "Decline acts as your bank refusing.",
	}
}

func render(p Page) (*httptest.ResponseRecorder, string) {
	w := httptest.NewRecorder()
	WritePage(w, http.StatusOK, p)
	return w, w.Body.String()
}

// TestWritePage: the page shows what it is given and its form is one the drivers
// (FormAction, HiddenInput, Buttons) can read.
func TestWritePage(t *testing.T) {
	w, body := render(hostedTestPage())
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("answered %d %q", w.Code, w.Header().Get("Content-Type"))
	}
	if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("Content-Security-Policy %q allows more than the inline style", csp)
	}
	for _, want := range []string{"Pay by bank", `<b id="merchant">Notebook shop</b>`, "Amount to pay",
		`<output id="amount">12.34<small>EUR</small></output>`, "<dt>Reference</dt><dd>ORDER-1</dd>",
		"<dt>Description</dt><dd>A5 notebook</dd>", "Choose your bank", `value="demo" checked>`, "Demo Bank",
		"Approves at once", "Decline acts as your bank refusing.", "Sandbox", "Simulator", "--accent: #0a6b47"} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "Left out") {
		t.Error("a detail without a value is shown")
	}
	if a, ok := FormAction([]byte(body)); !ok || a != "/pay/abc" {
		t.Errorf("FormAction = %q, %v", a, ok)
	}
	if v, ok := HiddenInput([]byte(body), "token"); !ok || v != "0a1b" {
		t.Errorf("HiddenInput(token) = %q, %v", v, ok)
	}
	want := []PageButton{{"approve", "Approve payment"}, {"decline", "Decline"}, {"abandon", "Cancel and go back"}}
	if got := Buttons([]byte(body)); !slices.Equal(got, want) {
		t.Errorf("Buttons = %v, want %v", got, want)
	}
	if !HasButton([]byte(body), "decline") || HasButton([]byte(body), "approve_delayed") {
		t.Error("HasButton disagrees with the page's buttons")
	}
}

// TestWritePageEscapes: text from a merchant's request cannot add markup anywhere on
// the page.
func TestWritePageEscapes(t *testing.T) {
	p := hostedTestPage()
	p.Title, p.Merchant, p.Amount, p.Currency, p.AmountLabel = hostile, hostile, hostile, hostile, hostile
	p.Details = []Detail{{hostile, hostile}}
	p.Choices[0].Legend, p.Choices[0].Options[0].Label, p.Choices[0].Options[0].Hint = hostile, hostile, hostile
	p.Choices[0].Options[1].Value = hostile
	p.Hidden = []Field{{"token", hostile}}
	p.Buttons[0].Label, p.Help, p.Theme.Provider = hostile, hostile, hostile
	_, body := render(p)
	for _, bad := range []string{"<script", "<img", `"><img`} {
		if strings.Contains(body, bad) {
			t.Errorf("the page contains %q from a hostile string:\n%s", bad, body)
		}
	}
	if !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("the hostile text is not shown escaped:\n%s", body)
	}
	if v, ok := HiddenInput([]byte(body), "token"); !ok || strings.ContainsAny(v, `<>"`) {
		t.Errorf("hidden token written as %q", v)
	}
}

// TestWritePageAccent: only a plain #rrggbb colour reaches the style sheet.
func TestWritePageAccent(t *testing.T) {
	for _, accent := range []string{"red; } body { display: none", "#12345", "", "url(x)"} {
		p := hostedTestPage()
		p.Theme.Accent = accent
		_, body := render(p)
		if !strings.Contains(body, "--accent: "+defaultAccent+";") {
			t.Errorf("accent %q: the page does not fall back to the default colour", accent)
		}
	}
}

func TestWriteNotice(t *testing.T) {
	w := httptest.NewRecorder()
	WriteNotice(w, http.StatusGone, Theme{Provider: "Example Pay", Accent: "#0a6b47"}, "Nothing to pay", hostile)
	body := w.Body.String()
	if w.Code != http.StatusGone || !strings.Contains(body, "Nothing to pay") || !strings.Contains(body, "Sandbox") {
		t.Fatalf("answered %d:\n%s", w.Code, body)
	}
	if strings.Contains(body, "<script") || strings.Contains(body, "<form") {
		t.Fatalf("the notice has markup it should not:\n%s", body)
	}
}

func TestInitials(t *testing.T) {
	for in, want := range map[string]string{"Demo Bank": "DB", "Mock Redirect Bank": "MR", "bank": "", "": "", "3 Banks": "3B"} {
		if got := initials(in); got != want {
			t.Errorf("initials(%q) = %q, want %q", in, got, want)
		}
	}
}
