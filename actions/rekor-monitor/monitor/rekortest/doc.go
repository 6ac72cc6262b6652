// Package rekortest runs a Rekor log inside a test process: an httptest
// server answering the v1 REST API calls package monitor makes (GET
// /api/v1/log, GET /api/v1/log/proof, POST /api/v1/log/entries/retrieve)
// in Rekor's documented shapes, over a real RFC 6962 Merkle tree with
// signed checkpoints. Tests add entries signed by chosen identities, fork
// the log's history, or make it fail (503s, malformed answers, no answer
// at all).
package rekortest
