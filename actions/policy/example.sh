#!/usr/bin/env bash
# policy's local example, shown in its README. Run it from the root of a
# hub clone; actions/examples_test.go runs it on every test run.

# The SHA-pinned-actions policy (its own unit tests run first) over this
# repository's workflows: every uses: is pinned, nothing denied.
go run ./actions/policy --policy=actions/policy/examples/pinned-actions --files=.github/workflows --namespaces=hub.pinned_actions  # exit 0
# The same policy over a fixture full of tags and branches: each unpinned
# uses: is a denial at its line.
go run ./actions/policy --policy=actions/policy/examples/pinned-actions --files=actions/workflow-audit/testdata/demo/.github/workflows --namespaces=hub.pinned_actions  # exit 1
rm -f policy.sarif
