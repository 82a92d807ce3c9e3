package simkit

import (
	"context"
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
