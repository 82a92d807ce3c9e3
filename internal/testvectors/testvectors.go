// Package testvectors locates the shared protocol test vectors at test time.
//
// The vectors live outside the module, in a directory named shared/vectors beside the
// repository checkout (../shared/vectors from the repository root). Tests load them at run
// time so that a case added to a vector file is exercised without any code change.
// Set PAYBRIDGE_VECTORS to a directory to use vectors from elsewhere.
package testvectors

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the directory holding the vector files. It fails the test when the directory
// cannot be found: a missing vector directory must never pass silently.
func Dir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("PAYBRIDGE_VECTORS"); d != "" {
		return d
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatalf("testvectors: %v", err)
	}
	for dir := wd; ; {
		for _, cand := range []string{
			filepath.Join(dir, "shared", "vectors"),
			filepath.Join(dir, "..", "shared", "vectors"),
		} {
			if st, err := os.Stat(cand); err == nil && st.IsDir() {
				return cand
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	t.Fatalf("testvectors: no shared/vectors directory found above %s; set PAYBRIDGE_VECTORS", wd)
	return ""
}

// Load decodes the named vector file (for example "hawk.json") into v. Numbers are kept as
// json.Number when v holds interface values, so their text is never changed.
func Load(t testing.TB, name string, v any) {
	t.Helper()
	b := Read(t, name)
	dec := json.NewDecoder(bytesReader(b))
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
