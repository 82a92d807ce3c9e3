package benchkit

import (
	"runtime"
	"testing"
)

// LoopCPU runs f as the body of b's loop on one locked OS thread and reports, where the
// system tells them, two processor times per iteration that, unlike ns/op, do not grow
// when other processes take the machine's cores:
//   - "cpu-ns/op": the calling thread's, which is f's own work and the garbage collection
//     its allocations are made to assist with — what ns/op measures on an idle machine;
//   - "proc-cpu-ns/op": the whole process's, which adds the collector's background work
//     and anything else running meanwhile.
func LoopCPU(b *testing.B, f func()) {
	b.Helper()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	n := 0
	thread0, proc0 := threadCPU(), processCPU()
	for b.Loop() {
		f()
		n++
	}
	thread1, proc1 := threadCPU(), processCPU()
	if n == 0 {
		return
	}
	if thread0 >= 0 && thread1 >= 0 {
		b.ReportMetric(float64(thread1-thread0)/float64(n), "cpu-ns/op")
	}
	if proc0 >= 0 && proc1 >= 0 {
		b.ReportMetric(float64(proc1-proc0)/float64(n), "proc-cpu-ns/op")
	}
}
