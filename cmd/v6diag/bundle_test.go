package main

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/v6diag/v6diag/diag"
	"github.com/v6diag/v6diag/report"
)

// TestBundleKeepsSecretsOut plants a PPPoE password in a config, lets it
// reach the report through a note (as an error message quoting the config
// would) and network.diff, and greps every file written and every member
// of report.tar.gz. network.suggested must never be bundled.
func TestBundleKeepsSecretsOut(t *testing.T) {
	const password = "Pl4nted-Secret-99"
	dir := t.TempDir()
	cfg := filepath.Join(dir, "network")
	os.WriteFile(cfg, []byte("config interface 'wan'\n\toption proto 'pppoe'\n\toption password '"+password+"'\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "network.diff"), []byte("@@ -1,3 +1,4 @@\n \toption proto 'pppoe'\n-\toption password '"+password+"'\n+\toption password '"+password+"'\n+\toption reqprefix '56'\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "network.suggested"), []byte("option password '"+password+"'\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "capture.pcapng"), []byte("not really a capture"), 0o600)
	doc := report.NewDocument(report.Run{Tool: "v6diag", Version: "test", Mode: "analyze",
		Notes: []string{"could not parse " + cfg + ": line 3 near '" + password + "'"}}, &diag.Result{})
	for _, redact := range []bool{false, true} {
		rs, err := prepareReport(doc, reportOptions{redact: redact}, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if err := writeReports(dir, rs); err != nil {
			t.Fatal(err)
		}
		notes, err := rs.writeBundle(dir, filepath.Join(dir, "capture.pcapng"), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range reportFiles {
			b, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(b), password) {
				t.Errorf("redact=%v: %s holds the password", redact, name)
			}
			if st, _ := os.Stat(filepath.Join(dir, name)); st.Mode().Perm() != 0o600 {
				t.Errorf("%s mode %v", name, st.Mode().Perm())
			}
		}
		f, _ := os.Open(filepath.Join(dir, bundleName))
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		tr := tar.NewReader(zr)
		var members []string
		for {
			h, err := tr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(tr)
			members = append(members, h.Name)
			if strings.Contains(string(b), password) {
				t.Errorf("redact=%v: bundle member %s holds the password", redact, h.Name)
			}
		}
		f.Close()
		got := strings.Join(members, ",")
		want := "report.txt,report.json,report.md,report.html,network.diff,capture.pcapng"
		if redact {
			want = "report.txt,report.json,report.md,report.html,network.diff"
			if len(notes) == 0 || !strings.Contains(notes[0], "--redact-keep-pcap") {
				t.Errorf("no note on the capture left out: %v", notes)
			}
		}
		if got != want {
			t.Errorf("redact=%v: members %s, want %s", redact, got, want)
		}
	}
}

// TestHoldsAnyAcrossPieces: a secret is found wherever it sits in a
// capture read piece by piece, across the 64 KB boundary too.
func TestHoldsAnyAcrossPieces(t *testing.T) {
	const secret = "Pl4nted-Secret-99"
	dir := t.TempDir()
	for _, at := range []int{0, 64<<10 - 5, 64 << 10, 200<<10 + 3, -1} {
		b := make([]byte, 300<<10)
		if at >= 0 {
			copy(b[at:], secret)
		}
		path := filepath.Join(dir, "capture.pcap")
		os.WriteFile(path, b, 0o600)
		found, err := holdsAny(path, []string{"other-secret", secret})
		if err != nil || found != (at >= 0) {
			t.Errorf("secret at %d: holdsAny = %v, %v", at, found, err)
		}
	}
}
