#!/usr/bin/env bash
# Prints the stripped size of v6diag for every OpenWrt target, then what
# dominates the mips (softfloat, big-endian) build: file-backed sections,
# the largest Go packages and symbols. Fails when mips exceeds the flash
# budget of issue 4 (4.5 MB, taken as 4,500,000 bytes).
#
#   scripts/size-report.sh [--mips-only] [OUTDIR]     (default: a temporary folder)
#
# --mips-only builds only mips_24kc (what CI runs: the other targets cost
# a cold cross-build each), with openwrt-build.sh's flags.
#
# Environment: V6DIAG_MIPS_BUDGET overrides the budget in bytes.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"

budget="${V6DIAG_MIPS_BUDGET:-4500000}"
mips_only=0
if [[ "${1:-}" == "--mips-only" ]]; then
	mips_only=1
	shift
fi
if [[ $# -ge 1 ]]; then
	out="$1"
	mkdir -p "$out"
else
	out="$(mktemp -d)"
	trap 'rm -rf "$out"' EXIT
fi

version="$(git describe --tags --always --dirty 2>/dev/null || echo dev)"
if ((mips_only)); then
	CGO_ENABLED=0 GOOS=linux GOARCH=mips GOMIPS=softfloat \
		go build -trimpath -gcflags "all=-l" -ldflags "-s -w -buildid= -X main.version=${version}" -o "$out/v6diag_${version}_mips_24kc" ./cmd/v6diag
else
	scripts/openwrt-build.sh --no-packages "$out"
fi

# The same mips build with its symbol table, for the breakdown.
echo
echo "mips_24kc, what takes the room (symbol sizes from the ELF symbol table, as go tool nm -size shows them, summed by package):"
CGO_ENABLED=0 GOOS=linux GOARCH=mips GOMIPS=softfloat \
	go build -trimpath -gcflags "all=-l" -ldflags "-w" -o "$out/v6diag_mips_symbols" ./cmd/v6diag
go run ./internal/testtools/binsize/cmd/binsize -top 15 "$out/v6diag_mips_symbols"

mips="$out/v6diag_${version}_mips_24kc"
size="$(stat -c %s "$mips")"
echo
if ((size > budget)); then
	printf 'FAIL: mips_24kc is %d bytes, over the budget of %d by %d\n' "$size" "$budget" $((size - budget)) >&2
	exit 1
fi
printf 'ok: mips_24kc is %d bytes, %d under the budget of %d\n' "$size" $((budget - size)) "$budget"
