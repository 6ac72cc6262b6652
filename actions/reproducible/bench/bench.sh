#!/usr/bin/env bash
# Times reproducible against diffoci on the same two images, in one
# script: time to a verdict on two identical images (same digest) and on
# two that differ in one byte of a file deep in the last layer, and each
# tool's peak memory.
#
# The images are synthetic and deterministic, served by an in-process
# registry on 127.0.0.1 ("go run ./actions/reproducible/bench/gen"):
# SIZE_MB of incompressible 4 MiB files in LAYERS gzip layers, over TLS
# (diffoci speaks nothing else) with a certificate both tools are given by
# SSL_CERT_FILE. diffoci is
# built from the Go module proxy (github.com/reproducible-containers/diffoci
# v0.1.7; set DIFFOCI to use another binary); hyperfine is a Debian
# package; peak memory comes from GNU time when it is there.
#
# Usage: actions/reproducible/bench/bench.sh [RUNS [SIZE_MB [LAYERS]]]
set -euo pipefail
cd "$(dirname "$0")/../../.."
runs=${1:-5}
size=${2:-1024}
layers=${3:-8}
work=$(mktemp -d)
gen_pid=
cleanup() {
  [ -n "$gen_pid" ] && kill "$gen_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
command -v hyperfine >/dev/null || { echo "bench: needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }

go build -trimpath -o "$work/reproducible" ./actions/reproducible
go build -o "$work/gen" ./actions/reproducible/bench/gen
diffoci=${DIFFOCI:-}
if [ -z "$diffoci" ]; then
  mkdir -p "$work/diffoci-mod"
  printf 'module diffocibuild\n\ngo 1.26\n\nrequire github.com/reproducible-containers/diffoci v0.1.7\n' >"$work/diffoci-mod/go.mod"
  (cd "$work/diffoci-mod" && GOFLAGS=-mod=mod go build -o "$work/diffoci" github.com/reproducible-containers/diffoci/cmd/diffoci)
  diffoci=$work/diffoci
fi

"$work/gen" "$size" "$layers" "$work/registry.pem" >"$work/addr" &
gen_pid=$!
until [ -s "$work/addr" ]; do
  kill -0 "$gen_pid" 2>/dev/null || { echo "bench: gen failed" >&2; exit 1; }
  sleep 1
done
addr=$(cat "$work/addr")
mkdir -p "$work/ws"
export HOME="$work" GITHUB_WORKSPACE="$work/ws" SSL_CERT_FILE="$work/registry.pem"
repro="$work/reproducible --sarif-file=out.sarif"
same_r="$repro --expected=docker://$addr/bench/app:base --actual=docker://$addr/bench/app:same"
other_r="$repro --expected=docker://$addr/bench/app:base --actual=docker://$addr/bench/app:other"
# diffoci's local backend pulls into its own cache under HOME; --pull=always
# keeps every run comparable.
same_d="$diffoci diff --backend=local --pull=always $addr/bench/app:base $addr/bench/app:same"
other_d="$diffoci diff --backend=local --pull=always $addr/bench/app:base $addr/bench/app:other"

# Both must say the same thing before they are timed.
$same_r >/dev/null || { echo "bench: reproducible does not pass identical images" >&2; exit 1; }
if $other_r >"$work/r.log"; then echo "bench: reproducible passes differing images" >&2; exit 1; fi
grep -q 'content differs from byte' "$work/r.log" || { cat "$work/r.log"; exit 1; }
$same_d >/dev/null 2>&1 || { echo "bench: diffoci does not pass identical images" >&2; $same_d; exit 1; }
if $other_d >"$work/d.log" 2>&1; then echo "bench: diffoci passes differing images" >&2; exit 1; fi
echo "reproducible: $(grep -o 'content differs from byte [0-9]*' "$work/r.log")"
echo "diffoci: $(grep -c . "$work/d.log") lines of differences"

hyperfine --warmup 1 --runs "$runs" -i --export-json "$work/result.json" \
  -n "reproducible identical" "$same_r >/dev/null" -n "diffoci identical" "$same_d >/dev/null 2>&1" \
  -n "reproducible one byte" "$other_r >/dev/null" -n "diffoci one byte" "$other_d >/dev/null 2>&1"
python3 - "$work/result.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
for case in ("identical", "one byte"):
    a, b = r["reproducible " + case], r["diffoci " + case]
    print(f"{case}: reproducible {a['mean']:.3f} s, diffoci {b['mean']:.3f} s; diffoci / reproducible = {b['mean'] / a['mean']:.1f}"
          f" (CPU {a['user'] + a['system']:.2f} s against {b['user'] + b['system']:.2f} s)")
PY
if [ -x /usr/bin/time ]; then
  for c in "$same_r" "$other_r" "$same_d" "$other_d"; do
    /usr/bin/time -f "%M KiB peak: ${c#"$work/"}" $c >/dev/null 2>"$work/time" || true
    tail -1 "$work/time"
  done
fi
