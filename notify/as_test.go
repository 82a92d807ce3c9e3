package notify_test

import (
	"testing"

	"github.com/paybridge/paybridge/notify"
)

type detail struct{ id string }

func TestEventAs(t *testing.T) {
	d := &detail{id: "p1"}
	e := notify.Event{Detail: d}
	var got *detail
	if !e.As(&got) || got != d {
		t.Fatalf("As(**detail) = %v, %v; want the Detail", got, got == d)
	}
	var s *string
	if e.As(&s) || s != nil || e.As(nil) || e.As(got) {
		t.Error("As set a target of another type, a nil target or a non-pointer-to-pointer")
	}
	if (notify.Event{}).As(&got) {
		t.Error("As reported true without a Detail")
	}
}
