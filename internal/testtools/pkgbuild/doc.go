// Package pkgbuild writes the packages OpenWrt installs: an .ipk for opkg
// (OpenWrt up to 24.10) and an .apk in apk-tools v3's ADB format (OpenWrt
// 25.x), each carrying a few files such as /usr/bin/v6diag.
//
// Both are byte-for-byte reproducible from their inputs: owners are root,
// times come from Package.Time, and archives are sorted.
//
// The .ipk is what OpenWrt's scripts/ipkg-build makes: a gzip-compressed
// GNU tar holding ./debian-binary ("2.0"), ./data.tar.gz and
// ./control.tar.gz, with Installed-Size set to the byte length of the
// uncompressed data tar, as ipkg-build does.
//
// The .apk follows apk-tools' doc/apk-v3.5 and src/adb.h, apk_adb.h and
// app_mkpkg.c: "ADBd" and a raw-deflate stream of the file header
// ("ADB." and schema "pckg"), one ADB block holding the package object
// (info, paths), and one DATA block per non-empty file. It is not signed:
// apk installs it with --allow-untrusted, as any locally built package.
package pkgbuild
