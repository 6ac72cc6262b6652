// Package s3test starts a real S3-compatible server that enforces Object
// Lock (Versity Gateway, built from its Go module) on loopback, for the
// telemetry gate's WORM tests: its own and the container test's.
package s3test
