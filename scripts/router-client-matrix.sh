#!/usr/bin/env bash
# Issue 10's measure: runs the router-client matrix (every test line × five
# wan6 configs, the real odhcp6c beside v6diag, each suggestion proven with
# the real odhcp6c) and the healthy line's timing, then prints the matrix
# and the figures. Fails when a cell disagrees, a suggestion is not proven,
# or v6diag's wall time is above a fifth of odhcp6c's time to bound
# (medians over five runs each).
#
# usage: sudo scripts/router-client-matrix.sh   (root: network namespaces)
set -euo pipefail
cd "$(dirname "$0")/.."
export V6DIAG_TEST_ARTIFACTS="${V6DIAG_TEST_ARTIFACTS:-/tmp/v6diag-test-artifacts}"
rm -f "$V6DIAG_TEST_ARTIFACTS/router-client-matrix.md" "$V6DIAG_TEST_ARTIFACTS/router-client-timing.txt"
status=0
go test -count=1 -timeout 20m -run 'TestRouterClientMatrix$' ./e2e/ >/tmp/router-client-matrix.log 2>&1 || status=1
go test -count=1 -timeout 10m -run 'TestRouterClientTiming$' ./e2e/ >>/tmp/router-client-matrix.log 2>&1 || status=1
cat "$V6DIAG_TEST_ARTIFACTS/router-client-matrix.md" 2>/dev/null || echo "no matrix written (see /tmp/router-client-matrix.log)"
echo
timing="$(cat "$V6DIAG_TEST_ARTIFACTS/router-client-timing.txt" 2>/dev/null || true)"
echo "${timing:-no timing written}"
ratio="$(sed -n 's/.*ratio \([0-9.]*\).*/\1/p' <<<"$timing")"
if [[ -z "$ratio" ]] || awk -v r="$ratio" 'BEGIN { exit !(r > 0.2) }'; then
	echo "FAIL: v6diag must finish within 0.2x of odhcp6c's time to bound (ratio ${ratio:-unknown})"
	status=1
fi
if [[ $status -ne 0 ]]; then
	echo "FAIL: see /tmp/router-client-matrix.log"
	grep -E '^\s+routerclient_test.go:[0-9]+: ' /tmp/router-client-matrix.log | grep -v 'testbed:\|v6diag exit' | head -20 || true
fi
exit $status
