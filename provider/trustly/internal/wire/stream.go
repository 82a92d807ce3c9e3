package wire

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"iter"
	"slices"
	"strings"
	"unicode/utf8"
)

// DefaultMaxStreamSize is the largest body, in bytes, that [StreamArrayResult] and
// [StreamStringResult] accept unless [WithMaxBodySize] says otherwise (8 GiB). They hold
// only a bounded part of the body in memory, so the limit bounds the time a body can take,
// not the memory it uses.
const DefaultMaxStreamSize = 8 << 30

// MaxStreamValueSize is the most the streaming decoders hold in memory for one JSON
// value (1 MiB): an envelope member, one element of a streamed array, or a member of a
// streamed object other than the streamed string. A larger value is reported with an
// error matching [ErrTooLarge].
const MaxStreamValueSize = 1 << 20

// ErrBodyRead is matched by the errors of the streaming decoders that come from reading
// the body (a connection that broke or was cancelled midway), as opposed to what the body
// says. Such errors also wrap the reader's error.
var ErrBodyRead = errors.New("wire: reading the body failed")

// Element is one element of a streamed result.data array (see [StreamArrayResult]). An
// Element and the byte slices it returns are valid only during the callback that receives
// it.
type Element struct {
	object  bool
	members []scalarMember // the string, number and null members of an object element
	order   []int          // the indexes of members, by name in byte order
	scratch []byte         // decoded text of escaped strings
	// layout is the member names, in body order, of the last object whose order was
	// computed: rows of a report share their layout, which saves sorting each one.
	layout    [][]byte
	layoutBuf []byte
}

// scalarMember is one string, number or null member of an object element.
type scalarMember struct {
	name, value []byte
	null        bool
}

// IsObject reports whether the element is a JSON object.
func (e *Element) IsObject() bool { return e.object }

// Bytes returns the text of the string or number member name of an object element, like
// [Scalar]: false for a member that is absent, null, an object or an array. The slice is
// valid only during the callback.
func (e *Element) Bytes(name string) ([]byte, bool) {
	for i := range e.members {
		if m := &e.members[i]; string(m.name) == name {
			return m.value, !m.null
		}
	}
	return nil, false
}

// Scalars iterates over the string and number members of an object element, by name in
// byte order, giving each member's name and text. The slices are valid only during the
// callback that received the element.
func (e *Element) Scalars() iter.Seq2[[]byte, []byte] {
	return func(yield func([]byte, []byte) bool) {
		for _, i := range e.order {
			if m := &e.members[i]; !m.null && !yield(m.name, m.value) {
				return
			}
		}
	}
}

// Text is Bytes as a string.
func (e *Element) Text(name string) (string, bool) {
	b, ok := e.Bytes(name)
	return string(b), ok
}

// StreamArrayResult reads a response to a request sent with method wantMethod and UUID
// wantUUID whose result.data is an array, without holding the body in memory. It decodes
// the body with a json.Decoder token stream and passes each element of result.data to
// each as it is decoded, while feeding the element's serialization into the SHA-1 digest
// that result.signature covers. Only when the whole body has been read does it check the
// signature with trustlyPub.
//
// The elements each receives are therefore NOT authenticated: StreamArrayResult returning
// nil is what verifies them, all together. A caller must not act on any element before
// that (it can keep them, as the trustly adapter keeps them in a spool, and act once the
// call has returned nil). A body whose last element was altered fails only at the end,
// after each has seen every element.
//
// The members of result may come in any order. The digest starts with wantMethod and
// wantUUID; a response whose signed uuid or method differs is reported as a
// *[MismatchError] without its signature being checked (as soon as it is read, when it
// comes before data). Other failures match [ErrMalformed] (including bodies and values
// over the limits: [WithMaxBodySize], default [DefaultMaxStreamSize]; [WithMaxDepth];
// [MaxStreamValueSize] for each element), [ErrBadSignature], or [ErrBodyRead]; an error
// response is returned as an *[RPCError] exactly as [DecodeResponse] returns it. An error
// returned by each stops the decoding and is returned as it is.
//
// The body is checked as [DecodeResponse] checks it: valid UTF-8, no duplicate member
// names, no trailing data, a "version" of 1.1 when present, and data that can be
// serialized (an element holding a boolean fails verification, matching both
// [ErrBadSignature] and [ErrUnserializable]).
func StreamArrayResult(r io.Reader, trustlyPub *rsa.PublicKey, wantMethod, wantUUID string, each func(*Element) error, opts ...DecodeOption) error {
	d := newStreamDecoder(r, trustlyPub, wantMethod, wantUUID, opts)
	d.data = func() error { return d.array(each) }
	return d.run()
}

// StreamStringResult reads a response to a request sent with method wantMethod and UUID
// wantUUID whose result.data is an object with the string member name, such as the CSV
// text of ViewAutomaticSettlementDetailsCSV, without holding the body or the string in
// memory. It writes the decoded text of that member to w as it reads it and feeds it into
// the digest that result.signature covers, then checks the signature with trustlyPub once
// the whole body has been read.
//
// What w receives is therefore NOT authenticated until StreamStringResult returns nil; see
// [StreamArrayResult] for the contract and the errors. Other members of result.data are
// decoded whole (up to [MaxStreamValueSize] together) and signed in order; because the
// string is hashed as it passes, a member that follows it in the body but sorts before it
// cannot be verified in one pass and is reported as malformed.
func StreamStringResult(r io.Reader, trustlyPub *rsa.PublicKey, wantMethod, wantUUID, name string, w io.Writer, opts ...DecodeOption) error {
	d := newStreamDecoder(r, trustlyPub, wantMethod, wantUUID, opts)
	d.data = func() error { return d.stringObject(name, w) }
	return d.run()
}

// streamDecoder holds the state of one streamed response.
type streamDecoder struct {
	g   *guardReader
	dec *json.Decoder
	cfg decodeConfig
	pub *rsa.PublicKey

	wantMethod, wantUUID string
	h                    hash.Hash
	buf                  []byte // plaintext not yet written to h
	data                 func() error

	hasResult, hasError bool
	errTree             any
	sig, uuid, method   string
	haveData            bool

	raw  json.RawMessage
	elem Element
}

func newStreamDecoder(r io.Reader, pub *rsa.PublicKey, wantMethod, wantUUID string, opts []DecodeOption) *streamDecoder {
	cfg := decodeConfig{maxBody: DefaultMaxStreamSize, maxDepth: DefaultMaxDepth}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	g := &guardReader{r: r, max: cfg.maxBody}
	dec := json.NewDecoder(g)
	dec.UseNumber()
	g.dec = dec
	d := &streamDecoder{g: g, dec: dec, cfg: cfg, pub: pub, wantMethod: wantMethod, wantUUID: wantUUID,
		h: sha1.New(), buf: make([]byte, 0, 2*flushThreshold)}
	d.buf = append(append(d.buf, wantMethod...), wantUUID...)
	return d
}

// flush hands the buffered plaintext to the hash once there is enough of it.
func (d *streamDecoder) flush(force bool) {
	if force || len(d.buf) >= flushThreshold {
		d.h.Write(d.buf)
		d.buf = d.buf[:0]
	}
}

// fail turns an error of the json.Decoder into one of the package's errors.
func fail(err error) error {
	switch {
	case errors.Is(err, ErrBodyRead), errors.Is(err, ErrMalformed):
		return err
	case err == io.EOF:
		err = io.ErrUnexpectedEOF
	}
	return malformed("invalid JSON: %v", err)
}

func (d *streamDecoder) token() (json.Token, error) {
	t, err := d.dec.Token()
	if err != nil {
		return nil, fail(err)
	}
	return t, nil
}

// tree decodes the next value whole, at the given nesting depth.
func (d *streamDecoder) tree(depth int) (any, error) {
	start := d.g.offset()
	tp := treeParser{dec: d.dec, maxDepth: d.cfg.maxDepth}
	v, err := tp.value(depth)
	if err != nil {
		return nil, fail(err)
	}
	if d.g.offset()-start > MaxStreamValueSize {
		return nil, tooLarge(MaxStreamValueSize)
	}
	return v, nil
}

// key reads the next member name of an object and rejects a repeated one.
func (d *streamDecoder) key(seen map[string]bool, where string) (string, error) {
	t, err := d.token()
	if err != nil {
		return "", err
	}
	k, ok := t.(string)
	if !ok {
		return "", malformed("invalid JSON: object member name is %s", describe(t))
	}
	if seen[k] {
		return "", malformed("invalid JSON: duplicate member name %q in %s", k, where)
	}
	seen[k] = true
	return k, nil
}

// end reads the closing delimiter of the current object or array.
func (d *streamDecoder) end(want json.Delim) error {
	t, err := d.token()
	if err != nil {
		return err
	}
	if t != want {
		return malformed("invalid JSON: expected %q", rune(want))
	}
	return nil
}

func (d *streamDecoder) run() error {
	t, err := d.token()
	if err != nil {
		return err
	}
	if t != json.Delim('{') {
		if t == json.Delim('[') {
			return malformed("body is an array, not a JSON object")
		}
		return malformed("body is %s, not a JSON object", describe(t))
	}
	seen := map[string]bool{}
	for d.dec.More() {
		k, err := d.key(seen, "the body")
		if err != nil {
			return err
		}
		switch k {
		case "result":
			err = d.result()
		case "error":
			d.errTree, err = d.tree(1)
			d.hasError = d.errTree != nil
		case "version":
			var v any
			if v, err = d.tree(1); err == nil {
				s, isStr := v.(string)
				n, isNum := v.(json.Number)
				if !(isStr && s == Version) && !(isNum && n == Version) {
					return malformed("unsupported version %s", describe(v))
				}
			}
		default:
			_, err = d.tree(1)
		}
		if err != nil {
			return err
		}
	}
	if err := d.end('}'); err != nil {
		return err
	}
	if _, err := d.dec.Token(); err != io.EOF {
		if err != nil && (errors.Is(err, ErrBodyRead) || errors.Is(err, ErrMalformed)) {
			return err
		}
		return malformed("invalid JSON: data after the top-level value")
	}
	return d.finish()
}

// result streams the result member.
func (d *streamDecoder) result() error {
	t, err := d.token()
	if err != nil || t == nil {
		return err // a null result counts as absent
	}
	if t != json.Delim('{') {
		return malformed("result is %s, not an object", describeToken(t))
	}
	d.hasResult = true
	seen := map[string]bool{}
	for d.dec.More() {
		k, err := d.key(seen, "result")
		if err != nil {
			return err
		}
		switch k {
		case "signature":
			d.sig, err = d.text("result.signature")
		case "uuid":
			if d.uuid, err = d.text("result.uuid"); err == nil && !d.haveData && d.uuid != "" && d.uuid != d.wantUUID {
				return &MismatchError{Field: "uuid", Want: d.wantUUID, Got: d.uuid}
			}
		case "method":
			if d.method, err = d.text("result.method"); err == nil && !d.haveData && d.method != "" && d.method != d.wantMethod {
				return &MismatchError{Field: "method", Want: d.wantMethod, Got: d.method}
			}
		case "data":
			d.haveData = true
			err = d.data()
		default:
			_, err = d.tree(2)
		}
		if err != nil {
			return err
		}
	}
	return d.end('}')
}

// text reads a member of result that must be a string; null counts as absent ("").
func (d *streamDecoder) text(where string) (string, error) {
	v, err := d.tree(2)
	if err != nil || v == nil {
		return "", err
	}
	s, ok := v.(string)
	if !ok {
		return "", malformed("%s is %s, not a string", where, describe(v))
	}
	return s, nil
}

// describeToken names a token for error messages.
func describeToken(t json.Token) string {
	switch t {
	case json.Delim('['):
		return "an array"
	case json.Delim('{'):
		return "an object"
	}
	return describe(t)
}

// finish checks the envelope once the body has been read and verifies the signature.
func (d *streamDecoder) finish() error {
	switch {
	case d.hasResult && d.hasError:
		return malformed("response has both result and error")
	case d.hasError:
		return decodeError(d.errTree, d.pub, d.wantMethod, d.wantUUID)
	case !d.hasResult:
		return malformed("response has neither result nor error")
	}
	for _, m := range []struct{ name, v string }{{"signature", d.sig}, {"uuid", d.uuid}, {"method", d.method}} {
		if m.v == "" {
			return malformed("missing result.%s", m.name)
		}
	}
	if !d.haveData {
		return malformed("missing result.data")
	}
	if err := checkMatch(d.uuid, d.method, d.wantUUID, d.wantMethod, false); err != nil {
		return err
	}
	d.flush(true)
	return verifyDigest(d.pub, d.h.Sum(nil), d.sig)
}

// array streams result.data as an array, element by element.
func (d *streamDecoder) array(each func(*Element) error) error {
	t, err := d.token()
	if err != nil {
		return err
	}
	if t != json.Delim('[') {
		return malformed("result.data is %s, not an array", describeToken(t))
	}
	if 2 >= d.cfg.maxDepth {
		return malformed("invalid JSON: nesting deeper than %d levels", d.cfg.maxDepth)
	}
	for d.dec.More() {
		if err := d.element(); err != nil {
			return err
		}
		if err := each(&d.elem); err != nil {
			return err
		}
	}
	return d.end(']')
}

// element decodes the next element of result.data and adds its serialization to the
// digest. Objects whose members are all strings, numbers or null (the rows of Trustly's
// reports) are serialized straight from their JSON text; any other element goes through
// the raw tree, as [DecodeResponse] would.
func (d *streamDecoder) element() error {
	d.raw = d.raw[:0]
	if err := d.dec.Decode(&d.raw); err != nil {
		return fail(err)
	}
	if len(d.raw) > MaxStreamValueSize {
		return tooLarge(MaxStreamValueSize)
	}
	e := &d.elem
	flat, err := e.scan(d.raw)
	if err != nil {
		return err
	}
	if flat && 3 < d.cfg.maxDepth {
		for _, i := range e.order {
			m := &e.members[i]
			d.buf = append(append(d.buf, m.name...), m.value...)
		}
		d.flush(false)
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(d.raw))
	dec.UseNumber()
	tp := treeParser{dec: dec, maxDepth: d.cfg.maxDepth}
	v, err := tp.value(3)
	if err != nil {
		return malformed("invalid JSON: %v", err)
	}
	p := plainWriter{buf: d.buf}
	if err := p.value(v, 0); err != nil {
		return fmt.Errorf("%w: %w", ErrBadSignature, publicError(within(err, "[]")))
	}
	d.buf = p.buf
	d.flush(false)
	return nil
}

// scan reads an element's JSON text, which the json.Decoder has already checked. It
// collects the string, number and null members of an object, sorted by name, and reports
// flat for an object that has no other members. Duplicate names among those members are
// an error (the tree parser finds the others).
func (e *Element) scan(raw []byte) (flat bool, err error) {
	e.object, e.members, e.scratch = false, e.members[:0], e.scratch[:0]
	i := skipSpace(raw, 0)
	if raw[i] != '{' {
		e.order = e.order[:0]
		return false, nil
	}
	e.object, flat = true, true
	i = skipSpace(raw, i+1)
	for raw[i] != '}' {
		var m scalarMember
		if m.name, i, err = e.str(raw, i); err != nil {
			return false, err
		}
		i = skipSpace(raw, skipSpace(raw, i)+1) // the colon
		switch c := raw[i]; {
		case c == '"':
			if m.value, i, err = e.str(raw, i); err != nil {
				return false, err
			}
			e.members = append(e.members, m)
		case c == 'n':
			m.null, i = true, i+len("null")
			e.members = append(e.members, m)
		case c == '{' || c == '[':
			flat, i = false, skipNested(raw, i)
		case c == 't' || c == 'f':
			flat, i = false, skipNumber(raw, i)
		default:
			j := skipNumber(raw, i)
			m.value, i = raw[i:j], j
			e.members = append(e.members, m)
		}
		if i = skipSpace(raw, i); raw[i] == ',' {
			i = skipSpace(raw, i+1)
		}
	}
	if !e.sameLayout() {
		if err := e.sortMembers(); err != nil {
			return false, err
		}
	}
	return flat, nil
}

// sameLayout reports whether the members have the names, in the same order, of the
// object whose order was computed last.
func (e *Element) sameLayout() bool {
	if len(e.members) != len(e.layout) || len(e.order) != len(e.members) {
		return false
	}
	for i := range e.members {
		if !bytes.Equal(e.members[i].name, e.layout[i]) {
			return false
		}
	}
	return true
}

// sortMembers computes order, rejects duplicate names and remembers the layout.
func (e *Element) sortMembers() error {
	e.order = e.order[:0]
	for i := range e.members {
		e.order = append(e.order, i)
	}
	slices.SortFunc(e.order, func(a, b int) int { return bytes.Compare(e.members[a].name, e.members[b].name) })
	for k := 1; k < len(e.order); k++ {
		if name := e.members[e.order[k]].name; bytes.Equal(e.members[e.order[k-1]].name, name) {
			e.layout = e.layout[:0]
			return malformed("invalid JSON: duplicate member name %q", name)
		}
	}
	e.layout, e.layoutBuf = e.layout[:0], e.layoutBuf[:0]
	for _, m := range e.members {
		e.layoutBuf = append(e.layoutBuf, m.name...)
	}
	off := 0
	for _, m := range e.members {
		e.layout = append(e.layout, e.layoutBuf[off:off+len(m.name):off+len(m.name)])
		off += len(m.name)
	}
	return nil
}

// str returns the decoded text of the JSON string starting at raw[i] and the index after
// it. Text without escapes is a slice of raw; escaped text is decoded by encoding/json
// into e.scratch, so both paths give exactly the text the tree decoder gives.
func (e *Element) str(raw []byte, i int) ([]byte, int, error) {
	j := i + 1 + bytes.IndexByte(raw[i+1:], '"')
	if bytes.IndexByte(raw[i+1:j], '\\') < 0 {
		return raw[i+1 : j], j + 1, nil
	}
	for j = i + 1; raw[j] != '"'; j++ {
		if raw[j] == '\\' {
			j++
		}
	}
	var s string
	if err := json.Unmarshal(raw[i:j+1], &s); err != nil {
		return nil, 0, malformed("invalid JSON: %v", err)
	}
	start := len(e.scratch)
	e.scratch = append(e.scratch, s...)
	return e.scratch[start:len(e.scratch):len(e.scratch)], j + 1, nil
}

func skipSpace(raw []byte, i int) int {
	for i < len(raw) && (raw[i] == ' ' || raw[i] == '\t' || raw[i] == '\n' || raw[i] == '\r') {
		i++
	}
	return i
}

// skipNumber returns the index after the number or literal starting at raw[i].
func skipNumber(raw []byte, i int) int {
	for ; i < len(raw); i++ {
		switch raw[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i
		}
	}
	return i
}

// skipNested returns the index after the object or array starting at raw[i].
func skipNested(raw []byte, i int) int {
	depth := 0
	for ; ; i++ {
		switch raw[i] {
		case '{', '[':
			depth++
		case '}', ']':
			if depth--; depth == 0 {
				return i + 1
			}
		case '"':
			for i++; raw[i] != '"'; i++ {
				if raw[i] == '\\' {
					i++
				}
			}
		}
	}
}

// pending is a member of a streamed object other than the streamed string.
type pending struct {
	name string
	v    any
}

// stringObject streams result.data as an object whose member name is a string written to
// w; the other members are decoded whole and signed in name order around it.
func (d *streamDecoder) stringObject(name string, w io.Writer) error {
	t, err := d.token()
	if err != nil {
		return err
	}
	if t != json.Delim('{') {
		return malformed("result.data is %s, not an object", describeToken(t))
	}
	if 2 >= d.cfg.maxDepth {
		return malformed("invalid JSON: nesting deeper than %d levels", d.cfg.maxDepth)
	}
	var before, after []pending
	found := false
	seen := map[string]bool{}
	start := d.g.offset()
	for d.dec.More() {
		k, err := d.key(seen, "result.data")
		if err != nil {
			return err
		}
		if k == name {
			slices.SortFunc(before, func(a, b pending) int { return strings.Compare(a.name, b.name) })
			for _, m := range before {
				if m.name > name {
					after = append(after, m)
				} else if err := d.plain(m); err != nil {
					return err
				}
			}
			d.buf = append(d.buf, name...)
			d.flush(true)
			if err := d.streamString(io.MultiWriter(d.h, w)); err != nil {
				return err
			}
			found, start = true, d.g.offset()
			continue
		}
		v, err := d.tree(3)
		if err != nil {
			return err
		}
		if d.g.offset()-start > MaxStreamValueSize {
			return tooLarge(MaxStreamValueSize)
		}
		switch {
		case !found:
			before = append(before, pending{k, v})
		case k < name:
			return malformed("result.data.%s follows %s but sorts before it, so the signature cannot be checked in one pass", k, name)
		default:
			after = append(after, pending{k, v})
		}
	}
	if !found {
		return malformed("missing result.data.%s", name)
	}
	slices.SortFunc(after, func(a, b pending) int { return strings.Compare(a.name, b.name) })
	for _, m := range after {
		if err := d.plain(m); err != nil {
			return err
		}
	}
	return d.end('}')
}

// plain adds the serialization of one member to the digest.
func (d *streamDecoder) plain(m pending) error {
	p := plainWriter{buf: append(d.buf, m.name...)}
	if err := p.value(m.v, 0); err != nil {
		return fmt.Errorf("%w: %w", ErrBadSignature, publicError(within(err, keySeg(m.name))))
	}
	d.buf = p.buf
	d.flush(false)
	return nil
}

// resumePrefix rebuilds the nesting of result.data for a new json.Decoder that continues
// after a streamed string: it opens the body, result and data objects and ends with a
// member whose value has just been read, so the decoder then expects what follows a
// member of result.data.
const resumePrefix = `{"result":{"data":{"":""`

// resumeTokens is the number of tokens in resumePrefix.
const resumeTokens = 7

// streamString reads the string value of the member whose name the json.Decoder has just
// returned, straight from the body, and writes its decoded text to w. It then replaces
// the decoder with one that continues after the string.
func (d *streamDecoder) streamString(w io.Writer) error {
	valueStart := d.g.offset()
	d.g.dec = nil // the string may be long; it is never held whole
	sr := &stringReader{src: io.MultiReader(d.dec.Buffered(), d.g), buf: make([]byte, 32<<10)}
	if err := sr.open(); err != nil {
		return err
	}
	if err := sr.copyTo(w); err != nil {
		return err
	}
	rest := io.MultiReader(strings.NewReader(resumePrefix), bytes.NewReader(sr.buf[sr.r:sr.w]), sr.src)
	dec := json.NewDecoder(rest)
	dec.UseNumber()
	for range resumeTokens {
		if _, err := dec.Token(); err != nil {
			return fail(err)
		}
	}
	d.dec = dec
	d.g.dec, d.g.base = dec, valueStart+sr.consumed-int64(len(resumePrefix))
	return nil
}

// stringReader decodes one JSON string value from a byte stream.
type stringReader struct {
	src      io.Reader
	buf      []byte
	r, w     int   // buf[r:w] is read but not consumed
	consumed int64 // bytes consumed from the stream
	eof      bool
}

// fill makes at least n bytes available unless the stream ends first, and reports whether
// they are.
func (s *stringReader) fill(n int) (bool, error) {
	for s.w-s.r < n && !s.eof {
		if s.r > 0 {
			s.w = copy(s.buf, s.buf[s.r:s.w])
			s.r = 0
		}
		k, err := s.src.Read(s.buf[s.w:])
		s.w += k
		if err == io.EOF {
			s.eof = true
		} else if err != nil {
			return false, fail(err)
		}
	}
	return s.w-s.r >= n, nil
}

func (s *stringReader) advance(n int) {
	s.r += n
	s.consumed += int64(n)
}

// open consumes the colon after the member name and the opening quote of the value.
func (s *stringReader) open() error {
	colon := false
	for {
		ok, err := s.fill(1)
		if err != nil {
			return err
		}
		if !ok {
			return malformed("invalid JSON: %v", io.ErrUnexpectedEOF)
		}
		switch c := s.buf[s.r]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
		case c == ':' && !colon:
			colon = true
		case c == '"' && colon:
			s.advance(1)
			return nil
		case colon:
			return malformed("result.data member is not a string")
		default:
			return malformed("invalid JSON: expected ':' after a member name")
		}
		s.advance(1)
	}
}

// copyTo decodes the string's text up to and including its closing quote into w. It
// decodes escapes as encoding/json does: a \u escape of a lone surrogate becomes U+FFFD.
func (s *stringReader) copyTo(w io.Writer) error {
	var esc [utf8.UTFMax]byte
	for {
		ok, err := s.fill(1)
		if err != nil {
			return err
		}
		if !ok {
			return malformed("invalid JSON: %v", io.ErrUnexpectedEOF)
		}
		i := s.r
		for i < s.w && s.buf[i] != '"' && s.buf[i] != '\\' && s.buf[i] >= 0x20 {
			i++
		}
		if i > s.r {
			if _, err := w.Write(s.buf[s.r:i]); err != nil {
				return err
			}
			s.advance(i - s.r)
			continue
		}
		switch c := s.buf[s.r]; {
		case c == '"':
			s.advance(1)
			return nil
		case c < 0x20:
			return malformed("invalid JSON: control character in string")
		}
		// An escape: at most two \uXXXX sequences.
		if _, err := s.fill(12); err != nil {
			return err
		}
		n, used, err := unescape(s.buf[s.r:s.w], esc[:])
		if err != nil {
			return err
		}
		if _, err := w.Write(esc[:n]); err != nil {
			return err
		}
		s.advance(used)
	}
}

// unescape decodes the escape sequence at the start of b into out and returns the
// number of bytes written and consumed.
func unescape(b, out []byte) (n, used int, err error) {
	bad := malformed("invalid JSON: invalid escape in string")
	if len(b) < 2 {
		return 0, 0, bad
	}
	switch b[1] {
	case '"', '\\', '/':
		out[0] = b[1]
	case 'b':
		out[0] = '\b'
	case 'f':
		out[0] = '\f'
	case 'n':
		out[0] = '\n'
	case 'r':
		out[0] = '\r'
	case 't':
		out[0] = '\t'
	case 'u':
		r := hex4(b[2:])
		if r < 0 {
			return 0, 0, bad
		}
		used = 6
		if r >= 0xD800 && r < 0xE000 {
			r2 := rune(-1)
			if len(b) >= 12 && b[6] == '\\' && b[7] == 'u' {
				r2 = hex4(b[8:])
			}
			if r >= 0xDC00 || r2 < 0xDC00 || r2 >= 0xE000 {
				r = utf8.RuneError
			} else {
				r, used = ((r-0xD800)<<10|(r2-0xDC00))+0x10000, 12
			}
		}
		return utf8.EncodeRune(out, r), used, nil
	default:
		return 0, 0, bad
	}
	return 1, 2, nil
}

// hex4 returns the value of four hex digits at the start of b, or -1.
func hex4(b []byte) rune {
	if len(b) < 4 {
		return -1
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}

// maxRead is the most a guardReader reads at once.
const maxRead = 64 << 10

// guardReader is the body as the streaming decoders read it. It counts the bytes, stops at
// the body limit, checks that the body is valid UTF-8 across reads, and stops the
// json.Decoder from buffering more than MaxStreamValueSize of one value. Errors of the
// underlying reader are wrapped with ErrBodyRead.
type guardReader struct {
	r   io.Reader
	n   int64 // bytes read
	max int64
	// dec, when set, is the decoder reading the body; base + dec.InputOffset() is the
	// offset in the body up to which it has consumed.
	dec   *json.Decoder
	base  int64
	carry []byte // the start of a UTF-8 sequence cut by the last read
	err   error
}

// offset returns how much of the body the current decoder has consumed.
func (g *guardReader) offset() int64 { return g.base + g.dec.InputOffset() }

func (g *guardReader) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	if g.dec != nil && g.n-g.offset() > MaxStreamValueSize {
		g.err = tooLarge(MaxStreamValueSize)
		return 0, g.err
	}
	if len(p) > maxRead {
		p = p[:maxRead] // so that a value cannot overshoot the bound by much
	}
	n, err := g.r.Read(p)
	g.n += int64(n)
	if g.n > g.max {
		g.err = tooLarge(g.max)
		return 0, g.err
	}
	if verr := g.checkUTF8(p[:n], err == io.EOF); verr != nil {
		g.err = verr
		return 0, verr
	}
	switch {
	case err == nil, err == io.EOF:
		return n, err
	default:
		g.err = fmt.Errorf("%w: %w", ErrBodyRead, err)
		return n, g.err
	}
}

// checkUTF8 validates p as the continuation of what was read before.
func (g *guardReader) checkUTF8(p []byte, last bool) error {
	bad := malformed("body is not valid UTF-8")
	if len(g.carry) > 0 {
		k := min(utf8.UTFMax-len(g.carry), len(p))
		seq := append(g.carry, p[:k]...)
		if !utf8.FullRune(seq) {
			if last {
				return bad
			}
			g.carry = seq
			return nil
		}
		r, size := utf8.DecodeRune(seq)
		if r == utf8.RuneError && size <= 1 {
			return bad
		}
		p = p[size-len(g.carry):]
		g.carry = g.carry[:0]
	}
	cut := len(p)
	for i := len(p) - 1; i >= 0 && i >= len(p)-utf8.UTFMax+1; i-- {
		if utf8.RuneStart(p[i]) {
			if !utf8.FullRune(p[i:]) {
				cut = i
			}
			break
		}
	}
	if !utf8.Valid(p[:cut]) || (last && cut < len(p)) {
		return bad
	}
	g.carry = append(g.carry[:0], p[cut:]...)
	return nil
}

// verifyDigest checks signature, standard Base64 of an RSASSA-PKCS1-v1_5 signature, over
// a SHA-1 digest. Every failure matches ErrBadSignature.
func verifyDigest(pub *rsa.PublicKey, digest []byte, signature string) error {
	sig, err := decodeSignature(pub, signature)
	if err != nil {
		return err
	}
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA1, digest, sig); err != nil {
		return ErrBadSignature
	}
	return nil
}
