// Package sarifgate is the core of hub's sarif-gate: it reads the SARIF
// 2.1.0 logs that other tools wrote, normalizes their results, applies one
// severity budget, and writes one log that code scanning accepts in a
// single upload.
//
// The stages are separate functions, each usable on its own:
//
//   - [Collect] resolves the files, folders and globs the user named
//     inside the workspace; [Load] reads them concurrently with
//     [ReadFile], a streaming decoder that keeps only the fields code
//     scanning reads and reports unusable files with sentinel errors
//     ([ErrEmpty], [ErrNotJSON], [ErrNotSARIF], [ErrVersion],
//     [ErrMalformed], [ErrTooLarge]) and the line and column of the
//     problem; a panic in the parser comes back as [ErrCrash], which is
//     never treated as bad input. Results are held compressed between
//     the stages (store.go), so memory grows with a few fields per
//     result, not with everything the tools wrote.
//   - [Normalize] merges the runs of one tool and category, resolves every
//     rule reference and location (repository-relative, whatever the tool
//     wrote), decides each result's severity (see judge for the order of
//     the sources), computes a fingerprint that survives line shifts, and
//     drops duplicates. [MarkBaseline] marks the results a baseline already
//     had.
//   - [Count] tallies the results per tool and severity for a [Budget].
//   - [Write] (or [Render], which streams the log through
//     [Output.WriteTo] instead of holding it) renders the report as SARIF
//     within code scanning's limits
//     ([MaxRuns], [MaxResultsPerRun], [MaxRulesPerRun], [MaxExtensions],
//     [GzipTarget]), leaving out the least severe results first and saying
//     so in its [Output].
//   - [Summary] renders the step summary's table and notes.
//
// [Gate] wires them into a hub gate with waivers from hub's configuration
// file (package waiver). The gate's README documents the severity mapping,
// the deduplication and the limits in full.
package sarifgate
