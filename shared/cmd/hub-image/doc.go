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
// The same commit, version, creation time and Go toolchain give the same
// digests on any machine, so anyone can check a release by running the same
// command without --push and comparing the lines.
//
// Flags:
//
//	--version V     version stamped into the binaries and used as the tag
//	                (default: git rev-parse HEAD, else "dev")
//	--revision R    org.opencontainers.image.revision (default: git HEAD)
//	--registry R    registry host (default ghcr.io)
//	--owner O       GitHub owner, lower case (default hubgates)
//	--platforms L   comma-separated platforms (default linux/amd64,linux/arm64)
//	--created T     creation time, RFC 3339 or Unix seconds (default:
//	                $SOURCE_DATE_EPOCH, else the commit time of HEAD, else 0)
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
//  1. On a clean checkout of the commit to release, with the Go toolchain
//     named in go.mod, check the build:
//
//     go run ./shared/cmd/hub-image --version vX.Y.Z
//
//  2. Log in to the registry (docker login ghcr.io, with a token that may
//     write packages), then push and pin:
//
//     go run ./shared/cmd/hub-image --version vX.Y.Z --push --rewrite
//
//     Keep the printed lines: they are the release's image digests.
//
//  3. Review the diff: only the image line of each actions/<gate>/action.yml
//     changes. Commit it ("Pin gate images for vX.Y.Z") and tag that commit
//     vX.Y.Z. The images were built from its parent, whose commit id is the
//     revision label; --created defaults to the parent's commit time, so
//     rebuilding from the parent with the same --version gives the same
//     digests.
//
//  4. Anyone can verify: check out the parent of the tag and run step 1 with
//     the same --version; the lines must match the digests in action.yml.
//
// For local testing, --docker-tar writes images that "docker load" reads,
// and the repository's Dockerfile builds an equivalent (not bit-identical)
// image from a binary in dist/.
package main
