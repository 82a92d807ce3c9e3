package report

import (
	"bufio"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// A spool holds a report between its download and its delivery: the rows of a report are
// delivered only once the signature over the whole answer has verified, and a report can
// be far larger than a process should hold in memory. The first spoolInMemory bytes stay
// in memory. The rest go to a temporary file, which is removed from its directory as soon
// as it is created (where the system allows) and whose chunks are sealed with AES-GCM
// under a key that exists only in this process: nobody else can read them, and what is
// read back is exactly what was written, in order, or an error.
//
// Bytes are written with Write and read back, after Finish, chunk by chunk with a cursor.
// One Write call never spans two chunks, so a record written with one call is read back
// whole within one chunk.
type spool struct {
	chunk  []byte   // being filled
	mem    [][]byte // full chunks kept in memory
	memLen int

	f       *os.File
	name    string // f's name, while it is still in the directory
	w       *bufio.Writer
	aead    cipher.AEAD
	sealed  uint64 // chunks in f
	sealBuf []byte
	err     error
}

const (
	spoolChunk    = 64 << 10
	spoolInMemory = 4 << 20
)

// ErrSpool is matched by the errors of the spool that holds a report until it has
// verified (a full disk, an unwritable temporary directory, a file altered on disk).
var ErrSpool = errors.New("trustly: spooling a report")

// Write appends p. It implements io.Writer.
func (s *spool) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	s.chunk = append(s.chunk, p...)
	if len(s.chunk) >= spoolChunk {
		if err := s.cut(); err != nil {
			s.err = fmt.Errorf("%w: %w", ErrSpool, err)
			return 0, s.err
		}
	}
	return len(p), nil
}

// cut moves the filled chunk to memory or, beyond spoolInMemory, to the file.
func (s *spool) cut() error {
	if s.f == nil && s.memLen+len(s.chunk) <= spoolInMemory {
		s.mem = append(s.mem, s.chunk)
		s.memLen += len(s.chunk)
		s.chunk = make([]byte, 0, spoolChunk)
		return nil
	}
	if s.f == nil {
		if err := s.create(); err != nil {
			return err
		}
	}
	s.sealBuf = s.aead.Seal(s.sealBuf[:0], spoolNonce(s.sealed), s.chunk, nil)
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(s.sealBuf)))
	if _, err := s.w.Write(n[:]); err != nil {
		return err
	}
	if _, err := s.w.Write(s.sealBuf); err != nil {
		return err
	}
	s.sealed++
	s.chunk = s.chunk[:0]
	return nil
}

// create opens the temporary file and the cipher that seals its chunks.
func (s *spool) create() error {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return err
	}
	if s.aead, err = cipher.NewGCM(block); err != nil {
		return err
	}
	f, err := os.CreateTemp("", "paybridge-trustly-report-*")
	if err != nil {
		return err
	}
	s.f, s.name = f, f.Name()
	if os.Remove(s.name) == nil {
		s.name = "" // gone from the directory; the data lives until the file is closed
	}
	s.w = bufio.NewWriterSize(f, spoolChunk)
	return nil
}

func spoolNonce(i uint64) []byte {
	var n [12]byte
	binary.BigEndian.PutUint64(n[4:], i)
	return n[:]
}

// Finish ends writing; the spool can then be read.
func (s *spool) Finish() error {
	if s.err == nil && s.w != nil {
		if err := s.w.Flush(); err != nil {
			s.err = fmt.Errorf("%w: %w", ErrSpool, err)
		}
	}
	return s.err
}

// Close releases the memory and the file.
func (s *spool) Close() {
	s.chunk, s.mem = nil, nil
	if s.f != nil {
		s.f.Close()
		if s.name != "" {
			os.Remove(s.name)
		}
		s.f = nil
	}
}

// cursor returns a cursor at the first chunk. The spool must be finished.
func (s *spool) cursor() (*spoolCursor, error) {
	if s.f != nil {
		if _, err := s.f.Seek(0, io.SeekStart); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrSpool, err)
		}
	}
	c := &spoolCursor{s: s}
	if s.f != nil {
		c.r = bufio.NewReaderSize(s.f, spoolChunk)
	}
	return c, nil
}

// spoolCursor reads a spool's chunks in order.
type spoolCursor struct {
	s      *spool
	mem    int    // next memory chunk
	sealed uint64 // next file chunk
	last   bool   // the partial chunk has been returned
	r      *bufio.Reader
	buf    []byte
	plain  []byte
}

// next returns the next chunk, or io.EOF after the last. A chunk read from the file is
// valid until the following call.
func (c *spoolCursor) next() ([]byte, error) {
	s := c.s
	switch {
	case c.mem < len(s.mem):
		c.mem++
		return s.mem[c.mem-1], nil
	case c.sealed < s.sealed:
		var n [4]byte
		if _, err := io.ReadFull(c.r, n[:]); err != nil {
			return nil, c.altered(err)
		}
		size := int(binary.BigEndian.Uint32(n[:]))
		if size > spoolChunk+s.aead.Overhead()+(2<<20) {
			return nil, c.altered(nil)
		}
		if cap(c.buf) < size {
			c.buf = make([]byte, size)
		}
		c.buf = c.buf[:size]
		if _, err := io.ReadFull(c.r, c.buf); err != nil {
			return nil, c.altered(err)
		}
		plain, err := s.aead.Open(c.plain[:0], spoolNonce(c.sealed), c.buf, nil)
		if err != nil {
			return nil, c.altered(err)
		}
		c.plain = plain
		c.sealed++
		return plain, nil
	case !c.last && len(s.chunk) > 0:
		c.last = true
		return s.chunk, nil
	}
	return nil, io.EOF
}

func (c *spoolCursor) altered(err error) error {
	if err == nil {
		err = errors.New("bad chunk length")
	}
	return fmt.Errorf("%w: the temporary file was altered: %w", ErrSpool, err)
}

// spoolReader reads a finished spool as one byte stream.
type spoolReader struct {
	c    *spoolCursor
	rest []byte
}

// Read implements io.Reader.
func (r *spoolReader) Read(p []byte) (int, error) {
	for len(r.rest) == 0 {
		chunk, err := r.c.next()
		if err != nil {
			return 0, err
		}
		r.rest = chunk
	}
	n := copy(p, r.rest)
	r.rest = r.rest[n:]
	return n, nil
}
