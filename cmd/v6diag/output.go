package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/v6diag/v6diag/diag"
	"github.com/v6diag/v6diag/report"
)

// outputDir creates the output folder: the named one, or a new one under
// /tmp (RAM on OpenWrt, never flash). 0700: reports name the line's MAC
// and DUID.
func outputDir(named string) (string, error) {
	if named == "" {
		dir, err := os.MkdirTemp("/tmp", "v6diag-")
		if err != nil {
			return "", cannotRun{fmt.Errorf("create output folder under /tmp: %w", err), "free some space in /tmp or name a folder with --out"}
		}
		return dir, nil
	}
	if err := os.MkdirAll(named, 0o700); err != nil {
		return "", cannotRun{fmt.Errorf("create output folder: %w", err), "choose a writable folder with --out"}
	}
	probe, err := os.CreateTemp(named, ".v6diag-write-test-")
	if err != nil {
		return "", cannotRun{fmt.Errorf("output folder %s is not writable: %w", named, err), "choose a writable folder with --out"}
	}
	probe.Close()
	os.Remove(probe.Name())
	return named, nil
}

// writeReports writes report.txt and report.json atomically, so a failed
// write leaves no half-written report behind.
func writeReports(dir string, doc report.Document) error {
	var txt, js bytes.Buffer
	if err := report.WriteText(&txt, doc); err != nil {
		return err
	}
	if err := report.WriteJSON(&js, doc); err != nil {
		return err
	}
	for name, b := range map[string][]byte{"report.txt": txt.Bytes(), "report.json": js.Bytes()} {
		if err := writeFileAtomic(filepath.Join(dir, name), b); err != nil {
			return cannotRun{err, "check free space and permissions of the output folder"}
		}
	}
	return nil
}

func writeFileAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"-")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o600); err != nil && !errors.Is(err, fs.ErrNotExist) {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func exitFor(v diag.Verdict) int {
	if v.Code == diag.CodeOK {
		return exitOK
	}
	return exitProblem
}
