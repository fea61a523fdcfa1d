// Package testcaptures finds every capture file the tests hold, for the
// tests that run each decoder against an independent one (the oracles of
// issue 11: gopacket for capture.Decode, mdlayher/ndp for the RA parser).
// Only tests import it.
package testcaptures

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/v6diag/v6diag/internal/testtools/testbed"
)

// Files returns every .pcap and .pcapng file under the module (testdata
// folders of every package; fuzz corpora excluded, they hold fuzz values,
// not files) and in the shared corpus of real captures next to the
// repository (../shared/captures), sorted. It fails the test when it finds
// none: a cross-check that checks nothing must not pass.
func Files(tb testing.TB) []string {
	tb.Helper()
	root, err := testbed.RepoRoot()
	if err != nil {
		tb.Fatal(err)
	}
	var files []string
	walk := func(dir string) {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (d.Name() == "fuzz" || d.Name() == ".git") {
				return filepath.SkipDir
			}
			if ext := filepath.Ext(path); !d.IsDir() && (ext == ".pcap" || ext == ".pcapng") {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			tb.Fatalf("testcaptures: %v", err)
		}
	}
	walk(root)
	if shared := filepath.Join(root, "..", "shared", "captures"); isDir(shared) {
		walk(shared)
	} else {
		tb.Logf("testcaptures: %s not found; only the module's own captures are checked", shared)
	}
	if len(files) == 0 {
		tb.Fatal("testcaptures: no capture files found")
	}
	slices.Sort(files)
	return files
}

// Name is a file's name for test output: its path below the module's
// parent, e.g. "v6diag/diag/testdata/kea-healthy.pcapng".
func Name(path string) string {
	root, err := testbed.RepoRoot()
	if err != nil {
		return path
	}
	if rel, err := filepath.Rel(filepath.Dir(root), path); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return path
}

func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

// Diffs gathers the fields two decoders of the same bytes read
// differently, for the oracle tests' messages.
type Diffs struct {
	ours, theirs string
	list         []string
}

// NewDiffs names the two decoders, e.g. "Decode" and "gopacket".
func NewDiffs(ours, theirs string) *Diffs { return &Diffs{ours: ours, theirs: theirs} }

// Check records what when the two readings, o and t, are not the same.
func (d *Diffs) Check(what string, same bool, o, t any) {
	if !same {
		d.list = append(d.list, fmt.Sprintf("%s: %s %v, %s %v", what, d.ours, o, d.theirs, t))
	}
}

// Add records a difference already put in words.
func (d *Diffs) Add(s string) { d.list = append(d.list, s) }

// String is every difference, "" when there is none.
func (d *Diffs) String() string { return strings.Join(d.list, "; ") }
