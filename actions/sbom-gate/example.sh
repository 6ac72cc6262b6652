#!/usr/bin/env bash
# sbom-gate's local example, shown in its README. Run it from the root of
# a hub clone; actions/examples_test.go runs it on every test run.
d=actions/sbom-gate/sbomgate/testdata

# One release's platforms, one SBOM each (CycloneDX for amd64, SPDX for
# arm64): the same components, so parity holds.
go run ./actions/sbom-gate --operation=parity --sboms="linux/amd64=$d/app-amd64.cdx.json,linux/arm64=$d/app-arm64.spdx.json"  # exit 0
# The arm64 build lost a package: denied, naming it.
go run ./actions/sbom-gate --operation=parity --sboms="linux/amd64=$d/app-amd64.cdx.json,linux/arm64=$d/app-arm64-less.spdx.json"  # exit 1
# The same change as a pull request's diff: a removal is reported, not denied.
go run ./actions/sbom-gate --operation=diff --base=$d/app-arm64.spdx.json --head=$d/app-arm64-less.spdx.json  # exit 0
rm -f sbom-gate.sarif
