// Package schema validates gate telemetry events (NDJSON lines) against
// the JSON Schema the telemetry package embeds. It is its own package so
// that gates, which only write events, do not carry a JSON Schema compiler:
// its initialisation was a measurable part of a short gate run.
package schema
