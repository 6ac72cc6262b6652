// Package version holds the version string of the running hub binary. It is
// set at build time with
//
//	-ldflags "-X github.com/hubgates/hub/shared/version.Version=v1.2.3"
//
// and reads "dev" in a plain "go run" or "go test".
package version
