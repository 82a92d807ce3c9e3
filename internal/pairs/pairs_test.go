package pairs

import (
	"slices"
	"testing"

	"github.com/paybridge/paybridge/secret"
)

func TestSetAndRedactedSkipWhatIsNotSet(t *testing.T) {
	d := Set([]string{"id", "p-1"}, "country", "GB", "locale", "")
	d = Redacted(d, "email", "a@b.example", "phone", "")
	want := []string{"id", "p-1", "country", "GB", "email", secret.Redacted}
	if !slices.Equal(d, want) {
		t.Fatalf("got %q, want %q", d, want)
	}
}
