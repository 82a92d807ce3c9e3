//go:build unix

package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockQueue takes an exclusive lock on the queue directory so that two workers never
// drain one queue at once (two processes sending the same job at the same moment could
// both reach a provider that does not deduplicate by itself). The kernel releases the
// lock when the process ends, however it ends, so a killed worker leaves no stale lock.
func lockQueue(dir string) (release func(), err error) {
	f, err := os.OpenFile(filepath.Join(dir, "worker.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("another worker is draining %s", dir)
		}
		return nil, err
	}
	return func() { _ = f.Close() }, nil
}
