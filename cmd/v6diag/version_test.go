package main

import (
	"runtime/debug"
	"testing"
	"time"
)

func TestResolveVersion(t *testing.T) {
	info := func(settings ...debug.BuildSetting) func() (*debug.BuildInfo, bool) {
		return func() (*debug.BuildInfo, bool) { return &debug.BuildInfo{Settings: settings}, true }
	}
	none := func() (*debug.BuildInfo, bool) { return nil, false }
	rev := debug.BuildSetting{Key: "vcs.revision", Value: "a238e74c3d11f00dbeefcafe0123456789abcdef"}
	tests := []struct {
		name    string
		stamped string
		info    func() (*debug.BuildInfo, bool)
		want    string
	}{
		{"stamped by the build script wins", "v0.3-2-gabc1234", info(rev), "v0.3-2-gabc1234"},
		{"go build from a clean checkout", "dev", info(rev, debug.BuildSetting{Key: "vcs.modified", Value: "false"}), "dev-a238e74c3d11"},
		{"go build with local changes", "dev", info(rev, debug.BuildSetting{Key: "vcs.modified", Value: "true"}), "dev-a238e74c3d11-dirty"},
		{"no VCS information (go test, -buildvcs=false)", "dev", info(), "dev"},
		{"no build information", "dev", none, "dev"},
	}
	for _, tt := range tests {
		if got := resolveVersion(tt.stamped, tt.info); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestRFC3339UTC(t *testing.T) {
	got, ok := rfc3339UTC("2026-11-23T14:19:04Z")
	if want := time.Date(2026, 11, 23, 14, 19, 4, 0, time.UTC); !ok || !got.Equal(want) {
		t.Errorf("rfc3339UTC = %v, %v; want %v", got, ok, want)
	}
	for _, bad := range []string{"", "2026-11-23T14:19:04+01:00", "2026-11-23 14:19:04Z", "2026-1x-23T14:19:04Z"} {
		if _, ok := rfc3339UTC(bad); ok {
			t.Errorf("rfc3339UTC(%q) accepted", bad)
		}
	}
}
