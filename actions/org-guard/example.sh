#!/usr/bin/env bash
# org-guard's local example, shown in its README. Run it from the root of a
# hub clone with a token of an organization owner (admin:org) in
# ORG_GUARD_TOKEN; the org-guard section of .github/hub.yml is the desired
# state.
# needs: network

# Compare: one finding per setting that differs, naming the API path.
go run ./actions/org-guard --organization=acme --github-token="$ORG_GUARD_TOKEN"
# The requests that would fix them, in the summary; nothing is written.
go run ./actions/org-guard --organization=acme --github-token="$ORG_GUARD_TOKEN" --operation=plan
# Send them, then read everything back.
go run ./actions/org-guard --organization=acme --github-token="$ORG_GUARD_TOKEN" --operation=apply
