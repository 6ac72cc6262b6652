// Package audit is the scanning core of hub's workflow-audit gate: it finds a
// repository's GitHub Actions workflows, action metadata files and
// Dockerfiles, parses them into a small normalised model with positions, and
// runs rules over that model. Problems are reported as [finding.Finding]
// values, never as Go errors; a Go error from [Scan] means the scan itself
// could not be done (a bad path, an unreadable file, a cancelled context).
//
// # Rules
//
// See [Rules] for the machine-readable list.
//
//   - unpinned-uses (high): a step "uses:" or a job-level reusable workflow
//     "uses:" names another repository ("owner/repo[/path]@ref") at a ref that
//     is not a full, lower-case 40-hex commit SHA. Tags, branches and short
//     SHAs (7-39 hex digits) all fire; so do a missing "@ref", a malformed
//     reference and an expression (GitHub does not evaluate expressions in
//     "uses:"). "./local" actions are fine, and "docker://" values belong to
//     unpinned-images. A trailing "# v4.2.2" comment is not part of the value
//     and is the recommended way to keep the tag readable.
//   - unpinned-images (high): a container image that is not pinned by
//     "@sha256:<64 hex>": "docker://" step uses, a job "container:" (string
//     or "image:"), "services.<id>.image", a Docker action's "runs.image" when
//     it is "docker://...", Dockerfile FROM lines and Dockerfile
//     "COPY --from=<image>". An image that contains a "${{ }}" expression
//     (and does not end in a literal digest) cannot be checked and is
//     reported at medium severity, as is a FROM whose image is entirely a
//     build argument without a default. "FROM scratch" and FROM/COPY --from
//     of a build stage name (case-insensitive) are fine. A Docker action
//     whose "runs.image" is a local Dockerfile path is not flagged itself:
//     the image is built at run time from that Dockerfile's FROM lines, so
//     the Dockerfile is scanned (it is added to the scan even when Paths did
//     not name it) and its FROM lines are what get checked.
//   - invalid-workflow (high): a file GitHub (or docker build) would reject:
//     broken YAML, actionlint's syntax-level errors from [actionlint.Parse]
//     (unknown keys, missing "on"/"jobs"/"runs-on"/"steps", wrong node
//     kinds), an action.yml without "runs" or with an unknown "runs.using",
//     a Dockerfile FROM without an image, a file that is binary or not UTF-8,
//     a file larger than [MaxFileSize], YAML whose aliases expand beyond
//     [MaxYAMLNodes] nodes, and a workflow actionlint panics on (recovered).
//     actionlint's "anchor is defined but not used" is not reported: GitHub
//     accepts unused anchors.
//
// # Allow list
//
// [Options.AllowUnpinned] entries are "owner" or "owner/repo", compared
// case-insensitively. For "uses:" an entry matches the action's owner, or
// its owner and repository (any path inside it). For images the registry
// host is dropped and the first two path components are compared, with a
// bare Docker Hub name normalised to "library/<name>": "actions" allows
// ghcr.io/actions/x:1 (and, since the host is ignored,
// docker.io/actions/x:1); "library" allows every Docker Hub official image;
// "library/alpine" allows alpine:3. Images whose value is an expression or
// an unresolved build argument are never allowed by the list.
//
// # Positions and fingerprints
//
// Line and Col point at the offending value (the "uses:" value, the image,
// the FROM image token), 1-based; parser errors carry the position the
// parser gives, and Col is 0 when it gives none (some YAML errors; yaml.v3
// reports only a line for action.yml, and the column is borrowed from
// actionlint's YAML parser when it fails on the same line). File-level
// problems (size, binary content, a Dockerfile without FROM) have no
// position. A finding's fingerprint is [finding.Fingerprint] of its rule,
// path and the offending value as written, so it survives edits that move
// lines; the n-th repeat (n >= 2) of the same value in one file uses
// "<value>#n" as the key. Exact duplicates (one YAML anchor reached through
// several aliases) are reported once.
//
// # Files
//
// With no [Options.Paths], Scan reads every ".github/workflows/*.yml|*.yaml"
// (direct children of any directory path ending in .github/workflows; GitHub
// does not read subdirectories), every action.yml/action.yaml, and every
// Dockerfile ("Dockerfile", "*.Dockerfile", "Dockerfile.*" but not
// "*.dockerignore"), skipping .git, node_modules, vendor and testdata
// directories. Symbolic links found while walking are followed only when
// they resolve to a regular file inside root; others are skipped.
//
// Paths entries are repository-relative (an absolute path is accepted when
// it lies inside root). A directory is walked with the same
// rules (the directory itself is walked even if it is named testdata). A
// file named directly, or matched by a doublestar glob, is classified by name
// only: action.yml/action.yaml is action metadata, a Dockerfile name is a
// Dockerfile, and any other .yml/.yaml is a workflow wherever it lives. A
// file named directly with any other name is an error; glob matches with
// other names are ignored, and so are glob matches below .git,
// node_modules, vendor or testdata unless the pattern names that directory.
// Globs match files only and never walk directories.
package audit
