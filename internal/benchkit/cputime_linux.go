package benchkit

import (
	"syscall"
	"time"
)

// threadCPU returns the processor time the calling thread has used, user and system, or
// -1.
func threadCPU() time.Duration { return rusage(syscall.RUSAGE_THREAD) }

// processCPU returns the processor time the process has used, user and system, or -1.
func processCPU() time.Duration { return rusage(syscall.RUSAGE_SELF) }

func rusage(who int) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		return -1
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
