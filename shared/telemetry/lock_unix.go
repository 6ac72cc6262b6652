//go:build unix

package telemetry

import (
	"os"
	"syscall"
)

// lock takes an exclusive advisory lock on f, waiting for it: appenders
// take turns at the chain's head.
func lock(f *os.File) error { return syscall.Flock(int(f.Fd()), syscall.LOCK_EX) }

func unlock(f *os.File) { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }
