package main

import (
	"runtime"
	"runtime/debug"
	"strings"
)

// packageArch is the OpenWrt package architecture the binary was built
// for, stamped with -ldflags "-X main.packageArch=…" by
// scripts/openwrt-build.sh and by the feed recipe ($(ARCH_PACKAGES)).
// Empty in a plain `go build`; buildArch then derives it from the build
// settings Go records.
var packageArch = ""

// archTarget is one binary scripts/openwrt-build.sh builds: the package
// architecture it is named by, Go's GOARCH and the variant setting that
// makes it, and the other package architectures it runs on. The script's
// table and this one are kept in step by TestArchTargetsMatchBuildScript.
type archTarget struct {
	name    string
	goarch  string
	variant string // "GOMIPS=softfloat"; "" when GOARCH alone decides
	others  []string
}

var archTargets = []archTarget{
	{"mips_24kc", "mips", "GOMIPS=softfloat", []string{"mips_mips32"}},
	{"mipsel_24kc", "mipsle", "GOMIPS=softfloat", []string{"mipsel_74kc", "mipsel_mips32"}},
	{"mips64_octeonplus", "mips64", "GOMIPS64=softfloat", []string{"mips64_mips64r2"}},
	{"mips64el_mips64r2", "mips64le", "GOMIPS64=softfloat", nil},
	{"arm_arm926ej-s", "arm", "GOARM=5", []string{"arm_xscale"}},
	{"arm_arm1176jzf-s_vfp", "arm", "GOARM=6", nil},
	{"arm_cortex-a7_neon-vfpv4", "arm", "GOARM=7", []string{"arm_cortex-a7", "arm_cortex-a7_vfpv4", "arm_cortex-a5_vfpv4", "arm_cortex-a8_vfpv3", "arm_cortex-a9", "arm_cortex-a9_neon", "arm_cortex-a9_vfpv3-d16", "arm_cortex-a15_neon-vfpv4"}},
	{"aarch64_generic", "arm64", "", []string{"aarch64_cortex-a53", "aarch64_cortex-a72", "aarch64_cortex-a76"}},
	{"i386_pentium4", "386", "GO386=sse2", nil},
	{"i386_pentium-mmx", "386", "GO386=softfloat", nil},
	{"x86_64", "amd64", "", nil},
	{"riscv64_riscv64", "riscv64", "", []string{"riscv64_generic"}},
}

// builtArch says which package architecture this binary serves: the
// stamped one, else the target of openwrt-build.sh whose GOARCH and
// variant the build settings show, with the settings that decided it.
type builtArch struct {
	name     string   // e.g. "mips_24kc"; "" when no OpenWrt target matches
	settings string   // e.g. "linux/mips GOMIPS=softfloat"
	runsOn   []string // name and the others it runs on
}

// buildArch reads the build settings (GOARCH and GOARM, GOMIPS,
// GOMIPS64, GO386, which Go records in every binary) through info.
func buildArch(stamped string, info func() (*debug.BuildInfo, bool)) builtArch {
	goos, goarch := runtime.GOOS, runtime.GOARCH
	set := map[string]string{}
	if bi, ok := info(); ok {
		for _, s := range bi.Settings {
			set[s.Key] = s.Value
		}
	}
	if v := set["GOOS"]; v != "" {
		goos = v
	}
	if v := set["GOARCH"]; v != "" {
		goarch = v
	}
	settings := goos + "/" + goarch
	var match *archTarget
	for i, t := range archTargets {
		if t.goarch != goarch {
			continue
		}
		if t.variant == "" {
			match = &archTargets[i]
			break
		}
		key, want, _ := strings.Cut(t.variant, "=")
		// GOARM may carry ",softfloat" (Go 1.22+): the number decides.
		// The MIPS float ABI does not change the package architecture:
		// a hardfloat build runs where the kernel emulates the FPU.
		if got, _, _ := strings.Cut(set[key], ","); got == want || key == "GOMIPS" || key == "GOMIPS64" {
			match = &archTargets[i]
			settings += " " + key + "=" + set[key]
			break
		}
	}
	if match == nil {
		for _, key := range []string{"GOARM", "GOMIPS", "GOMIPS64", "GO386"} {
			if v := set[key]; v != "" {
				settings += " " + key + "=" + v
			}
		}
	}
	a := builtArch{settings: settings}
	switch {
	case stamped != "":
		a.name = stamped
	case match != nil && goos == "linux":
		a.name = match.name
	}
	for _, t := range archTargets {
		if t.name == a.name {
			a.runsOn = append([]string{t.name}, t.others...)
		}
	}
	if a.runsOn == nil && a.name != "" {
		a.runsOn = []string{a.name}
	}
	return a
}

// String is the line `v6diag version` prints after the version.
func (a builtArch) String() string {
	if a.name == "" {
		return "package architecture: none of OpenWrt's (built for " + a.settings + ")"
	}
	return "package architecture: " + a.name + " (built for " + a.settings + "); runs on " + strings.Join(a.runsOn, ", ")
}
