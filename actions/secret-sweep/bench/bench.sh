#!/usr/bin/env bash
# Times secret-sweep against gitleaks on the same folder tree.
#
# The corpus is the source of Go modules in hub's build list (real
# projects' code, docs and test data, fetched through the Go module proxy
# by "go mod download"), copied into one tree. Both tools are built from
# source here: the gate from this checkout, gitleaks with "go install" at
# the version hub links (its default rule set, the same one the gate
# applies). gitleaks runs "dir" with its defaults (decoding 5 levels deep,
# no size limit); the gate sweeps the tree with processes: false and a
# max-file-size above the largest file, so both read every file. Each
# tool's finding count is printed beside the timing. hyperfine (Debian
# package "hyperfine") does the timing.
#
# Usage: actions/secret-sweep/bench/bench.sh [RUNS] [MODULE...]
set -euo pipefail
cd "$(dirname "$0")/../../.."
runs=${1:-5}
shift || true
modules=("$@")
if [ ${#modules[@]} -eq 0 ]; then
  modules=(github.com/sigstore/cosign/v2 github.com/google/go-containerregistry github.com/rhysd/actionlint github.com/open-policy-agent/opa)
fi
gitleaks_version=$(go list -m -f '{{.Version}}' github.com/zricethezav/gitleaks/v8)
work=$(mktemp -d)
trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT

command -v hyperfine >/dev/null || { echo "bench: needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }

go mod download "${modules[@]}"
tree="$work/tree"
mkdir -p "$tree"
for m in "${modules[@]}"; do
  cp -r "$(go list -m -f '{{.Dir}}' "$m")" "$tree/$(echo "$m" | tr / _)"
done
chmod -R u+w "$tree"
files=$(find "$tree" -type f | wc -l)
bytes=$(find "$tree" -type f -printf '%s\n' | awk '{s += $1} END {print s}')
echo "corpus: ${modules[*]}: $files files, $bytes bytes"

GOBIN="$work/bin" go install "github.com/zricethezav/gitleaks/v8@$gitleaks_version"
CGO_ENABLED=0 go build -trimpath -o "$work/bin/secret-sweep" ./actions/secret-sweep

cd "$tree"
sweep="env RUNNER_TEMP=$work $work/bin/secret-sweep --paths=. --processes=false --max-file-size=1024 --sarif-file=$work/sweep.sarif --max-log-findings=0"
leaks="$work/bin/gitleaks dir . --no-banner --log-level error --exit-code 0 --report-format json --report-path $work/gitleaks.json"
rc=0; $sweep >"$work/sweep.out" 2>&1 || rc=$?
[ "$rc" -le 1 ] || { cat "$work/sweep.out" >&2; exit 1; }
$leaks
count() { grep -oE "$1" "$2" | wc -l; }
echo "findings: secret-sweep $(count '"ruleId": ?"[a-z-]+"' "$work/sweep.sarif") (leaked-token: $(count '"ruleId": ?"leaked-token"' "$work/sweep.sarif")), gitleaks $(count '"RuleID": ?"' "$work/gitleaks.json")"
hyperfine --runs "$runs" --warmup 1 -i -N \
  -n "secret-sweep" "$sweep" \
  -n "gitleaks $gitleaks_version" "$leaks"
