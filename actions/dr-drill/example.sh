#!/usr/bin/env bash
# dr-drill's example, shown in its README. It recalls releases from a
# registry and checks them against the public-good Sigstore, so it is not
# run offline.
# needs: network

# Is there a passing drill younger than 7 days?
go run ./actions/dr-drill --operation=freshness \
  --drill-image=ghcr.io/acme/app/drills:latest \
  --drill-identity='^https://github\.com/acme/app/\.github/workflows/dr-drill\.yml@refs/heads/main$'  # exit 0
