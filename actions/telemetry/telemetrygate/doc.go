// Package telemetrygate is the telemetry gate: it seals hub's NDJSON
// telemetry streams with signed checkpoints, verifies sealed streams
// (every event chained to the one before it, the chain's head and length
// signed), naming the first line that was edited, inserted, deleted,
// reordered or cut, and ships sealed streams to WORM storage.
//
// The chain itself (each event's seq and prev, written by every gate) is
// package shared/telemetry's; this package adds what needs a signature.
package telemetrygate
