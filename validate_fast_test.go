package paybridge

import (
	"math/rand/v2"
	"net/mail"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/transport"
	"github.com/paybridge/paybridge/money"
)

// trickyStrings are values that sit on the edges of the request rules.
var trickyStrings = []string{
	"", " ", "a", "GB", "gb", "SE", "XX", "en_GB", "en-GB", "EN_gb", "sv_SE",
	"https://shop.example.com/r?x=1", "HTTP://127.0.0.1:8080/n", "https://", "https:///p", "ftp://x.example",
	"https://a b.example", "https://x.example/%zz", "https://x.example/%41", "https://x.example:99999999/",
	"https://[::1]:8080/p", "https://user:pw@x.example/", "https://x.example/#a#b", "https://x.example/\x7f",
	"ada@example.com", "a.b+tag@sub.example.co.uk", "ada@localhost", "Ada <ada@example.com>", "a..b@example.com",
	".a@example.com", "a.@example.com", "ada@example..com", "ada@-example.com", "\"q\"@example.com",
	"2024-02-29", "2023-02-29", "1990-1-1", "127.0.0.1", "::1", "300.1.1.1",
	"ABC123", "abc-123", "DE89370400440532013000", "NL91ABNA0417164300",
	"é", "ümlaut", "tab\there", "line\nbreak", "\x00", strings.Repeat("x", 64), strings.Repeat("x", 65),
	strings.Repeat("é", 64), strings.Repeat("é", 65), strings.Repeat("y", 129), strings.Repeat("z", 256),
	"order-1001", "~!@#$%^&*()",
}

// mutateStrings sets a few random exported string fields of the struct v points to (and
// of its nested structs) to tricky values.
func mutateStrings(r *rand.Rand, v reflect.Value, p float64) {
	for i := range v.NumField() {
		f := v.Field(i)
		if !v.Type().Field(i).IsExported() {
			continue
		}
		switch f.Kind() {
		case reflect.String:
			if r.Float64() < p {
				f.SetString(trickyStrings[r.IntN(len(trickyStrings))])
			}
		case reflect.Struct:
			mutateStrings(r, f, p)
		case reflect.Pointer:
			if f.Type().Elem().Kind() == reflect.Struct {
				if f.IsNil() && r.Float64() < p {
					f.Set(reflect.New(f.Type().Elem()))
				}
				if !f.IsNil() {
					mutateStrings(r, f.Elem(), p)
				}
			}
		case reflect.Map:
			if r.Float64() < p/2 {
				m := reflect.MakeMap(f.Type())
				for k := range r.IntN(24) {
					m.SetMapIndex(reflect.ValueOf(strings.Repeat("k", k+1)), reflect.ValueOf("v"))
				}
				f.Set(m)
			}
		}
	}
}

// TestQuickCheckAgreesWithValidator: on thousands of requests of every validated type,
// each a valid request with random fields set to edge values, the compiled check and the
// validator give the same answer. A type the plan cannot cover must say so (unplanned)
// rather than answer differently.
func TestQuickCheckAgreesWithValidator(t *testing.T) {
	v := newValidator()
	amount := money.MustNew("10.00", "GBP")
	valid := []any{
		&PaymentRequest{Amount: amount, MerchantReference: "order-1", ReturnURL: "https://shop.example.com/r",
			Payer: Person{FirstName: "Ada", Email: "ada@example.com", Country: "GB", Locale: "en_GB", Address: &Address{City: "London", Country: "GB"}}},
		&RefundRequest{PaymentID: "p-1", Amount: amount},
		&PayoutRequest{AccountID: "acc-1", Amount: amount, MerchantReference: "po-1"},
		&VerifyAccountRequest{},
		&Customer{}, // updates are validated as the Customer they make
		&ListCustomersRequest{},
	}
	r := rand.New(rand.NewPCG(20261124, 1))
	for _, proto := range valid {
		typ := reflect.TypeOf(proto).Elem()
		plan := planFor(typ)
		t.Run(typ.Name(), func(t *testing.T) {
			if plan.unplanned {
				t.Logf("%s is left to the validator", typ.Name())
			}
			agreeValid, agreeInvalid := 0, 0
			for range 4000 {
				req := reflect.New(typ)
				req.Elem().Set(reflect.ValueOf(proto).Elem())
				if p, ok := req.Interface().(*PaymentRequest); ok && p.Payer.Address != nil {
					a := *p.Payer.Address // do not share the prototype's address
					p.Payer.Address = &a
				}
				mutateStrings(r, req.Elem(), 0.15)
				quick := quickValid(req.Interface())
				full := v.Struct(req.Interface()) == nil
				switch {
				case quick && !full:
					t.Fatalf("the quick check accepts what the validator refuses: %+v", req.Elem().Interface())
				case !quick && full && !plan.unplanned:
					t.Fatalf("the quick check refuses what the validator accepts: %+v", req.Elem().Interface())
				case full:
					agreeValid++
				default:
					agreeInvalid++
				}
			}
			if agreeInvalid == 0 || (agreeValid == 0 && !plan.unplanned) {
				t.Fatalf("the cases do not exercise both answers (%d valid, %d invalid)", agreeValid, agreeInvalid)
			}
		})
	}
}

// FuzzPlainShapes: whatever the plain URL and e-mail shapes accept, the parsers accept.
func FuzzPlainShapes(f *testing.F) {
	for _, s := range trickyStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if transport.PlainHTTPURL(s) {
			u, err := url.Parse(s)
			if err != nil || u.Hostname() == "" || (strings.ToLower(u.Scheme) != "http" && strings.ToLower(u.Scheme) != "https") {
				t.Fatalf("PlainHTTPURL accepts %q, url.Parse: %v, %+v", s, err, u)
			}
		}
		if plainEmail(s) {
			a, err := mail.ParseAddress(s)
			if err != nil || a.Address != s || a.Name != "" {
				t.Fatalf("plainEmail accepts %q, mail.ParseAddress: %v", s, err)
			}
		}
	})
}
