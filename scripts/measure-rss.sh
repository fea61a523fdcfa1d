#!/usr/bin/env bash
# measure-rss.sh — peak resident memory of `v6diag run` (native build), as
# GNU time -v reports it, on a healthy line (real radvd and Kea) and under
# an RA and Advertise flood from the test ISP (internal/testtools/testisp), in the
# e2e testbed's network namespaces. Budgets (issue 4): 16 MB healthy,
# 32 MB under flood. The tests fail when a budget is exceeded.
#
# Usage (as root): scripts/measure-rss.sh
# Needs what .ci/run installs (kea-dhcp6-server, radvd, iproute2, time).
set -euo pipefail

export PATH="/usr/local/go/bin:$PATH"
cd "$(dirname "$0")/.."

if [[ "$(id -u)" != 0 ]]; then
	echo "measure-rss: needs root for the network namespaces" >&2
	exit 2
fi
log="$(mktemp /tmp/v6diag-rss.XXXXXX)"
trap 'rm -f "$log"' EXIT
status=0
MEASURE_RSS_LOG="$log" CI="${CI:-1}" go test -count=1 -run 'TestMemoryHealthyLine|TestMemoryUnderFlood' ./e2e >/dev/null 2>&1 || status=$?
echo "peak RSS of v6diag run (budgets: 16 MB healthy, 32 MB under flood):"
cat "$log"
if ((status != 0)); then
	echo "measure-rss: a memory test failed; rerun: go test -count=1 -v -run 'TestMemory' ./e2e" >&2
fi
exit "$status"
