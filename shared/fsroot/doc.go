// Package fsroot confines a gate's file access to a directory tree: the
// workspace, or another folder the gate owns. Every read and write goes
// through an [os.Root], so neither ".." nor a symbolic link (planted before
// the run or swapped in during it) can reach a file outside the tree; the
// kernel-level checks of os.Root apply to every path component, not just to
// a path checked once up front.
//
// What is refused, with an error wrapping [ErrEscapes]:
//   - absolute names and names whose ".." leave the root;
//   - a symbolic link, at any component, whose target lies outside the root
//     (links inside the root are followed);
//
// and, for [Root.OpenRegular] and the readers built on it, with
// [ErrNotRegular]: devices, sockets and named pipes, which could block a
// read forever or yield endless data.
//
// Writes are atomic: [Root.WriteFile] and [Root.Stream] write a temporary
// file beside the target, inside the root, and rename it into place only
// when it is complete, so a failed or cancelled write leaves the old file
// or nothing. Reads are bounded: [Root.ReadFile] refuses a file larger than
// the limit it is given with [ErrTooLarge] rather than reading it into
// memory.
package fsroot
