#!/usr/bin/env bash
# evidence's local example, shown in its README. Run it from the root of a
# hub clone; actions/examples_test.go runs it on every test run. Keyless
# signing needs GitHub's OIDC token, so locally the example signs with a key.

keys=$(mktemp -d)
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$keys/demo.key"
mkdir -p dist && echo 'release bytes' > dist/app.tar.gz
# Two gates leave their records in .evidence.
go run ./actions/sign --artifacts=dist/app.tar.gz --private-key="$(cat "$keys/demo.key")" --evidence-dir=.evidence  # exit 0
go run ./actions/workflow-audit --evidence-dir=.evidence  # exit 0
# One signed statement about dist/app.tar.gz: hub-evidence.sigstore.json.
go run ./actions/evidence --records=.evidence --required-gates=sign,workflow-audit --subject-gates=sign --artifacts=dist/app.tar.gz --private-key="$(cat "$keys/demo.key")"  # exit 0
# A required gate that left no record: a finding, nothing signed.
go run ./actions/evidence --records=.evidence --required-gates=sign,sbom-gate --artifacts=dist/app.tar.gz --private-key="$(cat "$keys/demo.key")" --bundle-file=denied.sigstore.json  # exit 1
rm -rf "$keys" dist .evidence hub-evidence.sigstore.json evidence.sarif workflow-audit.sarif
