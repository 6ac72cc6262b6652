#!/usr/bin/env bash
# Times sarif-gate against a jq pipeline that reads the same SARIF and
# counts the same results by level.
#
# The workload is synthetic and deterministic: 20 files of 5,000 results
# each (100,000 results, about 40 MB) in the shapes five real tools write,
# from "go run ./actions/sarif-gate/bench/gen". sarif-gate does its whole
# job on it: read, normalize severities and paths, deduplicate, apply the
# budget, write the merged SARIF and measure its compressed size. The jq
# pipeline only parses every file and tallies result levels, the least a
# tool must do to gate on SARIF at all. hyperfine (Debian package
# "hyperfine") does the timing; jq must be installed.
#
# Usage: actions/sarif-gate/bench/bench.sh [RUNS [FILES [RESULTS]]]
set -euo pipefail
cd "$(dirname "$0")/../../.."
runs=${1:-10}
files=${2:-20}
results=${3:-5000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for tool in hyperfine jq; do
  command -v "$tool" >/dev/null || { echo "bench: needs $tool (apt-get install $tool)" >&2; exit 2; }
done

go build -trimpath -o "$work/sarif-gate" ./actions/sarif-gate
go run ./actions/sarif-gate/bench/gen "$work/repo/reports" "$files" "$results"
bytes=$(cat "$work"/repo/reports/*.sarif | wc -c)
echo "workload: $files files, $((files * results)) results, $bytes bytes"

cd "$work/repo"
# Both commands must see the same results: the gate's count before
# deduplication is its results plus its duplicates.
gate_out=$("$work/sarif-gate" --sarif=reports --fail-on=critical --max-critical=-1)
gate_total=$(( $(sed -n 's/^results=//p' <<<"$gate_out") + $(sed -n 's/^duplicates=//p' <<<"$gate_out") ))
jq_total=$(jq '[.runs[].results | length] | add' reports/*.sarif | paste -sd+ | bc)
if [ "$gate_total" != "$jq_total" ]; then
  echo "bench: sarif-gate read $gate_total results, jq $jq_total" >&2
  exit 1
fi
echo "both read $jq_total results"

hyperfine --warmup 1 --runs "$runs" \
  --export-markdown "$work/result.md" --export-json "$work/result.json" \
  -n sarif-gate "$work/sarif-gate --sarif=reports --fail-on=critical --max-critical=-1 >/dev/null" \
  -n jq "jq -r '.runs[].results[] | .level // \"none\"' reports/*.sarif | sort | uniq -c >/dev/null"
cat "$work/result.md"
jq -r '.results as $r | ($r[] | select(.command == "sarif-gate") | .mean) as $g | ($r[] | select(.command == "jq") | .mean) as $j
  | "mean: sarif-gate \($g * 1000 | floor) ms, jq \($j * 1000 | floor) ms; jq / sarif-gate = \(($j / $g * 100 | floor) / 100)"' "$work/result.json"
