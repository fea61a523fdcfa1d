package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// TestRunBrokenNetConfig: a network config with a syntax error stops `run`
// before it creates anything (loadNetConfig): one line naming the file,
// the line and the fault, and how to go on; exit 2. (The file is where the
// router's own DUID lives, which v6diag must never use.)
func TestRunBrokenNetConfig(t *testing.T) {
	tmp := t.TempDir()
	tests := []struct {
		name string
		body string
		want []string
	}{
		{"unterminated quote", "config interface 'wan6'\n\toption device 'eth0.2'\n\toption proto 'dhcpv6\n",
			[]string{"line 3", "unterminated"}},
		{"option before any section", "option device eth0\n", []string{"line 1", "before the first config section"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			config := filepath.Join(tmp, strings.ReplaceAll(tc.name, " ", "-"))
			if err := os.WriteFile(config, []byte(tc.body), 0o644); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "out")
			code, stdout, stderr := invoke("run", "-i", "eth0.2", "--config", config, "--out", out)
			if code != exitCannot || stdout != "" {
				t.Errorf("exit %d, stdout %q; want 2 and nothing", code, stdout)
			}
			if strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "v6diag run: "+config) {
				t.Errorf("stderr %q; want one line starting with the file", stderr)
			}
			for _, w := range append(tc.want, "uci show network", "--config") {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q does not contain %q", stderr, w)
				}
			}
			if _, err := os.Lstat(out); !os.IsNotExist(err) {
				t.Errorf("output folder left behind (%v)", err)
			}
		})
	}
}

// TestCheckCapture reads CapEff from /proc/self/status: without
// CAP_NET_RAW the run stops with a line saying to run as root.
func TestCheckCapture(t *testing.T) {
	status := func(capEff string) fstest.MapFS {
		return fstest.MapFS{"proc/self/status": {Data: []byte("Name:\tv6diag\nCapInh:\t0000000000000000\nCapEff:\t" + capEff + "\nCapBnd:\t000001ffffffffff\n")}}
	}
	tests := []struct {
		name string
		root fstest.MapFS
		ok   bool
	}{
		{"root", status("000001ffffffffff"), true},
		{"only CAP_NET_RAW", status("0000000000002000"), true},
		{"nobody", status("0000000000000000"), false},
		{"CAP_NET_ADMIN without CAP_NET_RAW", status("0000000000001000"), false},
		{"no /proc: the capture will tell", fstest.MapFS{}, true},
		{"garbled: the capture will tell", status("zz"), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := checkCapture(tc.root)
			if tc.ok {
				if err != nil {
					t.Errorf("checkCapture = %v; want nil", err)
				}
				return
			}
			var cr cannotRun
			if !errors.As(err, &cr) || !strings.Contains(err.Error(), "needs root") || !strings.Contains(err.Error(), "run it as root") {
				t.Errorf("checkCapture = %v; want a cannotRun saying to run as root", err)
			}
		})
	}
}

// TestCheckFreeSpace: a folder with room passes (the full case needs a
// tiny file system: e2e TestBadUserInputAnalyze mounts one).
func TestCheckFreeSpace(t *testing.T) {
	if err := checkFreeSpace(t.TempDir()); err != nil {
		t.Skipf("the test machine's temp folder is nearly full: %v", err)
	}
	if err := checkFreeSpace(filepath.Join(t.TempDir(), "missing")); err != nil {
		t.Errorf("checkFreeSpace(missing) = %v; want nil (the writes will say)", err)
	}
}
