// Package image builds, stores and runs the container images of the hub gates.
//
// Every gate under actions/<gate>/ is a Docker container action. Its image is
// the equivalent of
//
//	FROM scratch
//	COPY <static linux binary> /gate      (mode 0755)
//	+ an empty /tmp directory              (mode 01777)
//	ENTRYPOINT ["/gate"]
//
// with no USER (GitHub runs container actions as root so that they can write
// to the mounted workspace and file-command files).
//
// The images are assembled in-process with go-containerregistry rather than
// with "docker build", so that the same inputs (the gate binaries, the version
// and revision strings, the owner and the creation time) always give the same
// OCI image index digest, on any machine with the same Go toolchain: the single
// layer is a tar with sorted entries, uid/gid 0, fixed modification times and
// no user or group names, compressed with compress/gzip at a fixed level and an
// empty gzip header; the config and manifests hold no timestamp other than the
// fixed creation time, and the labels are marshalled with sorted keys.
//
// The pieces:
//
//   - BuildBinary runs "go build" for one gate and one platform with the flags
//     that make the binary reproducible (CGO_ENABLED=0, -trimpath,
//     -buildvcs=false, -ldflags "-s -w -X ...version.Version=...").
//   - Build turns one binary per platform into an OCI image index.
//   - WriteLayout, Push and WriteDockerTarball store an index as an OCI
//     layout, in a registry, or as a "docker load" tarball for one platform.
//   - RewriteActionImage and RewriteActionFile point an action.yml at the
//     pushed index by digest.
//   - RunLikeRunner runs an image the way the GitHub Actions runner runs a
//     container action, for container tests.
//
// The command shared/cmd/hub-image drives all of this for a release.
package image
