package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "v6diag")
	if err := os.WriteFile(bin, []byte("\x7fELF binary"), 0o755); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	err := run([]string{"-bin", bin, "-arch", "aarch64_generic", "-describe", "a238e74-dirty", "-commits", "9",
		"-time", "1795435200", "-license", "GPL-2.0-or-later", "-out", dir}, &stdout, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"v6diag_0_git9~a238e74-r1_aarch64_generic.ipk", "v6diag-0_git9~a238e74-r1.apk"} {
		fi, err := os.Stat(filepath.Join(dir, "aarch64_generic", name))
		if err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", name, err)
		}
		if !strings.Contains(stdout.String(), name) {
			t.Errorf("stdout does not name %s:\n%s", name, stdout.String())
		}
	}
	if !strings.Contains(stderr.String(), "uncommitted changes") {
		t.Errorf("no dirty-tree warning: %q", stderr.String())
	}
	if err := run([]string{"-bin", bin, "-arch", "x86_64", "-describe", "a238e74"}, &stdout, &stderr); err == nil {
		t.Error("ran without -license")
	}
}
