package binsize

import (
	"os"
	"testing"
)

func TestPackageOf(t *testing.T) {
	tests := map[string]string{
		"github.com/google/gopacket/layers.(*IPv6).DecodeFromBytes": "github.com/google/gopacket/layers",
		"github.com/google/gopacket/layers.init":                    "github.com/google/gopacket/layers",
		"runtime.mallocgc":                                          "runtime",
		"main.main":                                                 "main",
		"type:*github.com/v6diag/v6diag/dhcpv6.Message":             "github.com/v6diag/v6diag/dhcpv6",
		"type:.eq.net/netip.Prefix":                                 "net/netip",
		"go:itab.*os.File,io.Writer":                                "os",
		"go:func.*":                                                 "go:func",
		"slices.SortFunc[go.shape.struct { a/b.c int }]":            "slices",
		"encoding/json.(*decodeState).object":                       "encoding/json",
		"crypto/internal/entropy/v1.0.0.Seed":                       "crypto/internal/entropy/v1",
	}
	for in, want := range tests {
		if got := PackageOf(in); got != want {
			t.Errorf("PackageOf(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestAnalyzeSelf analyses the test binary itself: it holds the testing
// package and the runtime, and no package can be larger than the file.
func TestAnalyzeSelf(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(exe)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Analyze(exe)
	if err != nil {
		t.Skipf("test binary without symbols: %v", err)
	}
	var total uint64
	seen := map[string]bool{}
	for i, p := range r.Packages {
		total += p.Size
		seen[p.Path] = true
		if i > 0 && r.Packages[i-1].Size < p.Size {
			t.Errorf("packages not sorted at %d", i)
		}
	}
	for _, want := range []string{"runtime", "testing", "github.com/v6diag/v6diag/internal/testtools/binsize"} {
		if !seen[want] {
			t.Errorf("no package %s in the report", want)
		}
	}
	if total == 0 || total > uint64(fi.Size()) {
		t.Errorf("packages add up to %d bytes, file is %d", total, fi.Size())
	}
	if _, ok := r.Sections[".text"]; !ok {
		t.Errorf("no .text among %v", r.Sections)
	}
	if _, ok := r.Sections[".bss"]; ok {
		t.Error(".bss counted as stored in the file")
	}
	if len(r.Symbols) == 0 || r.Symbols[0].Size < r.Symbols[len(r.Symbols)-1].Size {
		t.Error("symbols missing or not largest first")
	}
}
