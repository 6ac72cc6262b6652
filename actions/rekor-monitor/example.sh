#!/usr/bin/env bash
# rekor-monitor's local example, shown in its README. Run it from the root
# of a hub clone. It reads the public Rekor log, so it needs the network;
# actions/examples_test.go skips it where there is none.
# needs: network

# Start a state at the log's head, then check what was logged since for
# signatures by sigstore's own release workflows.
go run ./actions/rekor-monitor --identities='^https://github\.com/sigstore/' --state-file=rekor-state.json --initialize=true  # exit 0
go run ./actions/rekor-monitor --identities='^https://github\.com/sigstore/' --allowed-identities='^https://github\.com/sigstore/[^/]+/\.github/workflows/' --state-file=rekor-state.json  # exit 0, or 1 when a watched identity signed from elsewhere
rm -f rekor-state.json rekor-monitor.sarif
