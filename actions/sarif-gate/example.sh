#!/usr/bin/env bash
# sarif-gate's local example, shown in its README. Run it from the root of
# a hub clone; actions/examples_test.go runs it on every test run.

# Reports from gosec, Trivy and zizmor: 4 high results break the default
# budget (no high or critical).
go run ./actions/sarif-gate --sarif=actions/sarif-gate/testdata/demo --sarif-file=merged.sarif  # exit 1
# A budget that allows them: the same findings, reported, and a pass.
go run ./actions/sarif-gate --sarif=actions/sarif-gate/testdata/demo --sarif-file=merged.sarif --max-high=5  # exit 0
rm -f merged.sarif
