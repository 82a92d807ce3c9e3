package testwait

import (
	"sync/atomic"
	"testing"
)

func TestForWaitsUntilTrue(t *testing.T) {
	var n atomic.Int32
	For(t, "the third call", func() bool { return n.Add(1) == 3 })
	if got := n.Load(); got != 3 {
		t.Fatalf("cond called %d times, want 3", got)
	}
}

func TestRecvReturnsTheValue(t *testing.T) {
	ch := make(chan int, 1)
	go func() { ch <- 42 }()
	if v := Recv(t, "the answer", ch); v != 42 {
		t.Fatalf("Recv = %d, want 42", v)
	}
}

func TestReturnsRunsF(t *testing.T) {
	var ran atomic.Bool
	Returns(t, "a function", func() { ran.Store(true) })
	if !ran.Load() {
		t.Fatal("f did not run")
	}
}
