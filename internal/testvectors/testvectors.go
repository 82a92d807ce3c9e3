// Package testvectors loads the protocol test vectors at test time.
//
// The vectors are JSON files produced by the providers' reference implementations (the
// generator and source of each case are named inside the files). The repository keeps its
// own copy in testdata/ beside this file, so a clone with nothing beside it runs every case;
// testdata/README.md says where the files come from and how to refresh them. Tests load the
// files at run time, each case a subtest named after its "name", so a case added to a file is
// exercised without any code change. Set PAYBRIDGE_VECTORS to a directory to use vector files
// from elsewhere.
package testvectors

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Dir returns the directory holding the vector files: PAYBRIDGE_VECTORS when it is set,
// otherwise this package's testdata directory. It fails the test when the directory does
// not exist: a missing vector directory must never pass silently.
func Dir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("PAYBRIDGE_VECTORS")
	if dir == "" {
		_, file, _, ok := runtime.Caller(0)
		if !ok {
			t.Fatal("testvectors: cannot locate the package source")
		}
		dir = filepath.Join(filepath.Dir(file), "testdata")
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		t.Fatalf("testvectors: vector directory %s is missing", dir)
	}
	return dir
}

// Load decodes the named vector file (for example "hawk.json") into v. Numbers are kept as
// json.Number when v holds interface values, so their text is never changed.
func Load(t testing.TB, name string, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(Read(t, name)))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("testvectors: decoding %s: %v", name, err)
	}
}

// Read returns the raw bytes of the named vector file.
func Read(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(Dir(t), name))
	if err != nil {
		t.Fatalf("testvectors: %v", err)
	}
	return b
}
