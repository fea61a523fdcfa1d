#!/usr/bin/env bash
# bench-e2e.sh — time `v6diag run` on a healthy line against Debian's dhcpcd
# (`dhcpcd -6 -1`, hooks off) getting its /48 from the same Kea, in one
# network-namespace testbed (see e2e/bench_test.go, TestBenchHealthyLine).
#
# Usage (as root, from anywhere in the repository):
#   scripts/bench-e2e.sh [-n RUNS] [--strict] [--dhcpcd-rs]
#
#   -n RUNS      alternating runs of each (default 5)
#   --strict     exit non-zero when a goal is missed (v6diag <= 1.0 s on
#                every run, and <= 0.5 x dhcpcd's median)
#   --dhcpcd-rs  let dhcpcd send Router Solicitations and wait for the RA
#                (default: noipv6rs, DHCPv6 at once)
#
# Needs kea-dhcp6-server, radvd, dhcpcd-base and iproute2. Prints the table
# (lines starting with "bench:"); the full go test output is kept in a
# temporary file whose path is printed.
set -euo pipefail

runs=5
strict=0
dhcpcd_mode=""
while [[ $# -gt 0 ]]; do
	case "$1" in
	-n) runs="${2:?-n needs a number}"; shift 2 ;;
	--strict) strict=1; shift ;;
	--dhcpcd-rs) dhcpcd_mode=rs; shift ;;
	-h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "bench-e2e.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
	esac
done
if [[ "$(id -u)" -ne 0 ]]; then
	echo "bench-e2e.sh: must be run as root (the testbed creates network namespaces)" >&2
	exit 2
fi
for bin in kea-dhcp6 radvd dhcpcd ip unshare; do
	command -v "$bin" >/dev/null || { echo "bench-e2e.sh: $bin not found in PATH" >&2; exit 2; }
done

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
log="$(mktemp /tmp/v6diag-bench.XXXXXX)"

status=0
V6DIAG_BENCH=1 V6DIAG_BENCH_N="$runs" V6DIAG_BENCH_STRICT="$strict" V6DIAG_BENCH_DHCPCD="$dhcpcd_mode" \
	go test -count=1 -run '^TestBenchHealthyLine$' -v -timeout 10m ./e2e >"$log" 2>&1 || status=$?

if [[ $status -ne 0 ]]; then
	cat "$log"
	echo "bench-e2e.sh: the benchmark failed (exit $status); output above and in $log" >&2
	exit "$status"
fi
grep '^bench:' "$log" | sed 's/^bench: //'
echo "(full output: $log)"
