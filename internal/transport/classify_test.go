package transport

import (
	"errors"
	"io"
	"testing"
)

func TestClassify(t *testing.T) {
	cut := io.ErrUnexpectedEOF
	for _, c := range []struct {
		name string
		x    Exchange
		want Outcome
	}{
		{"nothing written", Exchange{}, NotProcessed},
		{"nothing written, error read", Exchange{BodyErr: cut}, NotProcessed},
		{"written, no answer", Exchange{Written: true}, MaybeProcessed},
		{"200", Exchange{Written: true, Status: 200}, Answered},
		{"201", Exchange{Written: true, Status: 201}, Answered},
		{"400", Exchange{Written: true, Status: 400}, Answered},
		{"404", Exchange{Written: true, Status: 404}, Answered},
		{"429", Exchange{Written: true, Status: 429}, NotProcessed},
		{"429 cut short", Exchange{Written: true, Status: 429, BodyErr: cut}, NotProcessed},
		{"503", Exchange{Written: true, Status: 503}, NotProcessed},
		{"503 cut short", Exchange{Written: true, Status: 503, BodyErr: cut}, NotProcessed},
		{"500", Exchange{Written: true, Status: 500}, MaybeProcessed},
		{"500 cut short", Exchange{Written: true, Status: 500, BodyErr: cut}, MaybeProcessed},
		{"501", Exchange{Written: true, Status: 501}, MaybeProcessed},
		{"502", Exchange{Written: true, Status: 502}, MaybeProcessed},
		{"504", Exchange{Written: true, Status: 504}, MaybeProcessed},
		{"200 cut short", Exchange{Written: true, Status: 200, BodyErr: cut}, MaybeProcessed},
		{"200 too large", Exchange{Written: true, Status: 200, BodyErr: ErrResponseTooLarge}, MaybeProcessed},
		{"400 cut short", Exchange{Written: true, Status: 400, BodyErr: cut}, MaybeProcessed},
		{"200 unauthentic", Exchange{Written: true, Status: 200, Unauthentic: true}, MaybeProcessed},
		{"503 unauthentic", Exchange{Written: true, Status: 503, Unauthentic: true}, MaybeProcessed},
		{"400 unauthentic", Exchange{Written: true, Status: 400, Unauthentic: true}, MaybeProcessed},
		{"307", Exchange{Written: true, Status: 307}, Redirected},
		{"303", Exchange{Written: true, Status: 303}, MaybeProcessed},
		{"302 cut short", Exchange{Written: true, Status: 302, BodyErr: errors.New("reset")}, Redirected},
		{"101", Exchange{Written: true, Status: 101}, MaybeProcessed},
	} {
		if got := Classify(c.x); got != c.want {
			t.Errorf("%s: Classify = %v, want %v", c.name, got, c.want)
		}
	}
}
