#!/usr/bin/env bash
# Benchmark cache-sentinel against b3sum, sha256sum and a tar+zstd restore
# of the same tree, with the page cache warm. The tree is a Go module cache:
# this module's dependency set downloaded with "go mod download" into a
# fresh GOMODCACHE, copied COPIES times (default 5: about 170,000 files and
# 5 GB). Run from anywhere inside the hub checkout:
#
#   actions/cache-sentinel/bench/bench.sh [WORKDIR]
#
# WORKDIR (default: a new temporary directory) holds the tree, the archive
# and a restore target, about 2.5 times the tree's size; a tree already
# there is reused. COPIES scales the tree (scaled down to fit the disk);
# ROUNDS (default 5) is the number of rounds. Each round warms the page
# cache and runs every hashing command once, in turn, so a noisy neighbour
# slows all of them alike; the restores run last. b3sum runs twice: as
# the reference command (memory-mapped, multithreaded on large files) and with
# --no-mmap (read(2), one thread), which is faster on hosts where page
# faults are dear, such as virtual machines. The script reports each
# command's median wall time, CPU time and peak RSS (GNU time), and the
# ratios the gate is held to: seal and verify each at least 1.5 times
# faster than b3sum over the same files. b3sum, zstd, openssl and GNU time
# are installed from the distribution's packages when missing (apt-get, as
# root).
set -euo pipefail

copies=${COPIES:-5}
rounds=${ROUNDS:-5}
repo=$(cd "$(dirname "$0")/../../.." && pwd)
work=${1:-$(mktemp -d)}
mkdir -p "$work"
work=$(cd "$work" && pwd)

need() {
	command -v "$1" >/dev/null && return
	if [ "$(id -u)" != 0 ]; then
		echo "bench: $1 is missing; install the $2 package" >&2
		exit 2
	fi
	echo "bench: installing $2 (for $1)" >&2
	apt-get install -y "$2" >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y "$2" >/dev/null; }
}
need b3sum b3sum
need zstd zstd
need openssl openssl
need /usr/bin/time time

ws=$work/ws
tree=$ws/cache
if [ ! -d "$tree" ]; then
	echo "bench: downloading the module cache of $repo" >&2
	(cd "$repo" && GOMODCACHE=$work/gomod GOFLAGS=-mod=readonly go mod download)
	chmod -R u+w "$work/gomod"
	size_kb=$(du -sk "$work/gomod" | cut -f1)
	free_kb=$(df -Pk "$work" | awk 'NR==2 {print $4}')
	# Each copy needs room for itself, its share of the archive and of
	# the restore.
	fit=$((free_kb / (size_kb * 5 / 2 + 1)))
	if [ "$fit" -lt "$copies" ]; then
		echo "bench: room for $fit copies of $((size_kb / 1024)) MiB only; scaling down from $copies" >&2
		copies=$fit
	fi
	[ "$copies" -ge 1 ] || { echo "bench: not enough disk space in $work" >&2; exit 2; }
	mkdir -p "$tree"
	for i in $(seq 1 "$copies"); do cp -a "$work/gomod" "$tree/copy$i"; done
	rm -rf "$work/gomod"
fi
copies=$(find "$tree" -mindepth 1 -maxdepth 1 -type d | wc -l)
files=$(find "$tree" -type f | wc -l)
bytes=$(find "$tree" -type f -printf '%s\n' | awk '{s += $1} END {printf "%.0f", s}')

gate=$work/cache-sentinel
(cd "$repo" && CGO_ENABLED=0 go build -trimpath -o "$gate" ./actions/cache-sentinel)
openssl ecparam -name prime256v1 -genkey -noout 2>/dev/null | openssl pkcs8 -topk8 -nocrypt >"$work/key.pem"
openssl ec -in "$work/key.pem" -pubout >"$work/pub.pem" 2>/dev/null
[ -f "$work/cache.tar.zst" ] || tar --zstd -cf "$work/cache.tar.zst" -C "$ws" cache

cd "$ws"
export KEY_PEM PUB_PEM
KEY_PEM=$(cat "$work/key.pem")
PUB_PEM=$(cat "$work/pub.pem")
names=(seal verify b3sum b3sum-no-mmap sha256sum tar-zstd-restore)
cmds=(
	"$gate --mode-of-operation=seal --paths=cache --key=bench --private-key=\"\$KEY_PEM\" >/dev/null"
	"$gate --mode-of-operation=verify --paths=cache --public-key=\"\$PUB_PEM\" >/dev/null"
	"find cache -type f -print0 | xargs -0 b3sum >/dev/null"
	"find cache -type f -print0 | xargs -0 b3sum --no-mmap >/dev/null"
	"find cache -type f -print0 | xargs -0 sha256sum >/dev/null"
	"tar --zstd -xf $work/cache.tar.zst -C $work/restore"
)

warm() { find cache -type f -print0 | xargs -0 cat >/dev/null; }
# measure NAME CMD: run CMD once under GNU time, appending "wall user sys
# maxrss_kb" to $work/times-NAME.
measure() {
	/usr/bin/time -f '%e %U %S %M' -a -o "$work/times-$1" sh -c "$2"
}

echo "bench: warming the page cache" >&2
rm -f "$work"/times-*
warm
eval "${cmds[0]}"
# The hashing commands, interleaved so that a noisy neighbour slows all of
# them alike, the page cache warmed before each round.
for r in $(seq 1 "$rounds"); do
	warm
	for i in 0 1 2 3 4; do measure "${names[$i]}" "${cmds[$i]}"; done
	echo "bench: round $r of $rounds done" >&2
done
# The restore writes a tree as large as the cache, evicting it from the
# page cache, so it runs last, after the dirty pages of the last one are
# written out.
for r in $(seq 1 "$rounds"); do
	rm -rf "$work/restore" && mkdir "$work/restore" && sync
	measure tar-zstd-restore "${cmds[5]}"
done
rm -rf "$work/restore"

# col NAME N: the median of column N (1 wall, 2 user, 3 sys, 4 RSS KiB);
# best NAME: the shortest wall time.
col() { awk -v c="$2" '{print $c}' "$work/times-$1" | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
best() { sort -n "$work/times-$1" | awk 'NR == 1 {print $1}'; }
cpu() { awk '{print $2 + $3}' "$work/times-$1" | sort -n | awk '{a[NR] = $1} END {printf "%.2f", a[int((NR + 1) / 2)]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
s=$(col seal 1) v=$(col verify 1) b=$(col b3sum 1) bn=$(col b3sum-no-mmap 1) h=$(col sha256sum 1) t=$(best tar-zstd-restore)

echo
echo "tree: $files files, $bytes bytes ($copies copies of this module's Go module cache)"
echo "host: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(uname -sr), b3sum $(b3sum --version | cut -d' ' -f2)"
echo "medians of $rounds rounds, page cache warm:"
printf '  %-17s %8s %9s %9s\n' command "wall s" "CPU s" "max RSS"
for n in "${names[@]}"; do
	printf '  %-17s %8s %9s %6s MiB\n' "$n" "$(col "$n" 1)" "$(cpu "$n")" "$(($(col "$n" 4) / 1024))"
done
echo "b3sum / seal:       $(ratio "$b" "$s")x faster (want >= 1.5)"
echo "b3sum / verify:     $(ratio "$b" "$v")x faster (want >= 1.5)"
echo "b3sum --no-mmap / seal:   $(ratio "$bn" "$s")x faster (b3sum's read(2) path, one thread)"
echo "b3sum --no-mmap / verify: $(ratio "$bn" "$v")x faster"
echo "sha256sum / verify: $(ratio "$h" "$v")x faster"
echo "restore, best of $rounds: $t s (later restores wait on the kernel writing and reclaiming the earlier ones)"
echo "verify / restore:   $(ratio "$v" "$t") of the best tar+zstd restore time"
