package memprovider

import (
	"context"
	"net/url"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
)

// Scheme is the URL scheme memprovider registers with paybridge.Open.
const Scheme = "mem"

func init() { paybridge.Register(Scheme, paybridge.URLOpenerFunc(openURL)) }

// openURL opens "mem://" with an optional "currencies=GBP,EUR" parameter over a new
// Backend. The Backend is reachable with Gateway.As(&backend).
func openURL(_ context.Context, u *url.URL) (provider.Provider, error) {
	q := paybridge.NewURLParams(u)
	var curs []money.Currency
	if s := q.Get("currencies"); s != "" {
		for _, code := range splitComma(s) {
			c, err := money.ParseCurrency(code)
			if err != nil {
				return nil, provider.FieldError("currencies", "%v", err)
			}
			curs = append(curs, c)
		}
	}
	if err := q.Done(); err != nil {
		return nil, err
	}
	b := NewBackend()
	return &ownedClient{Client: New(Config{Backend: b, APIKey: b.APIKey(), Currencies: curs})}, nil
}

// ownedClient closes the Backend it was opened with.
type ownedClient struct{ *Client }

func (o *ownedClient) Close() error {
	o.b.Close()
	return nil
}

func splitComma(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			if i > start {
				out = append(out, s[start:i])
			}
			start = i + 1
		}
	}
	return out
}
