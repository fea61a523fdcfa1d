// Command mkpkg wraps one static v6diag binary into an .ipk and an .apk
// for OpenWrt; scripts/openwrt-build.sh runs it once per target.
//
//	mkpkg -bin dist/v6diag_mips_24kc -arch mips_24kc -describe "$(git describe --tags --always --dirty)" \
//	      -commits "$(git rev-list --count HEAD)" -time "$(git log -1 --format=%ct)" -out dist/
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/v6diag/v6diag/internal/testtools/pkgbuild"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "mkpkg:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("mkpkg", flag.ContinueOnError)
	fs.SetOutput(stderr)
	bin := fs.String("bin", "", "the static v6diag binary")
	arch := fs.String("arch", "", "OpenWrt package architecture, e.g. mips_24kc")
	describe := fs.String("describe", "", "git describe --tags --always --dirty")
	commits := fs.Int("commits", 0, "git rev-list --count HEAD (for untagged trees)")
	release := fs.Int("release", 1, "package release (OpenWrt's PKG_RELEASE)")
	mtime := fs.Int64("time", 0, "file times, Unix seconds (git log -1 --format=%ct)")
	license := fs.String("license", "", "SPDX license identifier")
	out := fs.String("out", ".", "output directory; the packages go into OUT/ARCH/, as in an OpenWrt package repository")
	warnDirty := fs.Bool("warn-dirty", true, "warn when -describe ends in -dirty")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *bin == "" || *arch == "" || *describe == "" || *license == "" {
		return fmt.Errorf("-bin, -arch, -describe and -license are required")
	}
	version, dirty, err := pkgbuild.PackageVersion(*describe, *commits, *release)
	if err != nil {
		return err
	}
	if dirty && *warnDirty {
		fmt.Fprintf(stderr, "mkpkg: warning: %s has uncommitted changes; the packages say %s\n", *describe, version)
	}
	data, err := os.ReadFile(*bin)
	if err != nil {
		return err
	}
	p := pkgbuild.Package{
		Name:        "v6diag",
		Version:     version,
		Arch:        *arch,
		Description: "Diagnose why native IPv6 (RA, DHCPv6 prefix delegation) fails on the WAN",
		License:     *license,
		Maintainer:  "v6diag developers",
		URL:         "https://github.com/v6diag/v6diag",
		Section:     "net",
		Files:       []pkgbuild.File{{Path: "/usr/bin/v6diag", Mode: 0o755, Data: data}},
		Time:        time.Unix(*mtime, 0).UTC(),
	}
	for _, w := range []struct {
		name  string
		write func(io.Writer) error
	}{{p.IPKName(), p.WriteIPK}, {p.APKName(), p.WriteAPK}} {
		var buf bytes.Buffer
		if err := w.write(&buf); err != nil {
			return err
		}
		dir := filepath.Join(*out, p.Arch)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		path := filepath.Join(dir, w.name)
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s %d\n", path, buf.Len())
	}
	return nil
}
