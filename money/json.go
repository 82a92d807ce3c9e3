package money

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
)

// MarshalJSON implements [json.Marshaler]. An Amount is written as an object
// holding the value as a string in the form of [Amount.Fixed] and the currency
// code:
//
//	{"value":"10.50","currency":"GBP"}
//
// The zero Amount is written as null.
func (a Amount) MarshalJSON() ([]byte, error) {
	if !a.IsValid() {
		return []byte("null"), nil
	}
	// Fixed and the currency code contain only digits, '-', '.' and letters,
	// so nothing needs escaping.
	var b bytes.Buffer
	b.WriteString(`{"value":"`)
	b.WriteString(a.Fixed())
	b.WriteString(`","currency":"`)
	b.WriteString(a.cur.String())
	b.WriteString(`"}`)
	return b.Bytes(), nil
}

// UnmarshalJSON implements [json.Unmarshaler]. It reads the object written by
// [Amount.MarshalJSON] and applies every rule of [New]. The value may be a JSON
// string ("10.50") or a JSON number (10.50); a number is read as text and never
// passes through a float, and one in exponent form (1e3) is rejected just like
// the string "1e3". JSON null gives the zero Amount.
//
// The object must have exactly the two members "value" and "currency", spelt in
// lower case, each once; anything else fails with [ErrInvalidAmount]. On error
// a is left unchanged.
func (a *Amount) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()

	tok, err := dec.Token()
	if err != nil {
		return badJSON("not valid JSON")
	}
	if tok == nil { // null
		if !atEnd(dec) {
			return badJSON("unexpected data after null")
		}
		*a = Amount{}
		return nil
	}
	if tok != json.Delim('{') {
		return badJSON("want an object with \"value\" and \"currency\", or null")
	}

	var value, code string
	var haveValue, haveCode bool
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return badJSON("not valid JSON")
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return badJSON("not valid JSON")
		}
		switch key {
		case "value":
			if haveValue {
				return badJSON("\"value\" appears more than once")
			}
			haveValue = true
			if value, err = valueText(raw); err != nil {
				return err
			}
		case "currency":
			if haveCode {
				return badJSON("\"currency\" appears more than once")
			}
			haveCode = true
			if err := json.Unmarshal(raw, &code); err != nil || raw[0] != '"' {
				return badJSON("\"currency\" must be a string")
			}
		default:
			return badJSON("unexpected member " + quoteInput(key))
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return badJSON("not valid JSON")
	}
	if !atEnd(dec) {
		return badJSON("unexpected data after the object")
	}
	if !haveValue {
		return badJSON("missing \"value\"")
	}
	if !haveCode {
		return badJSON("missing \"currency\"")
	}

	parsed, err := New(value, code)
	if err != nil {
		return err
	}
	*a = parsed
	return nil
}

// valueText returns the text of a JSON string or number holding an amount.
func valueText(raw json.RawMessage) (string, error) {
	switch {
	case len(raw) > 0 && raw[0] == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", badJSON("not valid JSON")
		}
		return s, nil
	case len(raw) > 0 && (raw[0] == '-' || isDigit(raw[0])):
		// The decoder has checked that raw is a JSON number; keep its text.
		return string(raw), nil
	}
	return "", badJSON("\"value\" must be a string or a number")
}

// atEnd reports whether dec has nothing but white space left.
func atEnd(dec *json.Decoder) bool {
	_, err := dec.Token()
	return errors.Is(err, io.EOF)
}

func badJSON(reason string) error {
	return errorf(ErrInvalidAmount, "invalid JSON amount: %s", reason)
}
