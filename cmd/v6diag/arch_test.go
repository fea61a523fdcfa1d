package main

import (
	"os"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
)

func TestBuildArch(t *testing.T) {
	info := func(kv ...string) func() (*debug.BuildInfo, bool) {
		return func() (*debug.BuildInfo, bool) {
			bi := &debug.BuildInfo{}
			for i := 0; i < len(kv); i += 2 {
				bi.Settings = append(bi.Settings, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
			}
			return bi, true
		}
	}
	tests := []struct {
		name    string
		stamped string
		info    func() (*debug.BuildInfo, bool)
		want    string
	}{
		{"openwrt-build.sh's mips", "", info("GOOS", "linux", "GOARCH", "mips", "GOMIPS", "softfloat"),
			"package architecture: mips_24kc (built for linux/mips GOMIPS=softfloat); runs on mips_24kc, mips_mips32"},
		{"a plain go build for mipsle keeps Go's hardfloat default", "", info("GOOS", "linux", "GOARCH", "mipsle", "GOMIPS", "hardfloat"),
			"package architecture: mipsel_24kc (built for linux/mipsle GOMIPS=hardfloat); runs on mipsel_24kc, mipsel_74kc, mipsel_mips32"},
		{"armv5", "", info("GOOS", "linux", "GOARCH", "arm", "GOARM", "5"),
			"package architecture: arm_arm926ej-s (built for linux/arm GOARM=5); runs on arm_arm926ej-s, arm_xscale"},
		{"armv7 with Go 1.22's float suffix", "", info("GOOS", "linux", "GOARCH", "arm", "GOARM", "7,softfloat"),
			"package architecture: arm_cortex-a7_neon-vfpv4 (built for linux/arm GOARM=7,softfloat); runs on arm_cortex-a7_neon-vfpv4, arm_cortex-a7, arm_cortex-a7_vfpv4, arm_cortex-a5_vfpv4, arm_cortex-a8_vfpv3, arm_cortex-a9, arm_cortex-a9_neon, arm_cortex-a9_vfpv3-d16, arm_cortex-a15_neon-vfpv4"},
		{"x86 without SSE2", "", info("GOOS", "linux", "GOARCH", "386", "GO386", "softfloat"),
			"package architecture: i386_pentium-mmx (built for linux/386 GO386=softfloat); runs on i386_pentium-mmx"},
		{"aarch64", "", info("GOOS", "linux", "GOARCH", "arm64", "GOARM64", "v8.0"),
			"package architecture: aarch64_generic (built for linux/arm64); runs on aarch64_generic, aarch64_cortex-a53, aarch64_cortex-a72, aarch64_cortex-a76"},
		{"the SDK's stamp wins", "aarch64_cortex-a53", info("GOOS", "linux", "GOARCH", "arm64"),
			"package architecture: aarch64_cortex-a53 (built for linux/arm64); runs on aarch64_cortex-a53"},
		{"no OpenWrt target", "", info("GOOS", "linux", "GOARCH", "ppc64le"),
			"package architecture: none of OpenWrt's (built for linux/ppc64le)"},
		{"not Linux", "", info("GOOS", "darwin", "GOARCH", "arm64"),
			"package architecture: none of OpenWrt's (built for darwin/arm64)"},
	}
	for _, tt := range tests {
		if got := buildArch(tt.stamped, tt.info).String(); got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
	}
}

// TestArchTargetsMatchBuildScript: the table `v6diag version` answers
// from is the one scripts/openwrt-build.sh builds.
func TestArchTargetsMatchBuildScript(t *testing.T) {
	script, err := os.ReadFile("../../scripts/openwrt-build.sh")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile(`(?m)^\t"(\S+)\s+linux\s+(\S+)\s+(\S+)\s*(\S*)"$`)
	var got []archTarget
	for _, m := range row.FindAllSubmatch(script, -1) {
		tg := archTarget{name: string(m[1]), goarch: string(m[2]), variant: string(m[3])}
		if tg.variant == "-" {
			tg.variant = ""
		}
		if len(m[4]) > 0 {
			tg.others = strings.Split(string(m[4]), ",")
		}
		got = append(got, tg)
	}
	if len(got) == 0 {
		t.Fatal("no targets found in openwrt-build.sh")
	}
	if !slices.EqualFunc(got, archTargets, func(a, b archTarget) bool {
		return a.name == b.name && a.goarch == b.goarch && a.variant == b.variant && slices.Equal(a.others, b.others)
	}) {
		t.Errorf("openwrt-build.sh builds\n%v\narch.go knows\n%v", got, archTargets)
	}
}
