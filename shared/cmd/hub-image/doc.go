// Command hub-image builds the container images of the hub gates,
// reproducibly, and pins the actions to them.
//
// Usage:
//
//	go run ./shared/cmd/hub-image [flags] [gate ...]
//
// For each gate (default: every actions/<gate>/ with a main.go) it builds a
// static binary per platform with "go build" (CGO_ENABLED=0, -trimpath,
// -buildvcs=false, -ldflags "-s -w -X .../shared/version.Version=<version>"),
// assembles an OCI image index FROM scratch (the binary at /gate, an empty
// /tmp, entrypoint ["/gate"], OCI labels, fixed timestamps; see package
// github.com/hubgates/hub/shared/image) and prints one line
//
//	<gate> <registry>/<owner>/hub/<gate>@sha256:<index digest>
//
// The same sources, version, creation time and Go toolchain give the same
// digests on any machine. The version and creation time of a release are
// committed in release.json at the root, and nothing is taken from the
// commit itself (no commit id, no commit time), so the commit that writes
// the pins rebuilds to the digests it pins.
//
// Flags:
//
//	--version V     version stamped into the binaries and used as the tag
//	                (default: "version" in release.json, else "dev")
//	--revision R    org.opencontainers.image.revision (default: none)
//	--registry R    registry host (default ghcr.io)
//	--owner O       GitHub owner, lower case (default hubgates)
//	--platforms L   comma-separated platforms (default linux/amd64,linux/arm64)
//	--created T     creation time, RFC 3339 or Unix seconds (default:
//	                "created" in release.json, else $SOURCE_DATE_EPOCH, else 0)
//	--oci-layout D  write each index as an OCI layout in D/<gate>
//	--docker-tar D  write D/<gate>.tar for the host platform, for docker load
//	--dist D        keep the binaries as D/linux-<arch>/<gate>
//	--push          push each index to <registry>/<owner>/hub/<gate>:<version>
//	                (credentials from the Docker config / credential helpers)
//	                and check the registry serves it by digest
//	--rewrite       set runs.image of each actions/<gate>/action.yml to
//	                docker://<registry>/<owner>/hub/<gate>@sha256:<digest>
//	--sbom          write an SPDX and a CycloneDX SBOM of each binary from its
//	                Go build information and attach them to its platform image
//	                as OCI referrers (layout and push); with --dist, keep them
//	                as D/<gate>.linux-<arch>.{spdx,cdx}.json for sbom-gate parity
//	--root D        module root (default: found from the working directory)
//	--actions-dir D directory of the gates under the root (default actions)
//
// Exit status: 0 on success, 1 when a build, write, push or rewrite failed,
// 2 for bad flags or gate names (the message names the flag and the value).
//
// # Release procedure
//
// Releases are prepared and checked by hub-release, which uses the same
// build:
//
//	go run ./shared/cmd/hub-release prepare --version vX.Y.Z
//	go run ./shared/cmd/hub-release check
//
// prepare writes release.json, rebuilds every gate and rewrites every pin;
// check rebuilds a checkout and fails when any pin differs. hub-image alone
// remains the tool for pushing (--push) and for local images.
//
// For local testing, --docker-tar writes images that "docker load" reads,
// and the repository's Dockerfile builds an equivalent (not bit-identical)
// image from a binary in dist/.
package main
