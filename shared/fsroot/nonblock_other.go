//go:build !unix

package fsroot

const nonBlock = 0
