package trustist

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// errorDetail is what could be read from an error body.
type errorDetail struct {
	message string
	code    string
	field   string
}

// maxMessage bounds the message taken from an error body.
const maxMessage = 500

// parseErrorBody reads an error answer defensively. No error schema is published; the
// API says only that errors carry "a message describing the issue". [I] The backend looks
// like ASP.NET, whose default 400 body is an RFC 7807 ProblemDetails object ({title,
// detail, status, errors: {field: [messages]}}); other shapes seen in REST APIs
// ({message}, {error, error_description}, {code, message}, {errors: [...]}) and plain
// text are read too.
func parseErrorBody(body []byte) errorDetail {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return errorDetail{}
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil {
		var s string
		if json.Unmarshal(body, &s) == nil {
			return errorDetail{message: clip(s)}
		}
		if body[0] == '<' || !utf8.Valid(body) {
			return errorDetail{}
		}
		return errorDetail{message: clip(string(body))}
	}
	lower := make(map[string]json.RawMessage, len(obj))
	for k, v := range obj {
		lower[strings.ToLower(k)] = v
	}
	str := func(k string) string {
		var s string
		if raw, ok := lower[k]; ok && json.Unmarshal(raw, &s) == nil {
			return strings.TrimSpace(s)
		}
		return ""
	}
	var d errorDetail
	var parts []string
	add := func(s string) {
		if s != "" && !slices.Contains(parts, s) {
			parts = append(parts, s)
		}
	}
	add(str("title"))
	add(str("message"))
	add(str("detail"))
	add(str("error_description"))
	d.code = firstNonEmpty(str("code"), str("errorcode"))
	if e := str("error"); e != "" {
		if d.code == "" && !strings.ContainsAny(e, " \t") && len(parts) > 0 {
			d.code = e // an RFC 6749-style code beside a description
		} else {
			add(e)
		}
	}
	if raw, ok := lower["errors"]; ok {
		fields, msgs := fieldErrors(raw)
		if len(fields) == 1 {
			d.field = neutralField(fields[0])
		}
		for _, m := range msgs {
			add(m)
		}
	}
	d.message = clip(strings.Join(parts, "; "))
	return d
}

// fieldErrors reads an "errors" member: a map of field → messages, a list of strings, or
// a list of {field|propertyName, message|errorMessage} objects.
func fieldErrors(raw json.RawMessage) (fields, msgs []string) {
	var byField map[string]json.RawMessage
	if json.Unmarshal(raw, &byField) == nil {
		keys := make([]string, 0, len(byField))
		for k := range byField {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			field := strings.TrimPrefix(k, "$.")
			fields = append(fields, field)
			var list []string
			var one string
			switch {
			case json.Unmarshal(byField[k], &list) == nil:
			case json.Unmarshal(byField[k], &one) == nil:
				list = []string{one}
			}
			for _, m := range list {
				msgs = append(msgs, field+": "+m)
			}
		}
		return fields, msgs
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		return nil, nil
	}
	for _, item := range list {
		var s string
		if json.Unmarshal(item, &s) == nil {
			msgs = append(msgs, s)
			continue
		}
		var o struct {
			Field        string `json:"field"`
			PropertyName string `json:"propertyName"`
			Message      string `json:"message"`
			ErrorMessage string `json:"errorMessage"`
		}
		if json.Unmarshal(item, &o) == nil {
			f := firstNonEmpty(o.Field, o.PropertyName)
			m := firstNonEmpty(o.Message, o.ErrorMessage)
			if f != "" {
				fields = append(fields, f)
				m = f + ": " + m
			}
			if m != "" {
				msgs = append(msgs, m)
			}
		}
	}
	return fields, msgs
}

// wireFields maps Trustist request field names (lower-cased) to the neutral request's.
var wireFields = map[string]string{
	"amount":          "Amount",
	"reference":       "MerchantReference",
	"returnurl":       "ReturnURL",
	"cancelurl":       "CancelURL",
	"description":     "Description",
	"payeremail":      "Payer.Email",
	"customerdetails": "Payer",
	"customerid":      "CustomerID",
	"firstname":       "FirstName",
	"lastname":        "LastName",
	"emailaddress":    "Email",
	"dateofbirth":     "DateOfBirth",
	"orgid":           "Group",
	"address":         "Address",
}

func neutralField(wire string) string {
	if f, ok := wireFields[strings.ToLower(wire)]; ok {
		return f
	}
	return ""
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// clip shortens s to maxMessage bytes on a rune boundary and drops control characters.
func clip(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, strings.TrimSpace(s))
	if len(s) <= maxMessage {
		return s
	}
	cut := maxMessage
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// errorf returns a plain error for a cause wrapped in a *provider.Error.
func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }

// quote quotes s for messages.
func quote(s string) string { return strconv.Quote(s) }
