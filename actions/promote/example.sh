#!/usr/bin/env bash
# promote's example, shown in its README. It needs a registry holding a
# release signed, attested and evidenced by a release workflow, and the
# public-good Sigstore, so it is not run offline.
# needs: network

# Verify only: nothing is copied.
go run ./actions/promote \
  --image=ghcr.io/acme/app:v1.4.0 \
  --target=ghcr.io/acme/prod/app:v1.4.0 \
  --signature-identity='^https://github\.com/acme/app/\.github/workflows/release\.yml@refs/tags/v' \
  --source-uri=github.com/acme/app \
  --builder-id=https://github.com/acme/app/.github/workflows/release.yml \
  --evidence-identity='^https://github\.com/acme/app/\.github/workflows/release\.yml@refs/tags/v' \
  --required-gates=workflow-audit,sbom-gate,sign \
  --drill-image=ghcr.io/acme/app/drills:latest \
  --drill-identity='^https://github\.com/acme/app/\.github/workflows/dr-drill\.yml@refs/heads/main$' \
  --dry-run=true  # exit 0
