package wire

import (
	"bufio"
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"io"
	"slices"
	"strings"
	"unicode/utf8"
)

// Member is one member of a flat object with a string value: the shape of the rows of
// Trustly's reports.
type Member struct {
	Name, Value string
}

// Signer computes the signature of a message whose data is produced piece by piece, for
// responses too large to build as a tree. It hashes method + uuid + S(data) as the pieces
// arrive; the pieces must follow the serialization rules of the package documentation.
type Signer struct {
	h     hash.Hash
	buf   []byte
	order []Member
	err   error
}

// NewSigner returns a Signer whose plaintext starts with method and uuid.
func NewSigner(method, uuid string) *Signer {
	s := &Signer{h: sha1.New(), buf: make([]byte, 0, 2*flushThreshold)}
	s.buf = append(append(s.buf, method...), uuid...)
	return s
}

// WriteObject adds S of a flat object with members in any order (it sorts them by name),
// for example one element of an array data. Duplicate names and text that is not valid
// UTF-8 are errors matching [ErrUnserializable].
func (s *Signer) WriteObject(members []Member) error {
	s.order = append(s.order[:0], members...)
	slices.SortFunc(s.order, func(a, b Member) int { return strings.Compare(a.Name, b.Name) })
	for i, m := range s.order {
		switch {
		case i > 0 && m.Name == s.order[i-1].Name:
			return s.fail(&ValueError{Path: "data." + m.Name, Reason: "duplicate member name"})
		case !utf8.ValidString(m.Name) || !utf8.ValidString(m.Value):
			return s.fail(&ValueError{Path: "data." + m.Name, Reason: "text is not valid UTF-8"})
		}
		s.buf = append(append(s.buf, m.Name...), m.Value...)
	}
	s.flush(false)
	return nil
}

// WriteString adds text to the plaintext as it is: a member name, or a piece of a string
// value.
func (s *Signer) WriteString(text string) {
	s.buf = append(s.buf, text...)
	s.flush(false)
}

// Write adds p to the plaintext as it is. It never fails.
func (s *Signer) Write(p []byte) (int, error) {
	s.buf = append(s.buf, p...)
	s.flush(false)
	return len(p), nil
}

func (s *Signer) fail(err error) error {
	if s.err == nil {
		s.err = err
	}
	return err
}

func (s *Signer) flush(force bool) {
	if force || len(s.buf) >= flushThreshold {
		s.h.Write(s.buf)
		s.buf = s.buf[:0]
	}
}

// Sign returns the signature of everything written, as [Sign] would return it for the
// whole message. It fails if a WriteObject call failed.
func (s *Signer) Sign(key *rsa.PrivateKey) (string, error) {
	if s.err != nil {
		return "", s.err
	}
	if key == nil {
		return "", errors.New("wire: nil signing key")
	}
	s.flush(true)
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA1, s.h.Sum(nil))
	if err != nil {
		return "", fmt.Errorf("wire: signing: %w", err)
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

// ResultWriter writes a signed success response piece by piece:
//
//	{"version":"1.1","result":{"signature":S,"uuid":U,"method":M,"data":[...]}}
//	{"version":"1.1","result":{"signature":S,"uuid":U,"method":M,"data":{"name":"..."}}}
//
// When the signature is not known when the writer is created (a single pass that signs
// with a [Signer] while writing), it is written after data instead, as the last member of
// result; Trustly's member order is not fixed, and the streaming decoders accept both.
// Output is buffered; Close flushes it.
type ResultWriter struct {
	w      *bufio.Writer
	str    bool // data is an object with one string member
	n      int  // elements written
	sigSet bool
	buf    []byte
	closed bool
}

func newResultWriter(w io.Writer, method, uuid, signature string) *ResultWriter {
	rw := &ResultWriter{w: bufio.NewWriterSize(w, 64<<10), sigSet: signature != ""}
	rw.buf = append(rw.buf, `{"version":"1.1","result":{`...)
	if rw.sigSet {
		rw.buf = appendQuoted(append(appendQuoted(rw.buf, "signature"), ':'), signature)
		rw.buf = append(rw.buf, ',')
	}
	rw.buf = append(appendQuoted(append(rw.buf, `"uuid":`...), uuid), `,"method":`...)
	rw.buf = append(appendQuoted(rw.buf, method), `,"data":`...)
	return rw
}

// NewArrayResultWriter starts a response whose data is an array written with
// WriteObject. signature is the response's signature, or "" to give it to Close.
func NewArrayResultWriter(w io.Writer, method, uuid, signature string) *ResultWriter {
	rw := newResultWriter(w, method, uuid, signature)
	rw.buf = append(rw.buf, '[')
	return rw
}

// NewStringResultWriter starts a response whose data is an object with the one string
// member name, whose text is written with Write. signature is the response's signature,
// or "" to give it to Close.
func NewStringResultWriter(w io.Writer, method, uuid, name, signature string) *ResultWriter {
	rw := newResultWriter(w, method, uuid, signature)
	rw.buf = append(appendQuoted(append(rw.buf, '{'), name), `:"`...)
	rw.str = true
	return rw
}

// WriteObject writes one element of an array data: a JSON object with members in the
// given order.
func (rw *ResultWriter) WriteObject(members []Member) error {
	if rw.str || rw.closed {
		return errors.New("wire: WriteObject on a writer without an open array")
	}
	if rw.n > 0 {
		rw.buf = append(rw.buf, ',')
	}
	rw.n++
	rw.buf = append(rw.buf, '{')
	for i, m := range members {
		if i > 0 {
			rw.buf = append(rw.buf, ',')
		}
		rw.buf = appendQuoted(append(appendQuoted(rw.buf, m.Name), ':'), m.Value)
	}
	rw.buf = append(rw.buf, '}')
	return rw.out()
}

// Write writes a piece of the string member's text, escaped as JSON. The text must be
// valid UTF-8 once all pieces are joined.
func (rw *ResultWriter) Write(p []byte) (int, error) {
	if !rw.str || rw.closed {
		return 0, errors.New("wire: Write on a writer without an open string")
	}
	rw.buf = appendEscaped(rw.buf, p)
	return len(p), rw.out()
}

// out hands the buffered output to the bufio.Writer once there is enough of it.
func (rw *ResultWriter) out() error {
	if len(rw.buf) < flushThreshold {
		return nil
	}
	_, err := rw.w.Write(rw.buf)
	rw.buf = rw.buf[:0]
	return err
}

// Close ends the data and the envelope, writing signature last when the writer was
// created without one, and flushes the output.
func (rw *ResultWriter) Close(signature string) error {
	if rw.closed {
		return errors.New("wire: ResultWriter closed twice")
	}
	rw.closed = true
	if rw.str {
		rw.buf = append(rw.buf, `"}`...)
	} else {
		rw.buf = append(rw.buf, ']')
	}
	switch {
	case !rw.sigSet && signature == "":
		return errors.New("wire: no signature for the response")
	case !rw.sigSet:
		rw.buf = appendQuoted(append(rw.buf, `,"signature":`...), signature)
	}
	rw.buf = append(rw.buf, "}}"...)
	if _, err := rw.w.Write(rw.buf); err != nil {
		return err
	}
	return rw.w.Flush()
}

// appendQuoted appends s as a JSON string.
func appendQuoted(dst []byte, s string) []byte {
	dst = append(dst, '"')
	dst = appendEscaped(dst, s)
	return append(dst, '"')
}

// appendEscaped appends p escaped for the inside of a JSON string: quote, backslash and
// control characters; everything else, including non-ASCII text, is copied.
func appendEscaped[T string | []byte](dst []byte, p T) []byte {
	const hexDigits = "0123456789abcdef"
	start := 0
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		dst = append(dst, p[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	return append(dst, p[start:]...)
}
