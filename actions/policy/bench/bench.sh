#!/usr/bin/env bash
# Times the policy gate against conftest on the same policy and files.
#
# The corpus is every .github/workflows/*.yml|*.yaml shipped inside the Go
# modules of hub's build list ("go list -m all": real projects' CI, fetched
# through the Go module proxy by "go mod download"), copied into one
# repository tree. The policy is the shipped example SHA-pinned actions
# only (actions/policy/examples/pinned-actions), which reads the same keys
# under both tools' YAML parsers. Both tools are built from source here:
# the gate from this checkout, conftest with "go install" at the version
# below. conftest runs with --strict, as the gate compiles by default; the
# gate also runs the policy's unit tests first (its default), and a second
# line times it with run-tests: false. hyperfine (Debian package
# "hyperfine") does the timing.
#
# Usage: actions/policy/bench/bench.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../../.."
runs=${1:-10}
conftest_version=v0.71.1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

command -v hyperfine >/dev/null || { echo "bench: needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }

go mod download
repo="$work/repo"
mkdir -p "$repo/.github/workflows" "$repo/policy"
n=0
while IFS= read -r -d '' f; do
  n=$((n + 1))
  cp "$f" "$repo/.github/workflows/w$n.yml"
done < <(go list -m -f '{{.Dir}}' all | grep -v '^$' | tr '\n' '\0' |
  xargs -0 -I{} find {} \( -path '*/.github/workflows/*.yml' -o -path '*/.github/workflows/*.yaml' \) \
  -type f -print0 | sort -z)
chmod -R u+w "$repo"
cp actions/policy/examples/pinned-actions/*.rego "$repo/policy/"
bytes=$(cat "$repo"/.github/workflows/*.yml | wc -c)
echo "corpus: $n workflow files, $bytes bytes"

GOBIN="$work/bin" go install "github.com/open-policy-agent/conftest@$conftest_version"
CGO_ENABLED=0 go build -trimpath -o "$work/bin/policy" ./actions/policy

cd "$repo"
# Keep only files both tools parse, so both time the same work.
for f in .github/workflows/*.yml; do
  rc=0
  "$work/bin/policy" --policy=policy --namespaces=hub.pinned_actions --files="$f" --run-tests=false --sarif-file=out.sarif >/dev/null 2>&1 || rc=$?
  if [ "$rc" -ge 2 ]; then rm "$f"; fi
done
echo "kept $(ls .github/workflows | wc -l) files that parse"
gate="$work/bin/policy --namespaces=hub.pinned_actions --files=.github/workflows --sarif-file=out.sarif"
conftest="$work/bin/conftest test --no-color --strict --namespace hub.pinned_actions --policy policy .github/workflows"
# Both must have done the work: each tool's count of denials.
echo "gate:     $($gate 2>/dev/null | grep '^denials=' || true)"
echo "conftest: $($conftest 2>/dev/null | grep -E '^[0-9]+ tests?, ' || true)"
hyperfine --warmup 2 --runs "$runs" -N -i \
  --export-markdown "$work/result.md" \
  -n policy "$gate" \
  -n "policy, run-tests false" "$gate --run-tests=false" \
  -n conftest "$conftest"
cat "$work/result.md"
