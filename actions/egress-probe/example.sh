#!/usr/bin/env bash
# egress-probe's local example, shown in its README. Run it from the root
# of a hub clone; actions/examples_test.go runs it on every test run. It
# probes this machine's loopback only (port 9, discard, where nothing
# listens): the default probes reach for the internet, so they are off.

# A destination that must be blocked and is: the probe is refused at TCP.
go run ./actions/egress-probe --default-probes=false --deny=tcp://127.0.0.1:9  # exit 0
# The same destination on the allowlist: unreachable, so the policy is
# tighter than the job needs.
go run ./actions/egress-probe --default-probes=false --allow=tcp://127.0.0.1:9  # exit 1
rm -f egress-probe.sarif
