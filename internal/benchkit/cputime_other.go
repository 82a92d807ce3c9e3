//go:build !linux

package benchkit

import "time"

// threadCPU returns -1: this system's processor times are not read.
func threadCPU() time.Duration { return -1 }

// processCPU returns -1: this system's processor times are not read.
func processCPU() time.Duration { return -1 }
