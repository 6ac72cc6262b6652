#!/usr/bin/env bash
# telemetry's local example, shown in its README. Run it from the root of a
# hub clone; actions/examples_test.go runs it on every test run.

keys=$(mktemp -d)
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$keys/ops.key"
openssl pkey -in "$keys/ops.key" -pubout -out "$keys/ops.pub"
# Two gate runs append two chained events to one stream.
mkdir -p telemetry
go run ./actions/workflow-audit --paths=actions/telemetry/action.yml --telemetry-file=telemetry/job.ndjson  # exit 0
go run ./actions/workflow-audit --paths=actions/telemetry/action.yml --telemetry-file=telemetry/job.ndjson  # exit 0
# Sealed at the end of the job, verified later.
go run ./actions/telemetry --operation=seal --streams=telemetry/job.ndjson --private-key="$(cat "$keys/ops.key")"  # exit 0
go run ./actions/telemetry --operation=verify --streams=telemetry/job.ndjson --public-key="$(cat "$keys/ops.pub")"  # exit 0
# Someone edits the first event (its duration): denied, naming line 1.
sed -i '1s/"durationMs":[0-9]*/"durationMs":1/' telemetry/job.ndjson
go run ./actions/telemetry --operation=verify --streams=telemetry/job.ndjson --public-key="$(cat "$keys/ops.pub")"  # exit 1
rm -rf "$keys" telemetry telemetry.sarif workflow-audit.sarif
