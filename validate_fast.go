package paybridge

import (
	"net"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/go-playground/validator/v10"

	"github.com/paybridge/paybridge/internal/transport"
)

// The validator walks every field of a request by reflection on every call, which costs a
// payment request a few microseconds. quickValid answers the common question — is the
// request valid? — from a plan compiled once per type from the same struct tags: the tags
// it knows are checked directly, and a type with a tag or field it cannot plan is always
// left to the validator. Only a request that fails is then run through the validator, for its
// messages. The tags stay the one statement of the rules; TestQuickCheckAgreesWithValidator
// holds the two to the same answers.

// quickPlan is the compiled check of one struct type.
type quickPlan struct {
	fields []quickField
	// unplanned is set when some field cannot be checked by the plan; the validator then
	// checks every value of the type.
	unplanned bool
}

// quickField is the check of one field.
type quickField struct {
	index     int
	kind      reflect.Kind
	omitempty bool
	required  bool
	max       int                 // -1: no bound; in runes for strings, elements for maps
	checks    []func(string) bool // the string must pass each
	nested    *quickPlan          // a struct, or a pointer to one (ptr)
	ptr       bool
}

var quickPlans sync.Map // reflect.Type -> *quickPlan

// quickStringChecks are the string tags checked without the validator: the Gateway's
// own replacements (validate.go) and the ones the validator implements by a plain
// character class.
var quickStringChecks = map[string]func(string) bool{
	"printascii": isPrintableASCII,
	"http_url":   isHTTPURL,
	"email":      isEmail,
	"locale":     isLocale,
	"alphanum":   isASCIIAlphanumeric,
}

// countryCodes holds the two-letter strings the validator's iso3166_1_alpha2 accepts,
// found by asking it about every pair of ASCII letters once.
var countryCodes = sync.OnceValue(func() map[string]bool {
	v := validator.New()
	set := map[string]bool{}
	letters := "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	for i := range len(letters) {
		for j := range len(letters) {
			if s := letters[i:i+1] + letters[j:j+1]; v.Var(s, "iso3166_1_alpha2") == nil {
				set[s] = true
			}
		}
	}
	return set
})

// isCountryCode is the validator's iso3166_1_alpha2 rule: a code from countryCodes (no
// string of another shape is one).
func isCountryCode(s string) bool { return countryCodes()[s] }

// isIP is the validator's ip rule: an IPv4 or IPv6 address as net.ParseIP reads it.
func isIP(s string) bool { return net.ParseIP(s) != nil }

// isASCIIAlphanumeric is the validator's alphanum rule.
func isASCIIAlphanumeric(s string) bool {
	for i := 0; i < len(s); i++ {
		if !transport.IsAlnum(s[i]) {
			return false
		}
	}
	return true
}

// planFor returns the plan of struct type t.
func planFor(t reflect.Type) *quickPlan {
	if p, ok := quickPlans.Load(t); ok {
		return p.(*quickPlan)
	}
	p := compilePlan(t, 0)
	quickPlans.Store(t, p)
	return p
}

func compilePlan(t reflect.Type, depth int) *quickPlan {
	p := &quickPlan{}
	if depth > 4 {
		p.unplanned = true
		return p
	}
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		tag, tagged := sf.Tag.Lookup("validate")
		if tag == "-" {
			continue
		}
		f := quickField{index: i, kind: sf.Type.Kind(), max: -1}
		ft := sf.Type
		if ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Struct {
			f.ptr, ft = true, ft.Elem()
		}
		if ft.Kind() == reflect.Struct {
			if tagged && tag != "" {
				p.unplanned = true // struct-level tags are the validator's
				return p
			}
			if ft.PkgPath() == "github.com/paybridge/paybridge/money" || ft.PkgPath() == "time" {
				continue // no exported tagged fields: the validator checks nothing inside
			}
			f.nested = compilePlan(ft, depth+1)
			if f.nested.unplanned {
				p.unplanned = true
				return p
			}
			p.fields = append(p.fields, f)
			continue
		}
		if !tagged || tag == "" {
			continue
		}
		if f.kind != reflect.String && f.kind != reflect.Map && f.kind != reflect.Slice {
			p.unplanned = true
			return p
		}
		for _, part := range strings.Split(tag, ",") {
			name, param, _ := strings.Cut(part, "=")
			switch {
			case name == "omitempty":
				f.omitempty = true
			case name == "required" && f.kind == reflect.String:
				f.required = true
			case name == "max":
				n, err := strconv.Atoi(param)
				if err != nil {
					p.unplanned = true
					return p
				}
				f.max = n
			case f.kind == reflect.String && quickStringChecks[name] != nil:
				f.checks = append(f.checks, quickStringChecks[name])
			case f.kind == reflect.String && name == "iso3166_1_alpha2":
				f.checks = append(f.checks, isCountryCode)
			case f.kind == reflect.String && name == "ip":
				f.checks = append(f.checks, isIP)
			case f.kind == reflect.String && name == "datetime" && param != "":
				f.checks = append(f.checks, func(s string) bool { _, err := time.Parse(param, s); return err == nil })
			default:
				p.unplanned = true // dive, min, required on a map...: the validator's
				return p
			}
		}
		p.fields = append(p.fields, f)
	}
	return p
}

// quickValid reports whether the struct v points to is valid by its tags, or false when
// it cannot tell: the caller then asks the validator.
func quickValid(s any) bool {
	rv := reflect.ValueOf(s)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return false
	}
	rv = rv.Elem()
	p := planFor(rv.Type())
	return !p.unplanned && p.valid(rv)
}

func (p *quickPlan) valid(rv reflect.Value) bool {
	for i := range p.fields {
		f := &p.fields[i]
		fv := rv.Field(f.index)
		if f.nested != nil {
			if f.ptr {
				if fv.IsNil() {
					continue
				}
				fv = fv.Elem()
			}
			if !f.nested.valid(fv) {
				return false
			}
			continue
		}
		if f.kind != reflect.String {
			if n := fv.Len(); f.max >= 0 && n > f.max {
				return false
			}
			continue
		}
		s := fv.String()
		if s == "" {
			if f.required {
				return false
			}
			if f.omitempty {
				continue
			}
		}
		if f.max >= 0 && len(s) > f.max && utf8.RuneCountInString(s) > f.max {
			return false
		}
		for _, check := range f.checks {
			if !check(s) {
				return false
			}
		}
	}
	return true
}
