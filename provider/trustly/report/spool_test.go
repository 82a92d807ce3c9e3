package report

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"testing"
)

// spoolRecords writes n records of varied sizes and returns them.
func spoolRecords(t *testing.T, s *spool, n int) [][]byte {
	t.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	var recs [][]byte
	for i := range n {
		rec := make([]byte, 1+r.IntN(300))
		for j := range rec {
			rec[j] = byte(i + j)
		}
		if _, err := s.Write(rec); err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	if err := s.Finish(); err != nil {
		t.Fatal(err)
	}
	return recs
}

func readAll(t *testing.T, s *spool) ([]byte, error) {
	t.Helper()
	c, err := s.cursor()
	if err != nil {
		t.Fatal(err)
	}
	return io.ReadAll(&spoolReader{c: c})
}

func TestSpoolKeepsSmallReportsInMemory(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	s := &spool{}
	defer s.Close()
	recs := spoolRecords(t, s, 1000)
	if s.f != nil {
		t.Fatal("a small report went to a file")
	}
	got, err := readAll(t, s)
	if err != nil || !bytes.Equal(got, bytes.Join(recs, nil)) {
		t.Fatalf("read back differs: %v", err)
	}
}

func TestSpoolLargeReportsGoToAnEncryptedDeletedFile(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	s := &spool{}
	defer s.Close()
	recs := spoolRecords(t, s, 60_000) // about 9 MB
	if s.f == nil || s.sealed == 0 {
		t.Fatal("a large report stayed in memory")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("the spool file is still in the directory: %v", entries)
	}
	// Records never span chunks, and come back in order.
	c, err := s.cursor()
	if err != nil {
		t.Fatal(err)
	}
	var chunks [][]byte
	for {
		chunk, err := c.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		chunks = append(chunks, bytes.Clone(chunk))
	}
	all := bytes.Join(chunks, nil)
	if !bytes.Equal(all, bytes.Join(recs, nil)) {
		t.Fatal("read back differs")
	}
	off, k := 0, 0
	for _, chunk := range chunks {
		end := off + len(chunk)
		for off < end {
			off += len(recs[k])
			k++
		}
		if off != end {
			t.Fatalf("a record spans two chunks at byte %d", end)
		}
	}
	// The file holds no record in the clear.
	info, err := s.f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	raw := make([]byte, info.Size())
	if _, err := s.f.ReadAt(raw, 0); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, recs[len(recs)-1]) || bytes.Contains(raw, recs[len(recs)/2]) {
		t.Fatal("the file holds records in the clear")
	}
}

func TestSpoolDetectsAlteredFile(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	s := &spool{}
	defer s.Close()
	spoolRecords(t, s, 60_000)
	// Flip one byte of the last sealed chunk.
	info, _ := s.f.Stat()
	b := make([]byte, 1)
	if _, err := s.f.ReadAt(b, info.Size()-5); err != nil {
		t.Fatal(err)
	}
	b[0] ^= 1
	if _, err := s.f.WriteAt(b, info.Size()-5); err != nil {
		t.Fatal(err)
	}
	if _, err := readAll(t, s); !errors.Is(err, ErrSpool) {
		t.Fatalf("altered file read back with %v", err)
	}
}

func TestSpoolReportsAnUnwritableDirectory(t *testing.T) {
	t.Setenv("TMPDIR", "/nonexistent/paybridge-spool-test")
	s := &spool{}
	defer s.Close()
	var err error
	for i := 0; i < 100 && err == nil; i++ {
		_, err = s.Write(make([]byte, 100<<10))
	}
	if !errors.Is(err, ErrSpool) {
		t.Fatalf("err %v", err)
	}
}
