// Package repro is the reproducible gate: it compares two builds of the
// same source (files, folders, tar, tar.gz and zip archives, OCI image
// layouts, images and indexes in a registry) and explains where they
// differ, from the image index down to the first differing byte of a file.
//
// Equal digests pass at once. Otherwise the walk goes index -> manifest per
// platform -> config fields -> layers -> tar entries (path, type, mode,
// owner, mtime, xattrs, link target, content) -> the first differing offset
// with an escaped excerpt, and for Go binaries the build information. Each
// difference is a finding with its own rule, so a repository can accept a
// known kind of noise explicitly (the noise input, each line with an
// expiry) and still be denied on everything else.
//
// Memory is bounded by the largest single file compared, not by the size
// of an image: layers are streamed, entries that line up are compared as
// they stream, and only a file whose content must be explained after the
// entries went out of step is held whole.
package repro
