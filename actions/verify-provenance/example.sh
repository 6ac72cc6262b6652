#!/usr/bin/env bash
# verify-provenance's local example, shown in its README. Run it from the
# root of a hub clone; actions/examples_test.go runs it on every test run.

# A real GitHub artifact attestation (from slsa-verifier's test data),
# verified offline against Sigstore's public-good trusted root.
t=actions/verify-provenance/provenance/testdata
go run ./actions/verify-provenance --artifacts=$t/MODULE.bazel --provenance=$t/MODULE.bazel.intoto.jsonl --trusted-root=$t/trusted_root_pgi.json --source-uri=github.com/aspect-build/rules_lint --builder-id=https://github.com/bazel-contrib/publish-to-bcr/.github/workflows/publish.yaml --source-branch=publish-to-bcr  # exit 0
# The same provenance does not say it was built from another repository.
go run ./actions/verify-provenance --artifacts=$t/MODULE.bazel --provenance=$t/MODULE.bazel.intoto.jsonl --trusted-root=$t/trusted_root_pgi.json --source-uri=github.com/attacker/rules_lint --builder-id=https://github.com/bazel-contrib/publish-to-bcr/.github/workflows/publish.yaml  # exit 1
rm -f verify-provenance.sarif
