// Command hub-release prepares a hub release and checks that a commit's
// image pins are what its sources build.
//
// Usage:
//
//	go run ./shared/cmd/hub-release prepare --version vX.Y.Z [--created T] [--commit]
//	go run ./shared/cmd/hub-release check [--push] [--digests-file F]
//	go run ./shared/cmd/hub-release trusted-root --out trusted_root.json
//
// prepare writes release.json (the version and the creation time: the only
// release inputs besides the sources and the Go toolchain), rebuilds every
// gate image with them, rewrites every pin of a hub gate image (runs.image
// of each actions/<gate>/action.yml, the docker:// steps of the root
// action.yml, of .github/workflows and of workflows/) and prints one line
// per gate, "<gate> <registry>/<owner>/hub/<gate>@sha256:<hex>". With
// --commit it commits the result as "release vX.Y.Z" and prints the commit
// to tag; otherwise it prints the git commands to do so.
//
// check reads release.json, rebuilds every gate and fails when any pin in
// those files differs from the rebuild, when a pin names a gate that does
// not exist, or when a gate's action.yml pins nothing. Since no image
// depends on the commit that wrote the pins, the tagged commit itself
// rebuilds to its pins. With --push, after a clean check it pushes each
// index to <registry>/<owner>/hub/<gate>:<version> and checks that the
// registry serves it by digest (credentials from the Docker config).
//
// trusted-root fetches the public-good Sigstore trusted root through TUF
// and writes it as a trusted_root.json, for verify-provenance's offline
// path (the release workflow verifies its own attestations with it).
//
// Common flags: --root (module root, default: found from the working
// directory), --actions-dir (default actions), --registry (ghcr.io),
// --owner (hubgates), --platforms (linux/amd64,linux/arm64).
//
// Exit status: 0 success, 1 a pin differs from the rebuild, 2 bad flags or
// release.json, 3 a build, write or push failed.
package main
