#!/usr/bin/env bash
# Times sbom-gate's diff and risk against jq doing the same join on the
# same files.
#
# The workload is synthetic and deterministic, from
# "go run ./actions/sbom-gate/bench/gen": a base and a head SBOM of 10,000
# components each (CycloneDX 1.6 and SPDX 2.3; 100 added, 100 removed, 200
# upgraded, 50 downgraded, 100 relicensed), a grype report of 5,000
# findings on the head, a KEV catalogue of 1,400 entries and an EPSS CSV of
# 270,000 rows (the real feeds' sizes). sbom-gate does its whole job: read
# and normalize every package URL, pair and order versions, score and
# judge, write the summary, SARIF and outputs. The jq programs (diff.jq,
# risk.jq beside this script) do the least of it: key by purl without
# version and count added, removed, changed and relicensed packages; join
# findings with KEV and EPSS and count the scores at or above 7. Before
# timing, the script checks that both give the same counts. hyperfine and
# jq are Debian packages.
#
# Usage: actions/sbom-gate/bench/bench.sh [RUNS [COMPONENTS [FINDINGS]]]
set -euo pipefail
cd "$(dirname "$0")/../../.."
runs=${1:-10}
components=${2:-10000}
findings=${3:-5000}
here=actions/sbom-gate/bench
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for tool in hyperfine jq; do
  command -v "$tool" >/dev/null || { echo "bench: needs $tool (apt-get install $tool)" >&2; exit 2; }
done

go build -trimpath -o "$work/sbom-gate" ./actions/sbom-gate
go run ./actions/sbom-gate/bench/gen "$work/w" "$components" "$findings"
cp "$here/diff.jq" "$here/risk.jq" "$work/w/"
cd "$work/w"

gate="$work/sbom-gate --mode=warn --sarif-file=out.sarif"
diff_cdx="$gate --operation=diff --base=base.cdx.json --head=head.cdx.json"
diff_spdx="$gate --operation=diff --base=base.spdx.json --head=head.spdx.json"
risk="$gate --operation=risk --sbom=head.cdx.json --vulnerabilities=grype.json --kev=kev.json --epss=epss.csv"
jq_diff_cdx="jq -n -c --slurpfile b base.cdx.json --slurpfile h head.cdx.json -f diff.jq"
jq_diff_spdx="jq -n -c --slurpfile b base.spdx.json --slurpfile h head.spdx.json -f diff.jq"
jq_risk="jq -n --slurpfile g grype.json --slurpfile k kev.json --rawfile e epss.csv -f risk.jq"

# The jq diff reads CycloneDX; for SPDX it first maps packages to the same
# shape.
sed -i '1i def spdx: if .packages then {components: [.packages[] | select(.externalRefs) | {purl: (.externalRefs[] | select(.referenceType == "purl") | .referenceLocator), version: .versionInfo, licenses: [{license: {id: .licenseConcluded}}]}]} else . end;' diff.jq
sed -i 's/(\$b\[0\] | idx)/($b[0] | spdx | idx)/; s/(\$h\[0\] | idx)/($h[0] | spdx | idx)/' diff.jq

check() { # name, gate command, jq command
  local out want got
  out=$($2 2>/dev/null)
  if [ "$1" = risk ]; then
    got=$(sed -n 's/^blocking=//p' <<<"$out")
  else
    got=$(awk -F= '/^(added|removed|upgraded|downgraded|license-changes)=/ {v[$1]=$2} END {printf "{\"added\":%d,\"removed\":%d,\"changed\":%d,\"relicensed\":%d}", v["added"], v["removed"], v["upgraded"]+v["downgraded"], v["license-changes"]}' <<<"$out")
  fi
  want=$($3)
  if [ "$got" != "$want" ]; then
    echo "bench: $1: sbom-gate says $got, jq says $want" >&2
    exit 1
  fi
  echo "$1: both count $want"
}
check diff-cdx "$diff_cdx" "$jq_diff_cdx"
check diff-spdx "$diff_spdx" "$jq_diff_spdx"
check risk "$risk" "$jq_risk"

hyperfine --warmup 1 --runs "$runs" --export-json "$work/result.json" \
  -n "sbom-gate diff (CycloneDX)" "$diff_cdx >/dev/null" -n "jq diff (CycloneDX)" "$jq_diff_cdx >/dev/null" \
  -n "sbom-gate diff (SPDX)" "$diff_spdx >/dev/null" -n "jq diff (SPDX)" "$jq_diff_spdx >/dev/null" \
  -n "sbom-gate risk" "$risk >/dev/null" -n "jq risk" "$jq_risk >/dev/null"
jq -r '.results as $r | def m($n): ($r[] | select(.command == $n) | .mean);
  ["diff (CycloneDX)", "diff (SPDX)", "risk"][] as $k
  | "\($k): sbom-gate \(m("sbom-gate " + $k) * 1000 | floor) ms, jq \(m("jq " + $k) * 1000 | floor) ms; jq / sbom-gate = \((m("jq " + $k) / m("sbom-gate " + $k) * 100 | floor) / 100)"' "$work/result.json"
# Peak memory of each sbom-gate run, from GNU time when it is there.
if [ -x /usr/bin/time ]; then
  for c in "$diff_cdx" "$diff_spdx" "$risk"; do
    /usr/bin/time -f "%M KiB peak: ${c#"$work/"}" $c >/dev/null 2>"$work/time" || true
    tail -1 "$work/time"
  done
fi
