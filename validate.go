package paybridge

import (
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strings"

	"github.com/go-playground/validator/v10"

	"github.com/paybridge/paybridge/money"
)

// isLocale reports whether s is a locale of the form en_GB: two lower-case ASCII letters,
// an underscore and two upper-case ones.
func isLocale(s string) bool {
	return len(s) == 5 && isLower(s[0]) && isLower(s[1]) && s[2] == '_' && isUpper(s[3]) && isUpper(s[4])
}

func isLower(c byte) bool { return 'a' <= c && c <= 'z' }
func isUpper(c byte) bool { return 'A' <= c && c <= 'Z' }

func newValidator() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	_ = v.RegisterValidation("locale", func(fl validator.FieldLevel) bool {
		return isLocale(fl.Field().String())
	})
	// The Gateway's own http_url and email rules (isHTTPURL, isEmail) say what it
	// accepts, as the net/url and net/mail parsers read it.
	_ = v.RegisterValidation("http_url", func(fl validator.FieldLevel) bool { return isHTTPURL(fl.Field().String()) })
	_ = v.RegisterValidation("email", func(fl validator.FieldLevel) bool { return isEmail(fl.Field().String()) })
	return v
}

// isHTTPURL reports whether s is an absolute http or https URL with a host and no
// whitespace or control characters.
func isHTTPURL(s string) bool {
	if s == "" || len(s) > 2048 {
		return false
	}
	if strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return false
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Hostname() == "" {
		return false
	}
	scheme := strings.ToLower(u.Scheme)
	return scheme == "http" || scheme == "https"
}

// isEmail reports whether s is a bare e-mail address (no display name) whose domain has
// at least one dot and no empty labels.
func isEmail(s string) bool {
	if len(s) > 254 {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	domain := s[at+1:]
	if !strings.Contains(domain, ".") {
		return false
	}
	for label := range strings.SplitSeq(domain, ".") {
		if label == "" {
			return false
		}
	}
	return true
}

// problems describes validator tags in words.
var problems = map[string]string{
	"required":         "is required",
	"required_without": "is required unless %s is set",
	"max":              "is too long (at most %s)",
	"min":              "is too small (at least %s)",
	"email":            "must be a valid e-mail address",
	"http_url":         "must be an absolute http or https URL",
	"iso3166_1_alpha2": "must be an ISO 3166-1 alpha-2 country code such as GB",
	"locale":           "must be a locale such as en_GB",
	"datetime":         "must be a date in the form %s",
	"ip":               "must be an IP address",
	"printascii":       "must contain printable ASCII characters only",
	"alphanum":         "must contain letters and digits only",
}

// checkStruct validates s with the struct tags and returns one FieldError per problem,
// named by the field's path below the request (e.g. "Payer.Email").
func (g *Gateway) checkStruct(s any) []FieldError {
	err := g.validate.Struct(s)
	if err == nil {
		return nil
	}
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		return []FieldError{{Field: "request", Problem: err.Error()}}
	}
	out := make([]FieldError, 0, len(verrs))
	for _, fe := range verrs {
		field := fe.Namespace()
		if i := strings.IndexByte(field, '.'); i >= 0 {
			field = field[i+1:]
		}
		p, ok := problems[fe.Tag()]
		if !ok {
			p = "is invalid (" + fe.Tag() + ")"
		}
		if strings.Contains(p, "%s") {
			p = fmt.Sprintf(p, fe.Param())
		}
		out = append(out, FieldError{Field: field, Problem: p})
	}
	return out
}

// checkAmount applies the money rules every money-moving request shares.
func checkAmount(field string, a money.Amount) []FieldError {
	if !a.IsValid() {
		return []FieldError{{Field: field, Problem: "is required"}}
	}
	if err := a.CheckPositive(); err != nil {
		return []FieldError{{Field: field, Problem: "must be greater than zero"}}
	}
	return nil
}

// checkMetadata rejects oversized metadata.
func checkMetadata(md map[string]string) []FieldError {
	for k, v := range md {
		if k == "" || len(k) > 40 || len(v) > 500 {
			return []FieldError{{Field: "Metadata", Problem: "keys must be 1 to 40 bytes and values at most 500 bytes"}}
		}
	}
	return nil
}
