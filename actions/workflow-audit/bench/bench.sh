#!/usr/bin/env bash
# Times workflow-audit against actionlint on the same workflow files.
#
# The corpus is every .github/workflows/*.yml|*.yaml shipped inside the Go
# modules of hub's build list ("go list -m all": real projects' CI, fetched
# through the Go module proxy by "go mod download"; other modules in the
# cache are left out, so the corpus depends on go.mod alone) plus
# actionlint's own test workflows, copied into one repository tree. Both tools are built from source here:
# workflow-audit from this checkout, actionlint with "go install" at the
# version hub builds on. actionlint's shellcheck and pyflakes integrations
# are switched off (they run external programs), so both tools parse and
# check YAML only. hyperfine (Debian package "hyperfine") does the timing.
#
# Usage: actions/workflow-audit/bench/bench.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../../.."
runs=${1:-10}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

command -v hyperfine >/dev/null || { echo "bench: needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }

go mod download
actionlint_version=$(go list -m -f '{{.Version}}' github.com/rhysd/actionlint)

repo="$work/repo/.github/workflows"
mkdir -p "$repo"
n=0
while IFS= read -r -d '' f; do
  n=$((n + 1))
  cp "$f" "$repo/w$n.yml"
done < <(go list -m -f '{{.Dir}}' all | grep -v '^$' | tr '\n' '\0' |
  xargs -0 -I{} find {} \( -path '*/.github/workflows/*.yml' -o -path '*/.github/workflows/*.yaml' \
  -o -path "*/actionlint@$actionlint_version/testdata/*/*.yml" -o -path "*/actionlint@$actionlint_version/testdata/*/*.yaml" \) \
  -type f -print0 | sort -z)
chmod -R u+w "$work/repo"
# actionlint v1.7.12 panics (nil map in its local reusable-workflow cache)
# on this corpus outside a git repository, which would time a crash.
git init -q "$work/repo"
bytes=$(cat "$repo"/*.yml | wc -c)
echo "corpus: $n workflow files, $bytes bytes"

GOBIN="$work/bin" go install "github.com/rhysd/actionlint/cmd/actionlint@$actionlint_version"
CGO_ENABLED=0 go build -trimpath -o "$work/bin/workflow-audit" ./actions/workflow-audit

cd "$work/repo"
hyperfine --warmup 2 --runs "$runs" -N -i \
  --export-markdown "$work/result.md" \
  -n workflow-audit "$work/bin/workflow-audit --paths=.github/workflows --sarif-file=out.sarif" \
  -n actionlint "$work/bin/actionlint -no-color -shellcheck= -pyflakes= $(printf '.github/workflows/%s ' $(ls .github/workflows))"
# Both must have finished their work: the last line of each tool's own run.
"$work/bin/workflow-audit" --paths=.github/workflows --sarif-file=out.sarif | grep -E '^workflow-audit: ' || true
"$work/bin/actionlint" -no-color -shellcheck= -pyflakes= .github/workflows/* 2>&1 | grep -c '^\.github/workflows/' || true
cat "$work/result.md"
