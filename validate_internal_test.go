package paybridge

import (
	"regexp"
	"testing"
)

func TestHTTPURLAndEmailRules(t *testing.T) {
	for s, want := range map[string]bool{
		"https://shop.example.com/r?x=1": true,
		"HTTP://127.0.0.1:8080/n":        true,
		"https://":                       false,
		"https:///path":                  false,
		"ftp://x.example.com":            false,
		"javascript:alert(1)":            false,
		"/relative":                      false,
		"https://a b.example.com":        false,
		"https://x.example.com/\n":       false,
		"https://x.example.com:443/r":    true,
		"https://x.example.com:99999/r":  false,
		"https://x.example.com:0/r":      false,
		"":                               false,
	} {
		if got := isHTTPURL(s); got != want {
			t.Errorf("isHTTPURL(%q) = %v, want %v", s, got, want)
		}
	}
	for s, want := range map[string]bool{
		"ada@example.com":           true,
		"a.b+tag@sub.example.co.uk": true,
		"ada@localhost":             false,
		"Ada <ada@example.com>":     false,
		"not an e-mail":             false,
		"ada@example..com":          false,
		"ada@@example.com":          false,
		" ada@example.com":          false,
		"":                          false,
	} {
		if got := isEmail(s); got != want {
			t.Errorf("isEmail(%q) = %v, want %v", s, got, want)
		}
	}
	v := newValidator()
	for s, want := range map[string]bool{"order-1 #2": true, "": true, "tab\there": false, "é": false, "del\x7f": false} {
		if got := v.Var(s, "printascii") == nil; got != want {
			t.Errorf("printascii(%q) = %v, want %v", s, got, want)
		}
	}
}

// FuzzIsLocale: isLocale accepts exactly what ^[a-z]{2}_[A-Z]{2}$ matches.
func FuzzIsLocale(f *testing.F) {
	for _, s := range []string{"en_GB", "sv_SE", "EN_gb", "en-GB", "en_GB\n", "en_G", "eng_GB", "", "é_GB"} {
		f.Add(s)
	}
	re := regexp.MustCompile(`^[a-z]{2}_[A-Z]{2}$`)
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := isLocale(s), re.MatchString(s); got != want {
			t.Fatalf("isLocale(%q) = %v, the pattern says %v", s, got, want)
		}
	})
}
