package paybridge

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"

	"github.com/paybridge/paybridge/provider"
)

// URLOpener opens a provider from a URL. Adapters register one per scheme.
type URLOpener interface {
	// OpenProviderURL returns the provider the URL describes. The URL names environment,
	// account and options; secrets come from the adapter's Config fields or environment
	// variables, never from the URL, which may be logged.
	OpenProviderURL(ctx context.Context, u *url.URL) (provider.Provider, error)
}

// URLOpenerFunc adapts a function to URLOpener.
type URLOpenerFunc func(ctx context.Context, u *url.URL) (provider.Provider, error)

// OpenProviderURL calls f.
func (f URLOpenerFunc) OpenProviderURL(ctx context.Context, u *url.URL) (provider.Provider, error) {
	return f(ctx, u)
}

var registry = struct {
	sync.RWMutex
	m map[string]URLOpener
}{m: map[string]URLOpener{}}

// Register makes an adapter available to Open under scheme. Adapters call it from init;
// registering a scheme twice panics. Registration is a convenience: every adapter also has
// a constructor that needs no registry.
func Register(scheme string, o URLOpener) {
	registry.Lock()
	defer registry.Unlock()
	if _, dup := registry.m[scheme]; dup {
		panic("paybridge: scheme registered twice: " + scheme)
	}
	registry.m[scheme] = o
}

// Schemes lists the registered schemes, sorted.
func Schemes() []string {
	registry.RLock()
	defer registry.RUnlock()
	out := make([]string, 0, len(registry.m))
	for s := range registry.m {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// Open returns a Gateway for the provider a URL names, e.g.
//
//	gw, err := paybridge.Open(ctx, "trustly://test?username=merchant")
//
// The adapter's package must be imported (for example with a blank import) so that its
// scheme is registered. A checkout switches provider by changing this one setting. An
// adapter whose Capabilities disagree with the interfaces it implements is refused with
// an error of Code CodeInternal (see New).
func Open(ctx context.Context, rawURL string, opts ...Option) (*Gateway, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Parse errors quote the input; keep only the reason in case it holds a secret.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, &Error{Code: CodeInvalidRequest, Op: "Open", err: fmt.Errorf("malformed provider URL: %w", err)}
	}
	if err := checkQuery(u.RawQuery); err != nil {
		return nil, &Error{Code: CodeInvalidRequest, Op: "Open", err: err}
	}
	if u.User != nil {
		return nil, &Error{Code: CodeInvalidRequest, Op: "Open",
			err: errors.New("provider URLs must not carry credentials; use the adapter's Config or environment variables")}
	}
	registry.RLock()
	o, ok := registry.m[u.Scheme]
	registry.RUnlock()
	if !ok {
		return nil, &Error{Code: CodeInvalidRequest, Op: "Open",
			err: fmt.Errorf("no provider registered for scheme %q (registered: %s); import the adapter package",
				u.Scheme, strings.Join(Schemes(), ", "))}
	}
	p, err := o.OpenProviderURL(ctx, u)
	if err != nil {
		var pe *Error
		if errors.As(err, &pe) {
			return nil, err
		}
		code := provider.CodeOf(err)
		if code == provider.Unknown {
			code = CodeInvalidRequest
		}
		return nil, &Error{Code: code, Op: "Open", Provider: u.Scheme, err: err}
	}
	g, err := newGateway("Open", p, opts...)
	if err != nil {
		_ = p.Close()
		return nil, err
	}
	return g, nil
}

// checkQuery refuses a provider URL's query that url.Values would read loosely: a
// malformed escape or a ';' separator (silently dropped, leaving the adapter's default in
// force), a control character, or a parameter given twice. Errors name the parameter,
// never its value.
func checkQuery(raw string) error {
	seen := map[string]bool{}
	for pair := range strings.SplitSeq(raw, "&") {
		if pair == "" {
			continue
		}
		rawName, rawValue, _ := strings.Cut(pair, "=")
		name, err := url.QueryUnescape(rawName)
		if err != nil {
			return fmt.Errorf("URL parameter %q: malformed %%-escape in its name", rawName)
		}
		value, err := url.QueryUnescape(rawValue)
		switch {
		case err != nil:
			return fmt.Errorf("URL parameter %q: malformed %%-escape in its value", name)
		case strings.Contains(rawValue, ";") || strings.Contains(rawName, ";"):
			return fmt.Errorf("URL parameter %q: ';' is not a separator; use '&' (or %%3B for a ';' in a value)", name)
		case strings.IndexFunc(name+value, unicode.IsControl) >= 0:
			return fmt.Errorf("URL parameter %q: contains a control character", name)
		case seen[name]:
			return fmt.Errorf("URL parameter %q: given twice", name)
		}
		seen[name] = true
	}
	return nil
}

// URLParams helps URLOpeners read query parameters: each Get removes the parameter, and
// Done reports any that no one read, so misspelt options fail loudly.
type URLParams struct {
	q url.Values
}

// NewURLParams wraps u's query.
func NewURLParams(u *url.URL) *URLParams { return &URLParams{q: u.Query()} }

// Get returns and removes the parameter's value ("" when absent).
func (p *URLParams) Get(name string) string {
	v := p.q.Get(name)
	delete(p.q, name)
	return v
}

// Done returns an InvalidRequest error listing parameters no one read.
func (p *URLParams) Done() error {
	if len(p.q) == 0 {
		return nil
	}
	var names []string
	for k := range p.q {
		names = append(names, k)
	}
	slices.Sort(names)
	return provider.Errorf(provider.InvalidRequest, "unknown URL parameters: %s", strings.Join(names, ", "))
}
