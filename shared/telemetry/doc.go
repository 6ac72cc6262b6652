// Package telemetry appends one NDJSON event per gate run to a file the
// caller names. The event's shape is versioned and described by the JSON
// Schema in event.schema.json (embedded as [Schema]); the test suite
// validates every event it makes against that schema.
package telemetry
