package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/v6diag/v6diag/diag"
	"github.com/v6diag/v6diag/report"
)

// outDir is the output folder of one run and the folders the run created
// for it, so a run that fails can take back what it made and nothing else.
type outDir struct {
	path string
	made []string // created by this run, deepest first
}

// reportFiles are the files writeReports and writeBundle write, in order.
var reportFiles = []string{"report.txt", "report.json", "report.md", "report.html", bundleName}

// discard removes the report files and the named extra files from the
// folder, then the folders this run created if they are now empty. A
// folder named with --out that existed before is never removed: it may
// hold the user's own files.
func (o outDir) discard(extra ...string) {
	for _, name := range append(append([]string(nil), reportFiles...), extra...) {
		os.Remove(filepath.Join(o.path, name))
	}
	for _, d := range o.made {
		os.Remove(d) // fails, harmlessly, unless empty
	}
}

// outputDir creates the output folder: the named one, or a new one under
// /tmp (RAM on OpenWrt, never flash). 0700: reports name the line's MAC
// and DUID.
func outputDir(named string) (outDir, error) {
	if named == "" {
		dir, err := os.MkdirTemp("/tmp", "v6diag-")
		if err != nil {
			return outDir{}, cannotRun{fmt.Errorf("create output folder under /tmp: %w", err), "free some space in /tmp or name a folder with --out"}
		}
		o := outDir{path: dir, made: []string{dir}}
		if err := checkFreeSpace(dir); err != nil {
			o.discard()
			return outDir{}, err
		}
		return o, nil
	}
	o := outDir{path: named}
	// Note which folders do not exist yet, deepest first, before MkdirAll
	// makes them.
	for d := filepath.Clean(named); ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); err == nil || !errors.Is(err, fs.ErrNotExist) {
			break
		}
		o.made = append(o.made, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	if err := os.MkdirAll(named, 0o700); err != nil {
		o.discard()
		return outDir{}, cannotRun{fmt.Errorf("create output folder: %w", err), "choose a writable folder with --out"}
	}
	probe, err := os.CreateTemp(named, ".v6diag-write-test-")
	if err != nil {
		o.discard()
		return outDir{}, cannotRun{fmt.Errorf("output folder %s is not writable: %w", named, err), "choose a writable folder with --out"}
	}
	probe.Close()
	os.Remove(probe.Name())
	if err := checkFreeSpace(named); err != nil {
		o.discard()
		return outDir{}, err
	}
	return o, nil
}

// writeReports writes every report format, each atomically, so a failed
// write leaves no half-written report behind; the caller discards the
// others. Each is rendered straight into its file through the secret
// scrubber, one at a time: holding the four renderings (a report.json of
// megabytes on a large capture) and their scrubbed copies at once set
// analyze's peak memory (scripts/bench-analyze.sh).
func writeReports(dir string, rs reportSet) error {
	writers := []struct {
		name  string
		write func(io.Writer, report.Document) error
	}{
		{"report.txt", report.WriteText},
		{"report.json", report.WriteJSON},
		{"report.md", report.WriteMarkdown},
		{"report.html", report.WriteHTML},
	}
	for _, w := range writers {
		var renderErr error
		err := writeAtomic(filepath.Join(dir, w.name), func(out io.Writer) error {
			s := report.NewSecretScrubber(out, rs.secrets)
			if renderErr = w.write(s, rs.doc); renderErr != nil {
				return renderErr
			}
			return s.Close()
		})
		if renderErr != nil {
			return renderErr
		}
		if err != nil {
			return cannotRun{err, "check free space and permissions of the output folder"}
		}
	}
	return nil
}

// writeFileAtomic writes b to path as writeAtomic does.
func writeFileAtomic(path string, b []byte) error {
	return writeAtomic(path, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

// writeAtomic writes path, mode 0600, with what write puts into a
// temporary file beside it, renamed into place only when all went well: a
// reader never sees half a file. Writers gather their output themselves
// (report.SecretScrubber, gzip), so there is no buffer here.
func writeAtomic(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"-")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := write(tmp); err != nil {
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
