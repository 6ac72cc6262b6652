#!/usr/bin/env bash
# Remakes the fixtures of this folder with the real cosign CLI, v2.6.4:
#   go install github.com/sigstore/cosign/v2/cmd/cosign@v2.6.4
#
# Run it with no argument. It starts ./gen (go run), which serves a virtual
# Sigstore (OIDC token endpoint, Fulcio, Rekor: shared/sigstore/sigstoretest)
# and an OCI registry in its own process, writes the virtual Sigstore's
# trusted root to trusted_root.json, pushes the images to sign, and runs
# this script again with FULCIO_URL, REKOR_URL, SIGSTORE_ID_TOKEN, REGISTRY
# and IMAGE_<NAME> set; afterwards it saves the registry to images/ (an OCI
# image layout). The commands below are the ones that made the fixtures.
#
#   artifact.txt.sigstore.json         keyed blob signature (cosign.pub), no log entry
#   keyless/artifact.txt.sigstore.json keyless blob signature, logged in Rekor
#   images/                            six images, each signed one way:
#     fixture/app:key-tag            --key, cosign's sha256-<hex>.sig tag
#     fixture/app:key-referrer       --key, an OCI 1.1 referrer (--registry-referrers-mode=oci-1-1)
#     fixture/app:key-bundle         --key, a Sigstore bundle referrer (--new-bundle-format)
#     fixture/app:keyless-tag        keyless, the .sig tag
#     fixture/app:keyless-referrer   keyless, an OCI 1.1 referrer
#     fixture/app:keyless-bundle     keyless, a Sigstore bundle referrer
#
# The keyless certificates name
# https://github.com/hubgates/fixture/.github/workflows/ci.yml@refs/heads/main,
# issuer https://token.actions.githubusercontent.com. --insecure-skip-verify
# only skips cosign's check of Fulcio's signed certificate timestamp, which
# the virtual Fulcio does not issue (its trusted root names no CT log).
# The private key is thrown away; cosign.pub verifies every keyed signature.
set -euo pipefail
cd "$(dirname "$0")"

if [ -z "${FULCIO_URL:-}" ]; then
  exec go run ./gen -trusted-root trusted_root.json -save images \
    -push key-tag -push key-referrer -push key-bundle \
    -push keyless-tag -push keyless-referrer -push keyless-bundle \
    -- "$0"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export COSIGN_PASSWORD=
echo "hub fixture artifact" > artifact.txt
(cd "$tmp" && cosign generate-key-pair)
cp "$tmp/cosign.pub" cosign.pub

# Blobs.
cosign sign-blob --key "$tmp/cosign.key" --new-bundle-format \
  --bundle artifact.txt.sigstore.json --tlog-upload=false --yes artifact.txt
mkdir -p keyless
echo "hub keyless fixture artifact" > keyless/artifact.txt
cosign sign-blob --new-bundle-format --bundle keyless/artifact.txt.sigstore.json \
  --fulcio-url "$FULCIO_URL" --rekor-url "$REKOR_URL" --identity-token "$SIGSTORE_ID_TOKEN" \
  --insecure-skip-verify --yes keyless/artifact.txt

# Images.
keyless=(--fulcio-url "$FULCIO_URL" --rekor-url "$REKOR_URL" --identity-token "$SIGSTORE_ID_TOKEN" --insecure-skip-verify)
cosign sign --key "$tmp/cosign.key" --rekor-url "$REKOR_URL" --allow-http-registry --yes "$IMAGE_KEY_TAG"
COSIGN_EXPERIMENTAL=1 cosign sign --key "$tmp/cosign.key" --rekor-url "$REKOR_URL" --allow-http-registry \
  --registry-referrers-mode=oci-1-1 --yes "$IMAGE_KEY_REFERRER"
cosign sign --key "$tmp/cosign.key" --rekor-url "$REKOR_URL" --allow-http-registry \
  --new-bundle-format --yes "$IMAGE_KEY_BUNDLE"
cosign sign "${keyless[@]}" --allow-http-registry --yes "$IMAGE_KEYLESS_TAG"
COSIGN_EXPERIMENTAL=1 cosign sign "${keyless[@]}" --allow-http-registry \
  --registry-referrers-mode=oci-1-1 --yes "$IMAGE_KEYLESS_REFERRER"
cosign sign "${keyless[@]}" --allow-http-registry --new-bundle-format --yes "$IMAGE_KEYLESS_BUNDLE"
