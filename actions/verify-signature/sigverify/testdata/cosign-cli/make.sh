#!/usr/bin/env bash
# Remakes the fixtures of this folder with the real cosign CLI, v2.6.4:
#   go install github.com/sigstore/cosign/v2/cmd/cosign@v2.6.4
# A keyed blob signature in the Sigstore bundle format (v0.3), with no
# transparency log upload (the fixture is made offline). The private key
# is thrown away; cosign.pub verifies the bundle.
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "hub fixture artifact" > artifact.txt
(cd "$tmp" && COSIGN_PASSWORD= cosign generate-key-pair)
cp "$tmp/cosign.pub" cosign.pub
COSIGN_PASSWORD= cosign sign-blob --key "$tmp/cosign.key" --new-bundle-format \
  --bundle artifact.txt.sigstore.json --tlog-upload=false --yes artifact.txt
