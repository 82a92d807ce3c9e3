package simkit

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Browser fetches hosted pages and submits their forms over HTTP, as a person with a
// browser would, without following redirects (the caller sees the 303 and its Location).
type Browser struct{ client *http.Client }

// NewBrowser returns a Browser whose requests time out after timeout (0: no timeout).
func NewBrowser(timeout time.Duration) *Browser {
	return &Browser{client: &http.Client{
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Reply is a page's answer.
type Reply struct {
	// Status is the HTTP status and Header the answer's header.
	Status int
	Header http.Header
	// Body is the body, up to the limit the request gave.
	Body []byte
	// BodyErr is the error that cut reading the body short, if any.
	BodyErr error
}

// Get fetches pageURL and reads at most limit bytes of its body. The error is that of the
// request; a failure to read the body is in Reply.BodyErr.
func (b *Browser) Get(ctx context.Context, pageURL string, limit int64) (Reply, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, pageURL, nil)
	if err != nil {
		return Reply{}, err
	}
	return b.do(req, limit)
}

// PostForm posts form, URL-encoded, to target and reads at most limit bytes of the
// answer.
func (b *Browser) PostForm(ctx context.Context, target string, form url.Values, limit int64) (Reply, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(form.Encode()))
	if err != nil {
		return Reply{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req, limit)
}

func (b *Browser) do(req *http.Request, limit int64) (Reply, error) {
	resp, err := b.client.Do(req)
	if err != nil {
		return Reply{}, err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit))
	_ = resp.Body.Close()
	return Reply{Status: resp.StatusCode, Header: resp.Header, Body: body, BodyErr: err}, nil
}

var (
	formActionRE  = regexp.MustCompile(`<form method="post" action="([^"]+)">`)
	hiddenInputRE = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
	buttonRE      = regexp.MustCompile(`<button type="submit" name="action" value="([^"]*)"[^>]*>([^<]*)</button>`)
)

// FormAction returns the action attribute, as written, of the page's first
// <form method="post" action="..."> element.
func FormAction(page []byte) (string, bool) {
	m := formActionRE.FindSubmatch(page)
	if m == nil {
		return "", false
	}
	return string(m[1]), true
}

// HiddenInput returns the value, as written, of the page's first
// <input type="hidden" name="..." value="..."> element with the given name.
func HiddenInput(page []byte, name string) (string, bool) {
	for _, m := range hiddenInputRE.FindAllSubmatch(page, -1) {
		if string(m[1]) == name {
			return string(m[2]), true
		}
	}
	return "", false
}

// PageButton is a submit button of a hosted page: the action it posts and its label.
type PageButton struct{ Action, Label string }

// Buttons returns the page's <button type="submit" name="action" value="..."> elements,
// in order, with their value and text unescaped.
func Buttons(page []byte) []PageButton {
	var out []PageButton
	for _, m := range buttonRE.FindAllSubmatch(page, -1) {
		out = append(out, PageButton{Action: html.UnescapeString(string(m[1])), Label: html.UnescapeString(string(m[2]))})
	}
	return out
}

// HasButton reports whether the page has a submit button posting action.
func HasButton(page []byte, action string) bool {
	for _, b := range Buttons(page) {
		if b.Action == action {
			return true
		}
	}
	return false
}

// HiddenInputs returns the values of the page's <input type="hidden" name="..."
// value="..."> elements, unescaped, by name.
func HiddenInputs(page []byte) url.Values {
	out := url.Values{}
	for _, m := range hiddenInputRE.FindAllSubmatch(page, -1) {
		out.Add(html.UnescapeString(string(m[1])), html.UnescapeString(string(m[2])))
	}
	return out
}

// EndUser acts on a simulator's hosted pages over HTTP as a person with a browser would:
// it fetches the page, reads its form and presses one of its buttons. It implements the
// conformance suite's EndUser; a simulator says what each action does on its pages.
type EndUser struct {
	browser *Browser
	cfg     EndUserConfig
}

// EndUserConfig adapts an EndUser to a simulator's pages.
type EndUserConfig struct {
	// Name starts the EndUser's errors ("trustlysim").
	Name string
	// Timeout bounds each request (0: no bound).
	Timeout time.Duration
	// Page, when set, is called before a page is fetched; its error stops the action,
	// as for a URL that is not one of the simulator's pages.
	Page func(pageURL string) error
	// Done, when set, is called with the answer to each submission the EndUser made and
	// took as done (303 See Other, or 2xx); its error is the action's.
	Done func(reply Reply) error
}

// NewEndUser returns an EndUser for a simulator's pages.
func NewEndUser(cfg EndUserConfig) *EndUser {
	return &EndUser{browser: NewBrowser(cfg.Timeout), cfg: cfg}
}

// Approve presses the page's approve button: pay, confirm the account, set up what the
// page asks for.
func (e *EndUser) Approve(ctx context.Context, pageURL string) error {
	return e.Act(ctx, pageURL, ActionApprove)
}

// Decline presses the page's decline button: the bank refuses.
func (e *EndUser) Decline(ctx context.Context, pageURL string) error {
	return e.Act(ctx, pageURL, ActionDecline)
}

// Abandon presses the page's cancel button: the payer leaves without finishing.
func (e *EndUser) Abandon(ctx context.Context, pageURL string) error {
	return e.Act(ctx, pageURL, ActionAbandon)
}

// Act fetches the page at pageURL and presses its button that posts action, sending the
// form's hidden fields with it and leaving its lists at their preselected entries. It
// fails when the page does not answer 200, has no form or no such button, or when the
// submission is answered with neither 303 See Other nor a 2xx status.
func (e *EndUser) Act(ctx context.Context, pageURL, action string) error {
	if e.cfg.Page != nil {
		if err := e.cfg.Page(pageURL); err != nil {
			return err
		}
	}
	page, err := e.browser.Get(ctx, pageURL, 1<<20)
	if err != nil {
		return err
	}
	if page.BodyErr != nil {
		return page.BodyErr
	}
	if page.Status != http.StatusOK {
		return fmt.Errorf("%s: page %s answered HTTP %d: %s", e.cfg.Name, pageURL, page.Status, clip(page.Body))
	}
	formAction, ok := FormAction(page.Body)
	if !ok {
		return fmt.Errorf("%s: page %s has no form", e.cfg.Name, pageURL)
	}
	if !HasButton(page.Body, action) {
		return fmt.Errorf("%s: page %s offers no %q action", e.cfg.Name, pageURL, action)
	}
	base, err := url.Parse(pageURL)
	if err != nil {
		return err
	}
	target, err := base.Parse(html.UnescapeString(formAction))
	if err != nil {
		return err
	}
	form := HiddenInputs(page.Body)
	form.Set("action", action)
	reply, err := e.browser.PostForm(ctx, target.String(), form, 1<<20)
	if err != nil {
		return err
	}
	if reply.Status != http.StatusSeeOther && (reply.Status < 200 || reply.Status > 299) {
		return fmt.Errorf("%s: submitting %q on %s answered HTTP %d: %s", e.cfg.Name, action, pageURL, reply.Status, clip(reply.Body))
	}
	if e.cfg.Done != nil {
		return e.cfg.Done(reply)
	}
	return nil
}

// clip returns the start of an answer's body, trimmed, for an error message.
func clip(body []byte) string {
	s := strings.TrimSpace(string(body))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
