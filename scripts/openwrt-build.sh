#!/usr/bin/env bash
# Cross-builds static v6diag binaries for the OpenWrt target families Go
# supports, named by OpenWrt package architecture where one maps cleanly,
# and prints their sizes. CGO_ENABLED=0, -trimpath, symbols stripped; the
# version comes from git.
#
#   scripts/openwrt-build.sh [OUTDIR]      (default: dist/)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-dist}"
mkdir -p "$out"
version="$(git describe --tags --always --dirty 2>/dev/null || echo dev)"
ldflags="-s -w -buildid= -X main.version=${version}"

# name  GOOS GOARCH extra-env
targets=(
	"mips_24kc       linux mips     GOMIPS=softfloat"
	"mipsel_24kc     linux mipsle   GOMIPS=softfloat"
	"mips64_octeonplus linux mips64 GOMIPS64=softfloat"
	"mips64el        linux mips64le GOMIPS64=softfloat"
	"arm_arm926ej-s  linux arm      GOARM=5"
	"arm_arm1176jzf-s_vfp linux arm GOARM=6"
	"arm_cortex-a7_neon-vfpv4 linux arm GOARM=7"
	"aarch64_generic linux arm64"
	"i386_pentium4   linux 386      GO386=softfloat"
	"x86_64          linux amd64"
	"riscv64_riscv64 linux riscv64"
)

printf '%-28s %10s\n' "target" "bytes"
for t in "${targets[@]}"; do
	read -r name goos goarch extra <<<"$t"
	bin="$out/v6diag_${version}_${name}"
	env CGO_ENABLED=0 GOOS="$goos" GOARCH="$goarch" ${extra:-} \
		go build -trimpath -ldflags "$ldflags" -o "$bin" ./cmd/v6diag
	printf '%-28s %10d\n' "$name" "$(stat -c %s "$bin")"
done
