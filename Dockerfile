# The image of one hub gate, for people who build with Docker. Nothing is
# pulled: the image starts FROM scratch and holds only the gate binary at
# /gate and an empty /tmp.
#
# Build the static binary first, from the repository root, for each
# architecture you want (amd64 and arm64 shown; <gate> is a directory under
# actions/, <version> any tag-like string):
#
#   CGO_ENABLED=0 GOOS=linux GOARCH=amd64 GOAMD64=v1 GOFLAGS= go build -trimpath -buildvcs=false \
#     -ldflags "-s -w -X github.com/hubgates/hub/shared/version.Version=<version>" \
#     -o dist/linux-amd64/<gate> ./actions/<gate>
#   CGO_ENABLED=0 GOOS=linux GOARCH=arm64 GOARM64=v8.0 GOFLAGS= go build -trimpath -buildvcs=false \
#     -ldflags "-s -w -X github.com/hubgates/hub/shared/version.Version=<version>" \
#     -o dist/linux-arm64/<gate> ./actions/<gate>
#
# then
#
#   docker build --build-arg GATE=<gate> --build-arg TARGETARCH=amd64 -t hub/<gate> .
#
# (BuildKit sets TARGETARCH itself from --platform; the classic builder needs
# the --build-arg.)
#
# The release images are NOT built from this file: they come from
# "go run ./shared/cmd/hub-image", which assembles the same layout in-process
# as a reproducible OCI image index (same inputs, same digest, on any
# machine) and pins each actions/<gate>/action.yml to it by digest. Images
# built here differ in digest (timestamps) and, with the classic builder, in
# the mode of /tmp (0755 from WORKDIR, not 01777; the gates run as root, so
# /tmp is writable either way).

FROM scratch
ARG GATE
ARG TARGETARCH
# An empty /tmp, made without a shell.
WORKDIR /tmp
WORKDIR /
COPY dist/linux-${TARGETARCH}/${GATE} /gate
ENTRYPOINT ["/gate"]
