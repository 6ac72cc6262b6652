//go:build !unix

package telemetry

import "os"

// lock is a no-op where flock does not exist: the gates run on Linux, and
// a fork of the chain by concurrent appenders is still caught by verify.
func lock(*os.File) error { return nil }

func unlock(*os.File) {}
