// Package monitor watches a Rekor transparency log for entries signed by
// identities it is told to guard, and reports those made by a workflow or
// ref that should not have signed: a stolen or misused signing identity
// shows up in the public log even when nobody verifies the artifact.
//
// Each run reads the log's current signed tree head (GET /api/v1/log),
// proves it consistent with the one the previous run saw (GET
// /api/v1/log/proof, an RFC 6962 consistency proof checked with
// transparency-dev/merkle), then reads every entry added since (POST
// /api/v1/log/entries/retrieve, ten indexes a request, as Rekor allows)
// and checks the certificates they carry. What was checked is kept in a
// [State] file the caller persists between runs; a missing state file is an
// error unless the caller explicitly asks to start one, so a lost state can
// never silently re-baseline the log.
//
// Calls retry transient failures (network errors, HTTP 429 and 5xx) with
// exponential backoff and jitter, a bounded number of times, and stop when
// the context ends; anything else is an error at once.
package monitor
