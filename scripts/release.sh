#!/usr/bin/env bash
# Makes the source archive of a release exactly as the OpenWrt build system
# makes it for openwrt/v6diag/Makefile (PKG_SOURCE_PROTO:=git), prints its
# SHA-256 and writes it into the Makefile as PKG_MIRROR_HASH.
#
#   scripts/release.sh [--tag] [--check] [--out DIR] [VERSION]
#
#   VERSION  default: the Makefile's PKG_VERSION; the tag is vVERSION
#   --tag    create the annotated tag vVERSION at HEAD first (clean tree only)
#   --check  compare with the Makefile's PKG_MIRROR_HASH instead of writing
#            it; exit 1 when they differ
#   --out    where the archive goes (default dist/)
#
# How the SDK makes the archive (include/download.mk in openwrt/openwrt,
# DownloadMethod/rawgit and dl_tar_pack; scripts/dl_github_archive.py
# repacks GitHub's tarball into the same bytes and checks them against
# PKG_MIRROR_HASH, falling back to rawgit):
#   git clone URL SUBDIR; git checkout VERSION; git submodule update --init
#   --recursive; TAR_TIMESTAMP = the commit time (git log -1 --format=@%ct);
#   rm -rf SUBDIR/.git; tar --numeric-owner --owner=0 --group=0 --mode=a-s
#   --sort=name --mtime=TAR_TIMESTAMP -c SUBDIR | zstd -T0 --ultra -20
# with SUBDIR = PKG_NAME-PKG_VERSION and PKG_SOURCE = SUBDIR.tar.zst (the
# default of download.mk since OpenWrt 24.10). The SDK builds GNU tar and
# zstd itself (tools/tar, tools/zstd 1.5.6); zstd promises the same bytes
# for the same input, level and version, so run this with a zstd as close
# to the SDK's as you can; `make package/v6diag/check` in the SDK says
# when they differ.
#
# A release: scripts/release.sh --tag 0.2.0 (after setting PKG_VERSION),
# commit the Makefile, push main and the tag.
set -euo pipefail
cd "$(dirname "$0")/.."

makefile=openwrt/v6diag/Makefile
tag_it=0 check=0 out=dist version=""
while (($#)); do
	case "$1" in
	--tag) tag_it=1 ;;
	--check) check=1 ;;
	--out) out="$2"; shift ;;
	-*) echo "usage: $0 [--tag] [--check] [--out DIR] [VERSION]" >&2; exit 2 ;;
	*) version="$1" ;;
	esac
	shift
done

mkvar() { sed -n "s/^$1:=//p" "$makefile" | head -1; }
name="$(mkvar PKG_NAME)"
mk_version="$(mkvar PKG_VERSION)"
version="${version:-$mk_version}"
if [[ "$version" != "$mk_version" ]]; then
	echo "release: the Makefile says PKG_VERSION:=$mk_version; set it to $version first" >&2
	exit 2
fi
tag="v$version"
if [[ "$(mkvar PKG_SOURCE_VERSION)" != 'v$(PKG_VERSION)' ]]; then
	echo "release: PKG_SOURCE_VERSION must be v\$(PKG_VERSION), the tag this script makes" >&2
	exit 2
fi
for tool in git tar zstd sha256sum; do
	command -v "$tool" >/dev/null || { echo "release: $tool is not installed" >&2; exit 2; }
done

if ! git rev-parse -q --verify "refs/tags/$tag" >/dev/null; then
	if ((!tag_it)); then
		echo "release: no tag $tag; run with --tag to tag HEAD" >&2
		exit 2
	fi
	if [[ -n "$(git status --porcelain --untracked-files=no)" ]]; then
		echo "release: the tree has uncommitted changes; commit them before tagging $tag" >&2
		exit 2
	fi
	git tag -a "$tag" -m "v6diag $version"
fi

subdir="$name-$version"
file="$subdir.tar.zst"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/v6diag-release.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# The SDK's steps, in its order; umask 022 as a build user has it, so the
# checkout's modes are 0644/0755 whatever this shell's umask is.
(
	umask 022
	cd "$work"
	git clone -q --no-checkout "$OLDPWD" "$subdir"
	cd "$subdir"
	git -c advice.detachedHead=false checkout -q "$tag"
	git submodule -q update --init --recursive
	echo "@$(git log -1 --no-show-signature --format=%ct)" >"$work/timestamp"
)
TAR_TIMESTAMP="$(cat "$work/timestamp")"
rm -rf "$work/$subdir/.git"
(cd "$work" && tar --numeric-owner --owner=0 --group=0 --mode=a-s --sort=name \
	--mtime="$TAR_TIMESTAMP" -c "$subdir" | zstd -q -T0 --ultra -20 -c >"$out/$file")
hash="$(sha256sum "$out/$file" | cut -d' ' -f1)"

echo "$out/$file"
echo "PKG_MIRROR_HASH:=$hash"
current="$(mkvar PKG_MIRROR_HASH)"
if ((check)); then
	if [[ "$current" != "$hash" ]]; then
		echo "release: $makefile has PKG_MIRROR_HASH:=$current, the archive of $tag hashes to $hash" >&2
		exit 1
	fi
elif [[ "$current" != "$hash" ]]; then
	sed -i "s/^PKG_MIRROR_HASH:=.*/PKG_MIRROR_HASH:=$hash/" "$makefile"
	echo "release: wrote PKG_MIRROR_HASH into $makefile; commit it" >&2
fi
