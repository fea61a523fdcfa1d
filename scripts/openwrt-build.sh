#!/usr/bin/env bash
# Cross-builds static v6diag binaries for the OpenWrt target families Go
# supports, named by OpenWrt package architecture, packs each into an .ipk
# (opkg, OpenWrt <= 24.10) and an .apk (apk v3, OpenWrt >= 25), and prints
# a table of sizes. CGO_ENABLED=0 (so static), -trimpath, symbols stripped;
# `v6diag version` reports `git describe --tags --always --dirty` and the
# package architecture the binary is named by (cmd/v6diag/arch.go holds
# the same table; TestArchTargetsMatchBuildScript keeps them in step).
#
#   scripts/openwrt-build.sh [--no-packages] [--all-arches] [OUTDIR]   (default: dist/)
#
#   --no-packages  binaries only
#   --all-arches   also package each binary under the other OpenWrt
#                  architectures it runs on (mipsel_74kc, aarch64_cortex-a53, …):
#                  opkg and apk install only a package whose architecture
#                  the router lists.
#
# Environment: V6DIAG_LICENSE (SPDX id for the packages, default
# GPL-2.0-or-later), SOURCE_DATE_EPOCH (file times; default: last commit).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"

packages=1
all_arches=0
out=dist
for arg in "$@"; do
	case "$arg" in
	--no-packages) packages=0 ;;
	--all-arches) all_arches=1 ;;
	-*) echo "usage: $0 [--no-packages] [--all-arches] [OUTDIR]" >&2; exit 2 ;;
	*) out="$arg" ;;
	esac
done
mkdir -p "$out"

version="$(git describe --tags --always --dirty 2>/dev/null || echo dev)"
commits="$(git rev-list --count HEAD 2>/dev/null || echo 0)"
mtime="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}"
license="${V6DIAG_LICENSE:-GPL-2.0-or-later}"
ldflags="-s -w -buildid= -X main.version=${version}"
# No inlining (docs/CONTRACT.md): 330 KB less on mips, whose flash budget
# is 4.5 MB; a run is I/O-bound, so the routers lose nothing they notice.
gcflags="all=-l"
if ((packages)) && [[ ! -e LICENSE && ! -e COPYING && -z "${V6DIAG_LICENSE:-}" ]]; then
	echo "openwrt-build: warning: no LICENSE file; packages say License: $license" >&2
fi

# OpenWrt package architecture, GOOS/GOARCH, Go's variant setting, and the
# other package architectures the same binary serves (--all-arches).
# GOMIPS=softfloat: most router MIPS cores have no FPU, and the kernel's FPU
# emulator is slow; softfloat also runs on cores that have one. GOARM=5/6/7
# match OpenWrt's armv5 (kirkwood, …), armv6 (bcm2708) and armv7 targets.
# GO386=softfloat serves the x86 legacy/geode subtarget (no SSE2).
targets=(
	"mips_24kc                linux mips     GOMIPS=softfloat   mips_mips32"
	"mipsel_24kc              linux mipsle   GOMIPS=softfloat   mipsel_74kc,mipsel_mips32"
	"mips64_octeonplus        linux mips64   GOMIPS64=softfloat mips64_mips64r2"
	"mips64el_mips64r2        linux mips64le GOMIPS64=softfloat"
	"arm_arm926ej-s           linux arm      GOARM=5            arm_xscale"
	"arm_arm1176jzf-s_vfp     linux arm      GOARM=6"
	"arm_cortex-a7_neon-vfpv4 linux arm      GOARM=7            arm_cortex-a7,arm_cortex-a7_vfpv4,arm_cortex-a5_vfpv4,arm_cortex-a8_vfpv3,arm_cortex-a9,arm_cortex-a9_neon,arm_cortex-a9_vfpv3-d16,arm_cortex-a15_neon-vfpv4"
	"aarch64_generic          linux arm64    -                  aarch64_cortex-a53,aarch64_cortex-a72,aarch64_cortex-a76"
	"i386_pentium4            linux 386      GO386=sse2"
	"i386_pentium-mmx         linux 386      GO386=softfloat"
	"x86_64                   linux amd64    -"
	"riscv64_riscv64          linux riscv64  -                  riscv64_generic"
)

if ((packages)); then
	tools="$(mktemp -d)"
	trap 'rm -rf "$tools"' EXIT
	go build -o "$tools/mkpkg" ./internal/testtools/pkgbuild/cmd/mkpkg
fi

printf 'v6diag %s (CGO_ENABLED=0 -trimpath -gcflags "%s" -ldflags "-s -w")\n\n' "$version" "$gcflags"
printf '%-26s %-9s %-18s %10s %10s %10s\n' "target" "GOARCH" "variant" "binary" ".ipk" ".apk"
for t in "${targets[@]}"; do
	read -r name goos goarch variant extra <<<"$t"
	[[ "$variant" == "-" ]] && variant=""
	bin="$out/v6diag_${version}_${name}"
	env CGO_ENABLED=0 GOOS="$goos" GOARCH="$goarch" ${variant:+"$variant"} \
		go build -trimpath -gcflags "$gcflags" -ldflags "$ldflags -X main.packageArch=$name" -o "$bin" ./cmd/v6diag
	# Static means no program interpreter (PT_INTERP) to load.
	if command -v readelf >/dev/null && readelf -lW "$bin" | grep -q INTERP; then
		echo "openwrt-build: $bin is dynamically linked" >&2
		exit 1
	fi
	ipk="-" apk="-"
	if ((packages)); then
		arches="$name"
		if ((all_arches)) && [[ -n "${extra:-}" ]]; then
			arches="$name,$extra"
		fi
		for arch in ${arches//,/ }; do
			sizes="$("$tools/mkpkg" -bin "$bin" -arch "$arch" -describe "$version" -commits "$commits" \
				-time "$mtime" -license "$license" -warn-dirty=false -out "$out")"
			if [[ "$arch" == "$name" ]]; then
				ipk="$(awk '/\.ipk /{print $2}' <<<"$sizes")"
				apk="$(awk '/\.apk /{print $2}' <<<"$sizes")"
			fi
		done
	fi
	printf '%-26s %-9s %-18s %10d %10s %10s\n' "$name" "$goarch" "${variant:--}" "$(stat -c %s "$bin")" "$ipk" "$apk"
done
if [[ "$version" == *-dirty ]] && ((packages)); then
	echo "openwrt-build: warning: the tree has uncommitted changes; package versions name the last commit" >&2
fi
