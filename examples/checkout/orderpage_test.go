package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/money"
)

// renderOrder renders the order page for o as the shop would.
func renderOrder(t *testing.T, v orderView) string {
	t.Helper()
	pages, err := parsePages()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := pages["order"].Execute(&b, v); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

var (
	tagRE       = regexp.MustCompile(`<[^>]*>`)
	styleRE     = regexp.MustCompile(`(?s)<style>.*?</style>`)
	headRE      = regexp.MustCompile(`(?s)<head>.*?</head>`)
	developerRE = regexp.MustCompile(`(?s)<details class="dev" id="developer">.*?</details>`)
)

// shopperText is the text a shopper sees on the page without opening the technical
// details: the body's text, tags and the collapsed details removed.
func shopperText(page string) string {
	page = headRE.ReplaceAllString(page, "")
	page = developerRE.ReplaceAllString(page, "")
	return tagRE.ReplaceAllString(page, " ")
}

// TestOrderPageSpeaksToTheShopper: for every status, the order page shows the buyer's
// wording and none of the provider's ids, the idempotency keys, raw statuses or
// notification names, which stay under the collapsed technical details.
func TestOrderPageSpeaksToTheShopper(t *testing.T) {
	statuses := []Status{StatusNew, StatusRetry, StatusAwaitingPayment, StatusPending, StatusAuthorized, StatusPaid,
		StatusFailed, StatusCanceled, StatusRefundRequested, StatusRefunded}
	for _, st := range statuses {
		t.Run(string(st), func(t *testing.T) {
			o := Order{ID: "0123456789abcdef0123456789abcdef", Product: catalog[0], Amount: money.MustNew("12.00", "EUR"),
				Provider: "trustly", Status: st, PayKey: "pay-0123456789abcdef0123456789abcdef", PaymentID: "4071529834",
				RedirectURL: "https://provider.example/checkout/1", RefundKey: "refund-0123-1", RefundID: "rf-998877",
				Events: []string{"payment.succeeded", "refund.succeeded"}}
			v := orderView{Order: o, MethodLabel: "Trustly (simulated)", Refresh: st.waiting(), CanRetry: st == StatusRetry}
			if st == StatusPaid {
				v.NoRefund = "Trustly (simulated) does not offer refunds through its API; refund this order in the provider's portal."
			}
			page := renderOrder(t, v)
			text := shopperText(page)
			if !strings.Contains(text, statusText(st)) {
				t.Errorf("the page does not show %q", statusText(st))
			}
			if lead := regexp.MustCompile(`(?s)<p class="lead" id="lead">(.*?)</p>`).FindStringSubmatch(page); lead == nil ||
				len(strings.TrimSpace(lead[1])) < 10 {
				t.Errorf("the page says nothing to the shopper about %q: %q", st, lead)
			}
			for _, hidden := range []string{o.PayKey, o.RefundKey, o.PaymentID, o.RefundID, "payment.succeeded",
				"idempotency", "notification", "provider", "API", "portal", string(StatusAwaitingPayment),
				string(StatusRefundRequested)} {
				if strings.Contains(text, hidden) {
					t.Errorf("the shopper sees %q:\n%s", hidden, text)
				}
			}
			dev := developerRE.FindString(page)
			for _, want := range []string{o.PayKey, o.PaymentID, o.RefundID, "payment.succeeded", `<code>` + string(st) + `</code>`} {
				if !strings.Contains(dev, want) {
					t.Errorf("the technical details lack %q", want)
				}
			}
			if strings.Contains(dev, "<details class=\"dev\" id=\"developer\" open") {
				t.Error("the technical details are open")
			}
			if st == StatusPaid && (!strings.Contains(page, `id="refund-unavailable"`) || !strings.Contains(dev, "does not offer refunds")) {
				t.Error("a paid order that cannot be refunded online does not say so, with the reason in the details")
			}
		})
	}
}

// TestOrderPageEscapesNote: a note quoting text from elsewhere cannot add markup.
func TestOrderPageEscapesNote(t *testing.T) {
	o := Order{ID: "abc", Product: catalog[0], Amount: money.MustNew("12.00", "EUR"), Provider: "trustly",
		Status: StatusFailed, Note: `<script>alert(1)</script>`}
	page := renderOrder(t, orderView{Order: o, MethodLabel: "Trustly"})
	if strings.Contains(page, "<script>") || !strings.Contains(page, "&lt;script&gt;") {
		t.Fatalf("the note is not escaped:\n%s", page)
	}
}

// statusRule returns the declarations of the style sheet rule whose selector names the
// status, and the whole selector, failing when there is not exactly one.
func statusRule(t *testing.T, css string, st Status) (selector, decls string) {
	t.Helper()
	rules := regexp.MustCompile(`([^{}]+)\{([^}]*)\}`).FindAllStringSubmatch(css, -1)
	var found [][]string
	for _, r := range rules {
		if strings.Contains(r[1], "[data-status="+string(st)+"]") {
			found = append(found, r)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d style rules for status %q, want 1", len(found), st)
	}
	return found[0][1], strings.Join(strings.Fields(found[0][2]), " ")
}

// TestRefundedHasItsOwnColour: a refunded order does not look paid, nor like any other
// status.
func TestRefundedHasItsOwnColour(t *testing.T) {
	page := renderOrder(t, orderView{Order: Order{ID: "abc", Product: catalog[0], Amount: money.MustNew("12.00", "EUR"),
		Status: StatusRefunded}, MethodLabel: "Trustly"})
	css := styleRE.FindString(page)
	sel, refunded := statusRule(t, css, StatusRefunded)
	if strings.Count(sel, "[data-status=") != 1 {
		t.Fatalf("the refunded colour is shared: %q", sel)
	}
	if !strings.Contains(refunded, "background:") {
		t.Fatalf("the refunded rule sets no background: %q", refunded)
	}
	for _, other := range []Status{StatusPaid, StatusRefundRequested, StatusFailed, StatusPending} {
		if _, decls := statusRule(t, css, other); decls == refunded {
			t.Errorf("refunded looks like %s: %q", other, decls)
		}
	}
}
