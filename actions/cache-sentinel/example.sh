#!/usr/bin/env bash
# cache-sentinel's local example, shown in its README. Run it from the root
# of a hub clone; actions/examples_test.go runs it on every test run.

# A key pair (any P-256 PEM key works; so does cosign generate-key-pair).
keys=$(mktemp -d)
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$keys/demo.key"
openssl pkey -in "$keys/demo.key" -pubout -out "$keys/demo.pub"
# A cache to protect, in the workspace.
mkdir -p .cache/demo && echo 'package demo' > .cache/demo/demo.go
go run ./actions/cache-sentinel --operation=key --key=go-mod-demo  # exit 0
go run ./actions/cache-sentinel --operation=seal --paths=.cache/demo --key=go-mod-demo --private-key="$(cat "$keys/demo.key")"  # exit 0
go run ./actions/cache-sentinel --operation=verify --paths=.cache/demo --public-key="$(cat "$keys/demo.pub")"  # exit 0
# Poisoned after sealing: denied, and the file is moved to quarantine.
echo 'package evil' > .cache/demo/demo.go
go run ./actions/cache-sentinel --operation=verify --paths=.cache/demo --public-key="$(cat "$keys/demo.pub")"  # exit 1
rm -rf "$keys" .cache/demo .cache-sentinel cache-sentinel.sarif
