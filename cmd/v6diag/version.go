package main

import "runtime/debug"

// init completes version for builds that were not stamped with -ldflags
// (a plain `go build` from a checkout): the commit Go recorded, so every
// report still says which code wrote it. scripts/openwrt-build.sh stamps
// `git describe --tags --always --dirty` instead.
func init() {
	version = resolveVersion(version, debug.ReadBuildInfo)
}

// resolveVersion returns stamped unless it is the "dev" default, else
// dev-<commit>[-dirty] from the build's VCS settings when Go recorded them.
func resolveVersion(stamped string, info func() (*debug.BuildInfo, bool)) string {
	if stamped != "dev" {
		return stamped
	}
	bi, ok := info()
	if !ok {
		return stamped
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev == "" {
		return stamped
	}
	v := "dev-" + rev[:min(len(rev), 12)]
	if modified == "true" {
		v += "-dirty"
	}
	return v
}
