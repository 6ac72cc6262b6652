#!/usr/bin/env bash
# sign's local example, shown in its README. Run it from the root of a hub
# clone; actions/examples_test.go runs it on every test run. Keyless signing
# needs GitHub's OIDC token, so locally the example signs with a key.

keys=$(mktemp -d)
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$keys/demo.key"
openssl pkey -in "$keys/demo.key" -pubout -out "$keys/demo.pub"
mkdir -p dist && echo 'release bytes' > dist/app.tar.gz
# Writes dist/app.tar.gz.sigstore.json beside the file.
go run ./actions/sign --artifacts='dist/*.tar.gz' --private-key="$(cat "$keys/demo.key")"  # exit 0
go run ./actions/verify-signature --artifacts=dist/app.tar.gz --public-key="$(cat "$keys/demo.pub")"  # exit 0
rm -rf "$keys" dist verify-signature.sarif
