package paybridge

import (
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

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
	if p := u.Port(); p != "" {
		// url.Parse takes any digits as a port; a provider refuses one past 65535.
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return false
		}
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

// checkStruct validates s with the struct tags and the text rule (checkText) and returns
// one FieldError per problem, named by the field's path below the request (e.g.
// "Payer.Email").
func (g *Gateway) checkStruct(s any) []FieldError {
	out := g.checkTags(s)
	return checkText(s, out)
}

// checkTags validates s with the struct tags.
func (g *Gateway) checkTags(s any) []FieldError {
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

// freeText names the fields that hold text a person reads, which may run over several
// lines: they may hold tabs and line breaks, which JSON and form encoding carry intact.
var freeText = map[string]bool{"Description": true, "Reason": true}

// textProblem says why s would not reach a provider as the caller wrote it, or returns "".
// Bytes that are not UTF-8 are replaced by encoding/json (U+FFFD) and break a signature
// computed over the raw bytes (Trustly REST's requestSignature, answered 401); control
// characters (Unicode Cc: C0, DEL and C1) have no place in names, references, ids,
// addresses or URLs, and only tab and line breaks have one in free text.
func textProblem(s string, free bool) string {
	if !utf8.ValidString(s) {
		return "must be valid UTF-8 text"
	}
	for _, r := range s {
		if !unicode.IsControl(r) {
			continue
		}
		if free && (r == '\t' || r == '\n' || r == '\r') {
			continue
		}
		if free {
			return "must not contain control characters other than tab and line breaks"
		}
		return "must not contain control characters (such as NUL, tab or a line break)"
	}
	return ""
}

// checkText applies textProblem to every string reachable from the struct s points to:
// its exported string fields, those of nested structs and non-nil struct pointers, and the
// keys and values of string maps (named by the map's field; values are free text), and holds
// string maps to the Metadata limits (mapProblems). Fields are named by their path below
// the request, as checkTags names them. It appends to out, which holds the problems the
// struct tags found: a string field already named there is not named again (a control
// character also fails printascii), while a map's tag (its number of entries) and its
// entries are separate rules, each reported.
func checkText(s any, out []FieldError) []FieldError {
	v := reflect.ValueOf(s)
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return out
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return out
	}
	return walkText(v, textPlan(v.Type()), out, len(out))
}

// textField is one field checkText looks at, found once per request type (textPlans).
type textField struct {
	index int
	name  string // the path below the request
	free  bool   // free text (freeText)
	kind  reflect.Kind
	sub   []textField // a struct's (or struct pointer's) fields
}

// textPlans caches each request type's textFields: reflect.Type.Field allocates, and the
// check runs on every call.
var textPlans sync.Map // reflect.Type -> []textField

func textPlan(t reflect.Type) []textField {
	if p, ok := textPlans.Load(t); ok {
		return p.([]textField)
	}
	p := planFields(t, "", 0)
	textPlans.Store(t, p)
	return p
}

// planFields lists t's fields that hold text; depth bounds a type that contains itself.
func planFields(t reflect.Type, prefix string, depth int) []textField {
	var out []textField
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		f := textField{index: i, name: prefix + sf.Name, free: freeText[sf.Name], kind: sf.Type.Kind()}
		ft := sf.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		switch {
		case ft.Kind() == reflect.String && f.kind == reflect.String:
		case ft.Kind() == reflect.Struct && depth < 8:
			if f.sub = planFields(ft, f.name+".", depth+1); len(f.sub) == 0 {
				continue
			}
		case f.kind == reflect.Map && ft.Key().Kind() == reflect.String && ft.Elem().Kind() == reflect.String:
		default:
			continue
		}
		out = append(out, f)
	}
	return out
}

// walkText appends the problems of v's fields in plan to out; out[:tags] are the struct
// tags' problems (checkText).
func walkText(v reflect.Value, plan []textField, out []FieldError, tags int) []FieldError {
	for i := range plan {
		f := &plan[i]
		fv := v.Field(f.index)
		switch f.kind {
		case reflect.String:
			if p := textProblem(fv.String(), f.free); p != "" &&
				!slices.ContainsFunc(out[:tags], func(o FieldError) bool { return o.Field == f.name }) {
				out = append(out, FieldError{Field: f.name, Problem: p})
			}
		case reflect.Struct:
			out = walkText(fv, f.sub, out, tags)
		case reflect.Pointer:
			if !fv.IsNil() {
				out = walkText(fv.Elem(), f.sub, out, tags)
			}
		case reflect.Map:
			out = mapProblems(f.name, fv, out)
		}
	}
	return out
}

// Metadata limits: every request's string map (Metadata) is held to them by checkText; the
// number of entries is each field's struct tag (max=20).
const (
	maxMetadataKey   = 40  // bytes
	maxMetadataValue = 500 // bytes
)

// mapProblems appends what is wrong with the string map m, named field: at most one
// FieldError for the size of its keys and values and one for their text (textProblem;
// values are free text), whichever entries are at fault.
func mapProblems(field string, m reflect.Value, out []FieldError) []FieldError {
	var size, text string
	for it := m.MapRange(); it.Next() && (size == "" || text == ""); {
		k, v := it.Key().String(), it.Value().String()
		if size == "" && (k == "" || len(k) > maxMetadataKey || len(v) > maxMetadataValue) {
			size = fmt.Sprintf("keys must be 1 to %d bytes and values at most %d bytes", maxMetadataKey, maxMetadataValue)
		}
		if text != "" {
			continue
		}
		if p := textProblem(k, false); p != "" {
			text = "keys " + p
		} else if p := textProblem(v, true); p != "" {
			text = "values " + p
		}
	}
	for _, p := range []string{size, text} {
		if p != "" {
			out = append(out, FieldError{Field: field, Problem: p})
		}
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
