#!/usr/bin/env bash
# test-bigendian.sh — byte order: runs the unit tests of every package that
# encodes or decodes wire bytes on big-endian 32-bit MIPS (GOMIPS=softfloat,
# as most OpenWrt MIPS boards have no FPU) under Debian's qemu-user-static,
# so every encoder and decoder meets a big-endian host. No -race (not
# supported on mips). -short and -skip leave out only the cross-checks that
# run host programs (tshark on every capture, chromium on the HTML report),
# which say nothing about v6diag's byte order and are slow under emulation.
# Prints how long it took.
#
# Usage: scripts/test-bigendian.sh [PACKAGE...]   (default: the list below)
set -euo pipefail

export PATH="/usr/local/go/bin:$PATH"
cd "$(dirname "$0")/.."

command -v qemu-mips-static >/dev/null || { echo "test-bigendian: qemu-mips-static not found (apt-get install qemu-user-static)" >&2; exit 2; }
pkgs=("$@")
if ((${#pkgs[@]} == 0)); then
	pkgs=(./capture ./ndp ./dhcpv6 ./dhcpv6/options ./diag ./report ./uciconfig)
fi
start=$(date +%s)
CGO_ENABLED=0 GOARCH=mips GOMIPS=softfloat go test -short -count=1 -skip 'TestHTMLInBrowser' -exec qemu-mips-static "${pkgs[@]}"
echo "big-endian mips unit tests under qemu-user: $(($(date +%s) - start)) s for ${pkgs[*]}"
