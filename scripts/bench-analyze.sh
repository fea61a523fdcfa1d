#!/usr/bin/env bash
# bench-analyze.sh — does `v6diag analyze` stream? Generates captures of
# ordinary traffic (TCP/UDP/ICMP over IPv4 and IPv6) with RAs and DHCPv6
# exchanges sprinkled through them (internal/testtools/gencap), then measures in one
# run the wall time and peak RSS (/usr/bin/time) of
#   v6diag analyze FILE
#   tshark -r FILE -Y 'dhcpv6 || icmpv6.type == 134'
#   tcpdump -r FILE -w /dev/null 'icmp6 or udp port 546 or udp port 547'
# on the large file, and v6diag's peak RSS on a small file with as many
# control messages as the large one (so the two differ only in ordinary
# traffic), on a dense one (a control message every 20 frames, far past
# diag.MaxEvents), and on a mid-sized one just under the 32 MB that
# report.tar.gz takes a capture up to (so the bundle copies it), to show
# that memory does not grow with the file.
#
# Goals (issue 4, tightened by issue 11): v6diag at least 5x faster than
# tshark and no slower than tcpdump's BPF pass, peak RSS at most 16 MB
# whatever the file. Exit status 1 if a goal is missed.
#
# Usage: scripts/bench-analyze.sh [FRAMES]     (default 1000000; the small
#        file has FRAMES/10 and the same RS/RA/DHCPv6 messages). Needs Go,
#        tshark, tcpdump and GNU time.
#        KEEP=1 keeps the generated files; RUNS=N takes the best of N runs.
set -euo pipefail

export PATH="/usr/local/go/bin:$PATH"
cd "$(dirname "$0")/.."

frames="${1:-1000000}"
small=$((frames / 10))
runs="${RUNS:-3}"
for tool in go tshark tcpdump /usr/bin/time; do
	command -v "$tool" >/dev/null || { echo "bench-analyze: $tool not found (apt-get install tshark tcpdump time)" >&2; exit 2; }
done

work="$(mktemp -d /tmp/v6diag-bench-analyze.XXXXXX)"
cleanup() { [[ -n "${KEEP:-}" ]] && echo "kept $work" || rm -rf "$work"; }
trap cleanup EXIT

CGO_ENABLED=0 go build -trimpath -ldflags=-s -o "$work/v6diag" ./cmd/v6diag
go build -o "$work/gencap" ./internal/testtools/gencap/cmd/gencap

echo "generating captures in $work"
"$work/gencap" -frames "$frames" -o "$work/large.pcap"
"$work/gencap" -frames "$small" -every 50 -o "$work/small.pcap"
"$work/gencap" -frames "$frames" -every 20 -o "$work/dense.pcap"
# About 755 bytes a frame: 42000 frames stay under the bundle's 32 MB.
"$work/gencap" -frames 42000 -every 50 -o "$work/mid.pcap"

# measure LABEL CMD... runs CMD $runs times from a warm page cache and
# prints the best wall time (s) and the largest peak RSS (KB) seen.
measure() {
	local label="$1"
	shift
	local best="" rss=0 line wall kb
	for ((i = 0; i < runs; i++)); do
		# GNU time appends its line to the tool's stderr, kept in a file.
		/usr/bin/time -f 'TIME %e %M' "$@" >/dev/null 2>"$work/err" || true
		line="$(grep '^TIME' "$work/err" | tail -1)"
		read -r _ wall kb <<<"$line"
		if [[ -z "$best" ]] || awk -v a="$wall" -v b="$best" 'BEGIN{exit !(a<b)}'; then best="$wall"; fi
		((kb > rss)) && rss="$kb"
	done
	printf '%s %s %s\n' "$label" "$best" "$rss"
}

for f in large small dense mid; do cat "$work/$f.pcap" >/dev/null; done

out="$work/out"
results="$work/results"
{
	measure "v6diag-large" "$work/v6diag" analyze --quiet --out "$out" "$work/large.pcap"
	measure "tshark-large" tshark -r "$work/large.pcap" -Y 'dhcpv6 || icmpv6.type == 134'
	measure "tcpdump-large" tcpdump -r "$work/large.pcap" -w /dev/null 'icmp6 or udp port 546 or udp port 547'
	measure "v6diag-small" "$work/v6diag" analyze --quiet --out "$out" "$work/small.pcap"
	measure "v6diag-dense" "$work/v6diag" analyze --quiet --out "$out" "$work/dense.pcap"
	measure "v6diag-mid" "$work/v6diag" analyze --quiet --out "$out" "$work/mid.pcap"
} >"$results"

get() { awk -v k="$1" -v c="$2" '$1==k{print $c}' "$results"; }
size() { stat -c %s "$work/$1.pcap"; }

printf '\n%-9s %-34s %10s %10s\n' "tool" "file" "wall (s)" "peak RSS"
for row in "v6diag large" "tshark large" "tcpdump large" "v6diag small" "v6diag dense" "v6diag mid"; do
	read -r tool file <<<"$row"
	n="$frames"
	[[ "$file" == small ]] && n="$small"
	[[ "$file" == mid ]] && n=42000
	printf '%-9s %-34s %10s %7.1f MB\n' "$tool" "$file ($n frames, $(($(size "$file") / 1000000)) MB)" \
		"$(get "$tool-$file" 2)" "$(awk -v k="$(get "$tool-$file" 3)" 'BEGIN{print k/1024}')"
done

vt="$(get v6diag-large 2)"
tt="$(get tshark-large 2)"
dt="$(get tcpdump-large 2)"
maxrss="$(awk '$1 ~ /^v6diag/ && $3 > m {m = $3} END {print m}' "$results")"
status=0
check() { # check NAME OK? TEXT
	if [[ "$2" == 1 ]]; then echo "PASS $1: $3"; else echo "FAIL $1: $3"; status=1; fi
}
echo
check "vs tshark" "$(awk -v v="$vt" -v t="$tt" 'BEGIN{print (t >= 5*v) ? 1 : 0}')" \
	"tshark/v6diag = $(awk -v v="$vt" -v t="$tt" 'BEGIN{printf "%.1f", (v > 0 ? t/v : 0)}')x (goal >= 5x)"
check "vs tcpdump" "$(awk -v v="$vt" -v d="$dt" 'BEGIN{print (v <= d) ? 1 : 0}')" \
	"v6diag/tcpdump = $(awk -v v="$vt" -v d="$dt" 'BEGIN{printf "%.2f", (d > 0 ? v/d : 0)}')x (goal <= 1x)"
check "peak RSS" "$(awk -v m="$maxrss" 'BEGIN{print (m <= 16*1024) ? 1 : 0}')" \
	"largest v6diag peak $(awk -v m="$maxrss" 'BEGIN{printf "%.1f", m/1024}') MB (goal <= 16 MB)"
exit "$status"
