#!/usr/bin/env bash
# workflow-audit's local example, shown in its README. Run it from the root
# of a hub clone; actions/examples_test.go runs it on every test run.

# The gate on hub's own workflows and actions: everything pinned.
go run ./actions/workflow-audit  # exit 0
# A bundled fixture full of unpinned images: one path:line:col line per finding.
go run ./actions/workflow-audit --paths=actions/workflow-audit/testdata/demo  # exit 1
# The same in warn mode, with the SARIF log and the evidence record written.
go run ./actions/workflow-audit --paths=actions/workflow-audit/testdata/demo --mode=warn --sarif-file=demo.sarif --evidence-dir=evidence  # exit 0
rm -rf demo.sarif workflow-audit.sarif evidence
