#!/usr/bin/env bash
# Measures sarif-gate's peak memory, wall time and log length on one large
# SARIF log, against jq counting the results of the same file.
#
# The workload is synthetic and deterministic: one file of about 200 MB
# holding 20 runs of 25,926 results (518,520 results) in the shapes five
# real tools write, from "go run ./actions/sarif-gate/bench/gen DIR 20
# 25926 one". The gate does its whole job on it (read, normalize,
# deduplicate, budget, write the merged SARIF within code scanning's
# limits); jq only parses the file and counts results, which is the least
# a tool must do to gate on SARIF at all. Peak resident memory and times
# come from GNU time (/usr/bin/time, Debian package "time"); jq must be
# installed.
#
# With REV (a commit, a branch), the gate is also built at that revision
# and measured on the same file, and its output SARIF and log are compared
# with the current gate's.
#
# Usage: actions/sarif-gate/bench/memory.sh [REV]
set -euo pipefail
cd "$(dirname "$0")/../../.."
rev=${1:-}
runs=20
results=25926
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

command -v jq >/dev/null || { echo "memory: needs jq (apt-get install jq)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "memory: needs GNU time (apt-get install time)" >&2; exit 2; }

go build -trimpath -o "$work/sarif-gate" ./actions/sarif-gate
if [ -n "$rev" ]; then
  mkdir "$work/src"
  git archive "$rev" | tar -x -C "$work/src"
  (cd "$work/src" && go build -trimpath -o "$work/sarif-gate-before" ./actions/sarif-gate)
fi
go run ./actions/sarif-gate/bench/gen "$work/repo/reports" "$runs" "$results" one
echo "workload: reports/all.sarif, $runs runs, $((runs * results)) results, $(wc -c <"$work/repo/reports/all.sarif") bytes"

cd "$work/repo"
# measure NAME OUT CMD...: runs CMD with its stdout in OUT and prints its
# peak resident memory, wall and CPU time. The gate passes here (the
# budget allows everything), so any failure is the benchmark's.
measure() {
  local name=$1 out=$2
  shift 2
  if ! /usr/bin/time -f '%M %e %U %S' -o "$work/time" "$@" >"$out" 2>"$work/stderr"; then
    echo "memory: $name failed:" >&2
    cat "$work/stderr" >&2
    exit 1
  fi
  read -r kb wall user sys < <(tail -n 1 "$work/time")
  printf '%-20s peak RSS %6d MiB   wall %6.1f s   CPU %6.1f s\n' "$name" $((kb / 1024)) "$wall" "$(echo "$user + $sys" | bc)"
}

gate_args=(--sarif=reports --fail-on=critical --max-critical=-1)
measure "jq (count results)" "$work/jq.out" jq '[.runs[].results | length] | add' reports/all.sarif
measure "sarif-gate" "$work/gate.log" "$work/sarif-gate" "${gate_args[@]}"
mv sarif-gate.sarif "$work/after.sarif"
if [ -n "$rev" ]; then
  measure "sarif-gate at $rev" "$work/before.log" "$work/sarif-gate-before" "${gate_args[@]}"
  mv sarif-gate.sarif "$work/before.sarif"
fi

# Both must have read the same results: the gate's count before
# deduplication is its results plus its duplicates.
gate_total=$(( $(sed -n 's/^results=//p' "$work/gate.log") + $(sed -n 's/^duplicates=//p' "$work/gate.log") ))
jq_total=$(cat "$work/jq.out")
if [ "$gate_total" != "$jq_total" ]; then
  echo "memory: sarif-gate read $gate_total results, jq $jq_total" >&2
  exit 1
fi
echo "both read $jq_total results; the gate printed $(wc -l <"$work/gate.log") log lines and wrote $(wc -c <"$work/after.sarif") bytes of SARIF"
if [ -n "$rev" ]; then
  if cmp -s "$work/before.sarif" "$work/after.sarif" && cmp -s "$work/before.log" "$work/gate.log"; then
    echo "output SARIF and log identical to $rev's"
  else
    echo "output differs from $rev's" >&2
    exit 1
  fi
fi
