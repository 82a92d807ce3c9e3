package signing

import (
	"testing"
)

func TestBasicAuthorization(t *testing.T) {
	h := BasicAuthorization("M8RaHgEjBE54zuFYMRQq", []byte("s3cr:et"))
	const want = "Basic TThSYUhnRWpCRTU0enVGWU1SUXE6czNjcjpldA=="
	if h != want {
		t.Fatalf("BasicAuthorization = %q, want %q", h, want)
	}
	id, key, ok := ParseBasicAuthorization(h)
	if !ok || id != "M8RaHgEjBE54zuFYMRQq" || string(key) != "s3cr:et" {
		t.Fatalf("ParseBasicAuthorization = %q, %q, %v", id, key, ok)
	}
	if !CheckBasicAuthorization(h, "M8RaHgEjBE54zuFYMRQq", []byte("s3cr:et")) {
		t.Error("CheckBasicAuthorization rejects the right credentials")
	}
	for _, tt := range []struct {
		h, id, key string
	}{
		{h, "M8RaHgEjBE54zuFYMRQ", "s3cr:et"},
		{h, "M8RaHgEjBE54zuFYMRQq", "s3cr:e"},
		{h, "M8RaHgEjBE54zuFYMRQq", "s3cr:etx"},
		{h, "", ""},
		{BasicAuthorization("", []byte("")), "", ""},
		{"", "M8RaHgEjBE54zuFYMRQq", "s3cr:et"},
		{"Bearer x", "M8RaHgEjBE54zuFYMRQq", "s3cr:et"},
	} {
		if CheckBasicAuthorization(tt.h, tt.id, []byte(tt.key)) {
			t.Errorf("CheckBasicAuthorization(%q, %q, %q) accepted", tt.h, tt.id, tt.key)
		}
	}
	for _, bad := range []string{"", "Basic", "Basic !!!", "Digest abc", "Basic " + "bm9jb2xvbg==", "Basic OnNlY3JldA=="} {
		if _, _, ok := ParseBasicAuthorization(bad); ok {
			t.Errorf("ParseBasicAuthorization(%q) accepted", bad)
		}
	}
	// An empty password is allowed by the format; CheckBasicAuthorization still refuses an
	// empty configured key.
	if id, key, ok := ParseBasicAuthorization(BasicAuthorization("id", nil)); !ok || id != "id" || len(key) != 0 {
		t.Errorf("empty key: %q %q %v", id, key, ok)
	}
}

func TestConstantTimeEqual(t *testing.T) {
	if !ConstantTimeEqual([]byte("abc"), []byte("abc")) || !ConstantTimeEqual(nil, []byte{}) {
		t.Error("equal values reported different")
	}
	if ConstantTimeEqual([]byte("abc"), []byte("abd")) || ConstantTimeEqual([]byte("abc"), []byte("abcd")) {
		t.Error("different values reported equal")
	}
}
