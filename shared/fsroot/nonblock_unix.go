//go:build unix

package fsroot

import "syscall"

// nonBlock makes opening a named pipe return at once instead of waiting
// for a writer; it changes nothing for a regular file.
const nonBlock = syscall.O_NONBLOCK
