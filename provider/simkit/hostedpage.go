package simkit

import (
	"html/template"
	"net/http"
	"regexp"
	"strings"
)

// Theme is how a simulated provider's hosted pages look.
type Theme struct {
	// Provider names the simulated provider in the page's header ("Trustly").
	Provider string
	// Accent is the colour of the header and the main button: a CSS colour in #rrggbb
	// form, dark enough for white text. Any other form is replaced by a neutral blue.
	Accent string
}

// ButtonKind is how a hosted page's button looks, from the most to the least prominent.
type ButtonKind string

// Button kinds.
const (
	// ButtonApprove is the main action: pay, confirm, connect.
	ButtonApprove ButtonKind = "approve"
	// ButtonAlternative is a second way to approve (a simulator-only outcome).
	ButtonAlternative ButtonKind = "alternative"
	// ButtonDecline refuses, as the bank would.
	ButtonDecline ButtonKind = "decline"
	// ButtonCancel leaves without finishing.
	ButtonCancel ButtonKind = "cancel"
)

// Button is one of a hosted page's submit buttons; it posts name="action" with Action as
// its value.
type Button struct {
	Action string
	Label  string
	Kind   ButtonKind
}

// Detail is one fact a hosted page lists under the amount ("Reference", "ORDER-1").
type Detail struct{ Label, Value string }

// Field is a hidden form field.
type Field struct{ Name, Value string }

// Option is one entry of a Choice.
type Option struct {
	// Value is posted as the Choice's field; Label names the entry and Hint says more.
	Value, Label, Hint string
	// Checked marks the preselected entry.
	Checked bool
}

// Choice is a list the payer picks one entry of, such as a bank, posted with the form as
// the field Name.
type Choice struct {
	Legend  string
	Name    string
	Options []Option
}

// Page is what a simulator's hosted page shows. All of its strings are text: the page
// escapes them, so a merchant's description or reference can never add markup.
type Page struct {
	Theme Theme
	// Title is the page's heading ("Pay by bank").
	Title string
	// Merchant is who asks the payer to act, introduced by MerchantLabel (default "To").
	Merchant, MerchantLabel string
	// AmountLabel, Amount and Currency give the sum at stake ("Amount to pay", "12.34",
	// "EUR"); no amount is shown when Amount is empty.
	AmountLabel, Amount, Currency string
	// Details list what the request said the payment is for; entries with an empty
	// Value are left out.
	Details []Detail
	// Choices are the lists to pick from, such as banks, inside the form.
	Choices []Choice
	// Action is the form's target and Hidden its hidden fields.
	Action string
	Hidden []Field
	// Buttons are the form's submit buttons, in order.
	Buttons []Button
	// Help explains, under the buttons, what each choice does.
	Help string
}

var accentRE = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

const defaultAccent = "#1f4e8c"

// pageCSP lets the pages use their inline style and nothing else: no scripts, no outside
// resources, so they work offline and an escaping slip could not run code.
const pageCSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'"

// WritePage writes p as an HTML page with the given HTTP status.
func WritePage(w http.ResponseWriter, status int, p Page) {
	if !accentRE.MatchString(p.Theme.Accent) {
		p.Theme.Accent = defaultAccent
	}
	writeHeader(w, status)
	_ = pageTmpl.ExecuteTemplate(w, "page", p)
}

// WriteNotice writes a hosted page that only says something, such as that the payment
// it was for is no longer waiting for the payer.
func WriteNotice(w http.ResponseWriter, status int, theme Theme, title, text string) {
	if !accentRE.MatchString(theme.Accent) {
		theme.Accent = defaultAccent
	}
	writeHeader(w, status)
	_ = pageTmpl.ExecuteTemplate(w, "notice", struct {
		Theme       Theme
		Title, Text string
	}{theme, title, text})
}

func writeHeader(w http.ResponseWriter, status int) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", pageCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
}

// initials returns up to two capital letters standing for a name, for a bank's badge.
func initials(name string) string {
	var b strings.Builder
	for _, word := range strings.Fields(name) {
		r := []rune(word)[0]
		if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			if b.Len() == 2 {
				break
			}
		}
	}
	return b.String()
}

var pageTmpl = template.Must(template.New("hosted").Funcs(template.FuncMap{"initials": initials}).Parse(`
{{- define "head" -}}
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{{.Title}} · {{.Theme.Provider}} sandbox</title>
<style>
:root { --accent: {{.Theme.Accent}}; --ink: #1b2330; --muted: #5a6472; --line: #d6dbe2; }
* { box-sizing: border-box; }
body { margin: 0; background: #eef1f5; color: var(--ink);
  font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", Arial, sans-serif; }
.sandbox { margin: 0; padding: .5rem 1rem; text-align: center; font-size: .85rem; font-weight: 600; color: #3d3200;
  background: repeating-linear-gradient(-45deg, #ffd84a 0 14px, #ffe484 14px 28px); border-bottom: 1px solid #d9b52a; }
.wrap { max-width: 28rem; margin: 2rem auto 3rem; padding: 0 1rem; }
.card { background: #fff; border-radius: 14px; overflow: hidden;
  box-shadow: 0 1px 2px rgba(20,30,50,.08), 0 10px 30px rgba(20,30,50,.10); }
.brand { display: flex; align-items: center; justify-content: space-between; padding: .9rem 1.4rem;
  background: var(--accent); color: #fff; }
.brand strong { font-size: 1.2rem; letter-spacing: .01em; }
.badge { font-size: .7rem; font-weight: 700; letter-spacing: .08em; text-transform: uppercase;
  border: 1px solid rgba(255,255,255,.75); border-radius: 999px; padding: .1rem .55rem; }
.content { padding: 1.4rem; }
h1 { margin: 0 0 .2rem; font-size: 1.1rem; font-weight: 600; }
.merchant { margin: 0; color: var(--muted); font-size: .92rem; }
.merchant b { color: var(--ink); }
.total { margin: 1.1rem 0 .2rem; padding: 1rem 1.1rem; border-radius: 10px; background: #f4f6f9; }
.total span { display: block; color: var(--muted); font-size: .85rem; }
.total output { display: block; font-size: 2.1rem; font-weight: 700; line-height: 1.2; font-variant-numeric: tabular-nums; }
.total output small { font-size: 1.05rem; font-weight: 600; color: var(--muted); margin-left: .35rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .35rem 1rem; margin: 1rem 0 0; font-size: .92rem; }
dt { color: var(--muted); }
dd { margin: 0; overflow-wrap: anywhere; }
fieldset { margin: 1.4rem 0 0; padding: 0; border: 0; min-width: 0; }
legend { padding: 0; margin-bottom: .5rem; font-weight: 600; font-size: .95rem; }
.option { display: flex; align-items: center; gap: .75rem; margin: .45rem 0; padding: .65rem .8rem;
  border: 1px solid var(--line); border-radius: 9px; cursor: pointer; }
.option:hover { border-color: #aab3bf; }
.option:has(input:checked) { border-color: var(--accent); box-shadow: 0 0 0 1px var(--accent); }
.option input { margin: 0; accent-color: var(--accent); }
.logo { flex: none; display: grid; place-items: center; width: 2.2rem; height: 2.2rem; border-radius: 7px;
  background: #e4e8ee; color: #394352; font-size: .78rem; font-weight: 700; }
.option span span { display: block; color: var(--muted); font-size: .82rem; }
.actions { display: grid; gap: .6rem; margin-top: 1.5rem; }
button { font: inherit; font-size: 1rem; padding: .75rem 1rem; border-radius: 9px; border: 1px solid transparent; cursor: pointer; }
button:focus-visible { outline: 3px solid #2b6cd4; outline-offset: 2px; }
button.approve { background: var(--accent); color: #fff; font-weight: 600; }
button.approve:hover { filter: brightness(1.08); }
button.alternative { background: #fff; color: var(--accent); border-color: var(--accent); }
button.decline { background: #fff; color: #a8321f; border-color: #d28b7f; }
button.decline:hover { background: #fdf3f1; }
button.cancel { background: none; color: var(--muted); text-decoration: underline; padding: .4rem; }
.help { margin: 1rem 0 0; color: var(--muted); font-size: .82rem; }
.notice { margin: .6rem 0 0; }
footer { margin-top: 1rem; text-align: center; color: #6c7582; font-size: .78rem; }
</style>
</head>
<body>
<p class="sandbox" role="note">Sandbox: a simulated {{.Theme.Provider}} page for testing. No real money moves.</p>
<div class="wrap">
<main class="card">
<div class="brand"><strong>{{.Theme.Provider}}</strong><span class="badge">Simulator</span></div>
<div class="content">
{{- end}}

{{- define "foot"}}
</div>
</main>
<footer>Hosted page of the {{.Theme.Provider}} simulator in paybridge. No bank or card network is contacted.</footer>
</div>
</body>
</html>
{{end}}

{{- define "page"}}{{template "head" .}}
<h1>{{.Title}}</h1>
{{if .Merchant}}<p class="merchant">{{or .MerchantLabel "To"}} <b id="merchant">{{.Merchant}}</b></p>{{end}}
{{if .Amount}}<div class="total"><span>{{or .AmountLabel "Amount"}}</span><output id="amount">{{.Amount}}<small>{{.Currency}}</small></output></div>{{end}}
{{if .Details}}<dl>
{{range .Details}}{{if .Value}}<dt>{{.Label}}</dt><dd>{{.Value}}</dd>
{{end}}{{end}}</dl>{{end}}
<form method="post" action="{{.Action}}">
{{range .Hidden}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{end}}
{{- range $c := .Choices}}<fieldset>
<legend>{{$c.Legend}}</legend>
{{range $c.Options}}<label class="option"><input type="radio" name="{{$c.Name}}" value="{{.Value}}"{{if .Checked}} checked{{end}}><span class="logo" aria-hidden="true">{{initials .Label}}</span><span>{{.Label}}{{with .Hint}}<span>{{.}}</span>{{end}}</span></label>
{{end}}</fieldset>
{{end -}}
<div class="actions">
{{range .Buttons}}<button type="submit" name="action" value="{{.Action}}" class="{{.Kind}}">{{.Label}}</button>
{{end}}</div>
</form>
{{with .Help}}<p class="help">{{.}}</p>{{end}}
{{- template "foot" .}}{{end}}

{{- define "notice"}}{{template "head" .}}
<h1>{{.Title}}</h1>
<p class="notice">{{.Text}}</p>
{{- template "foot" .}}{{end}}
`))

// The actions of the buttons every simulator's hosted pages show, which an EndUser
// presses: the page posts the chosen one as its "action" field.
const (
	ActionApprove = "approve"
	ActionDecline = "decline"
	ActionAbandon = "abandon"
)

// PageButtons returns the buttons of a hosted page: approve, labelled approveLabel; the
// alternatives, other ways to approve that a simulator offers; Decline; and "Cancel and
// go back", which abandons.
func PageButtons(approveLabel string, alternatives ...Button) []Button {
	out := []Button{{Action: ActionApprove, Label: approveLabel, Kind: ButtonApprove}}
	out = append(out, alternatives...)
	return append(out,
		Button{Action: ActionDecline, Label: "Decline", Kind: ButtonDecline},
		Button{Action: ActionAbandon, Label: "Cancel and go back", Kind: ButtonCancel})
}

// NewChoice returns the list a hosted page offers as the form field name, under legend,
// with its first option preselected.
func NewChoice(legend, name string, options []Option) Choice {
	c := Choice{Legend: legend, Name: name, Options: append([]Option(nil), options...)}
	for i := range c.Options {
		c.Options[i].Checked = i == 0
	}
	return c
}

// Pick returns the option of a list that a form posted as value. "" picks the first one,
// the preselected one, which is what a form posted without a choice (an EndUser's) gets.
func Pick(options []Option, value string) (Option, bool) {
	if value == "" && len(options) > 0 {
		return options[0], true
	}
	for _, o := range options {
		if o.Value == value {
			return o, true
		}
	}
	return Option{}, false
}

// ReadChoice reads the form a hosted page posted (at most 64 KiB) and returns the entry
// of options its field names (see Pick). It answers 400 Bad Request itself, and returns
// false, when the form cannot be read or names none of options.
func ReadChoice(w http.ResponseWriter, r *http.Request, field string, options []Option) (Option, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<16)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return Option{}, false
	}
	o, ok := Pick(options, r.PostForm.Get(field))
	if !ok {
		http.Error(w, "unknown "+field, http.StatusBadRequest)
	}
	return o, ok
}
