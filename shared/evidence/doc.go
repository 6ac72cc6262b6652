// Package evidence writes the JSON record every gate run leaves behind: which
// gate and version ran, with which inputs (secrets redacted), what it read
// (with digests), its verdict and findings, and when. The evidence bundle
// checked at promotion is assembled from these records.
//
// Records are written atomically: a temporary file in the target directory,
// synced, then renamed, so a reader never sees half a record.
package evidence
