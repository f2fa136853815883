#!/bin/sh
# bench-submit.sh: issue 3's performance check. Submits N complete notes over
# HTTP with 32 concurrent clients on loopback against the embedded engine,
# then inserts the same note document N times with 32 goroutines through the
# bare driver, and reports both throughputs, their ratio (target >= 0.5) and
# the submit latency (p99 target < 100 ms). N defaults to 500, about the size
# of a real call; the drafts are made before the clock starts.
#
#   scripts/bench-submit.sh [N] [extra go test flags, e.g. -cpuprofile cpu.out]
set -eu
cd "$(dirname "$0")/.."
n="${1:-500}"
[ $# -gt 0 ] && shift
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(go version)"
exec go test -bench BenchmarkSubmit -run '^$' -benchtime="${n}x" -count=1 "$@" ./internal/web/
