#!/usr/bin/env bash
# secret-sweep's local example, shown in its README. Run it from the root
# of a hub clone; actions/examples_test.go runs it on every test run.

# A build left the deploy password in a folder about to be uploaded: the
# value handed in is found by its hash, and the log never shows it.
go run ./actions/secret-sweep --paths=actions/secret-sweep/testdata/demo --processes=false --secrets=demo-deploy-password-1234 --sarif-file=sweep.sarif  # exit 1
# The same folder without that secret: nothing of a known format is there.
go run ./actions/secret-sweep --paths=actions/secret-sweep/testdata/demo --processes=false --sarif-file=sweep.sarif  # exit 0
rm -f sweep.sarif
