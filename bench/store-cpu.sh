#!/usr/bin/env bash
# Where the CPU of one C-STORE set goes: start an SCP, store a warm-up set, then time one set from
# a fresh SCU process and print the SCP's CPU per thread (its main thread and V8's helpers) with
# the time each spent waiting for a core (/proc/PID/task/TID/schedstat: run time, run-queue wait).
# Uses the sets bench/net.mjs generated into .bench-data/ (run it once first) and ./dist.
#
#   bench/store-cpu.sh ours|dcmtk [SET] [WARMUP...]
#     SET      folder under .bench-data/ to measure (default store-512k-100-b)
#     WARMUP   folders stored first, untimed (default store-warmup-512k-150)
#   TASKSET="taskset -c 0" bench/store-cpu.sh ours    # every process on one core
#
# docs/performance-net.md ("Why 1.2x on the 512 KiB set...") quotes figures taken this way.
set -euo pipefail
cd "$(dirname "$0")/.."
impl=${1:?ours or dcmtk}
set=.bench-data/${2:-store-512k-100-b}
shift $(( $# > 2 ? 2 : $# ))
warmups=("${@:-store-warmup-512k-150}")
run=${TASKSET:-}
out=$(mktemp -d /tmp/dimse-store-cpu.XXXXXX)
port=$(( 20000 + RANDOM % 20000 ))
export TCP_NODELAY=1
if [ "$impl" = ours ]; then
  $run node dist/cli.js serve --storage "$out" --port "$port" --quiet --aet DIMSE 2>/dev/null &
  scu() { $run node dist/cli.js store --aec DIMSE 127.0.0.1 "$port" "$1" >/dev/null; }
else
  $run storescp -od "$out" "$port" &
  scu() { $run storescu -aec DIMSE 127.0.0.1 "$port" "$1"/* 2>/dev/null; }
fi
scp=$!
trap 'kill $scp 2>/dev/null; rm -rf "$out"' EXIT
sleep 1
# Received files are truncated, never deleted, as bench/net.mjs does (see its Method).
truncate_all() { find "$out" -type f -exec truncate -s0 {} +; }
for w in "${warmups[@]}"; do scu ".bench-data/$w"; truncate_all; done
snap() { for t in /proc/$scp/task/*; do echo "$(basename "$t") $(cut -d' ' -f1,2 "$t/schedstat")"; done | sort; }
ms() { echo $(( $(date +%s%N) / 1000000 )); }
t0=$(ms); scu .bench-data/store-tiny-1; base=$(( $(ms) - t0 ))
before=$(snap); t0=$(ms)
scu "$set"
total=$(( $(ms) - t0 )); after=$(snap)
n=$(ls "$set" | wc -l)
join <(echo "$before") <(echo "$after") | awk -v m="$scp" -v n="$n" -v total="$total" -v base="$base" -v impl="$impl" '
  { cpu = ($4 - $2) / 1e6; wait = ($5 - $3) / 1e6
    if ($1 == m) { mc = cpu; mw = wait } else { hc += cpu; hw += wait } }
  END { printf "%s: %d instances, %d ms (start-up %d ms, net %d ms); SCP main thread %.1f ms CPU + %.1f ms waiting for a core, other threads %.1f ms CPU + %.1f ms waiting\n", impl, n, total, base, total - base, mc, mw, hc, hw }'
