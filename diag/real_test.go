package diag

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// realCapture is one row of testdata/real/SOURCES.tsv: a real capture and
// the reading an expert gives it.
type realCapture struct {
	file, where, origin     string
	verdict                 Code
	want, absent, delegated []string
	reading                 string
}

func readRealCaptures(t *testing.T) []realCapture {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "real", "SOURCES.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []realCapture
	sc := bufio.NewScanner(f)
	header := true
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		c := strings.Split(line, "\t")
		if len(c) != 10 {
			t.Fatalf("SOURCES.tsv: %d columns in %q", len(c), line)
		}
		if header {
			header = false
			continue
		}
		rc := realCapture{file: c[0], where: c[1], origin: c[2], verdict: Code(c[6]), reading: c[9]}
		for _, id := range strings.Fields(c[7]) {
			if strings.HasPrefix(id, "!") {
				rc.absent = append(rc.absent, id[1:])
			} else {
				rc.want = append(rc.want, id)
			}
		}
		if c[8] != "-" {
			rc.delegated = strings.Fields(c[8])
		}
		if c[3] == "" || c[4] == "" || c[5] == "" || rc.reading == "" {
			t.Errorf("SOURCES.tsv: %s lacks its path, commit, licence or reading", rc.file)
		}
		out = append(out, rc)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRealCaptures runs every real capture of testdata/real/SOURCES.tsv —
// OpenWrt's odhcp6c recorded against Kea and radvd, and the public
// projects' captures in ../shared/captures — through the analysis `v6diag
// analyze` makes, and checks the expert's reading: the verdict, the
// findings that must and must not be there, and what was delegated.
func TestRealCaptures(t *testing.T) {
	rows := readRealCaptures(t)
	listed := map[string]bool{}
	for _, rc := range rows {
		listed[rc.file] = true
		t.Run(rc.file, func(t *testing.T) {
			path := filepath.Join("testdata", "real", rc.file)
			if rc.where == "shared" {
				path = filepath.Join("..", "..", "shared", "captures", rc.file)
			}
			if _, err := os.Stat(path); err != nil {
				if rc.where == "testdata" {
					t.Fatal(err)
				}
				t.Skipf("%s (from %s) is not here: %v", rc.file, rc.origin, err)
			}
			r := analyzeFile(t, path, Facts{})
			if r.Verdict.Code != rc.verdict {
				t.Errorf("verdict %s (%s); the reading is %s: %s", r.Verdict.Code, r.Verdict.Summary, rc.verdict, rc.reading)
			}
			for _, id := range rc.want {
				if finding(r, id) == nil {
					t.Errorf("finding %s missing; have %v", id, findingIDs(r))
				}
			}
			for _, id := range rc.absent {
				if f := finding(r, id); f != nil {
					t.Errorf("finding %s present: %s", id, f.Summary)
				}
			}
			got := append(prefixes(r.DelegatedPrefixes), prefixes(r.Addresses)...)
			if !slices.Equal(got, rc.delegated) {
				t.Errorf("delegated %v, want %v", got, rc.delegated)
			}
		})
	}
	// Every recording in the folder has its reading.
	entries, err := os.ReadDir(filepath.Join("testdata", "real"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != "SOURCES.tsv" && !listed[e.Name()] {
			t.Errorf("testdata/real/%s has no row in SOURCES.tsv", e.Name())
		}
	}
}
