#!/usr/bin/env bash
# verify-signature's local example, shown in its README. Run it from the root
# of a hub clone; actions/examples_test.go runs it on every test run.

keys=$(mktemp -d)
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$keys/demo.key"
openssl pkey -in "$keys/demo.key" -pubout -out "$keys/demo.pub"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$keys/other.key"
openssl pkey -in "$keys/other.key" -pubout -out "$keys/other.pub"
mkdir -p dist && echo 'release bytes' > dist/app.tar.gz
go run ./actions/sign --artifacts=dist/app.tar.gz --private-key="$(cat "$keys/demo.key")"  # exit 0
# The signer's key vouches for the file; another key does not.
go run ./actions/verify-signature --artifacts=dist/app.tar.gz --public-key="$(cat "$keys/demo.pub")"  # exit 0
go run ./actions/verify-signature --artifacts=dist/app.tar.gz --public-key="$(cat "$keys/other.pub")"  # exit 1
# Changed after signing: denied.
echo 'other bytes' > dist/app.tar.gz
go run ./actions/verify-signature --artifacts=dist/app.tar.gz --public-key="$(cat "$keys/demo.pub")"  # exit 1
rm -rf "$keys" dist verify-signature.sarif
