package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"github.com/v6diag/v6diag/internal/entropy"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/v6diag/v6diag/capture"
	"github.com/v6diag/v6diag/hostinfo"
	"github.com/v6diag/v6diag/report"
)

// bundleName is the archive a user attaches to a ticket.
const bundleName = "report.tar.gz"

// maxBundledCapture bounds a capture file that `analyze` copies into the
// bundle: a whole-traffic tcpdump is no attachment.
const maxBundledCapture = 32 << 20

// reportOptions are the flags run and analyze share about the report.
type reportOptions struct {
	redact   bool
	keepPcap bool
}

// addReportFlags defines --redact and --redact-keep-pcap on fl.
func addReportFlags(fl *flag.FlagSet, o *reportOptions) {
	fl.BoolVar(&o.redact, "redact", false, "mask MACs (to the vendor OUI), DUIDs, IAIDs, EUI-64 ids and global prefixes (into 2001:db8::/32) for a public forum; "+bundleName+" then leaves the capture out")
	fl.BoolVar(&o.keepPcap, "redact-keep-pcap", false, "with --redact, put the unredacted capture into "+bundleName+" anyway")
}

// reportSet is what one run writes: the document as rendered (redacted
// with --redact) and the secrets to keep out of every file.
type reportSet struct {
	doc     report.Document
	secrets []string
	opts    reportOptions
	// redactor is kept for network.diff, so its tokens match the report's.
	redactor *report.Redactor
}

// prepareReport redacts the document when asked and reads the secrets of
// the network config, so that no file written later can carry them.
func prepareReport(doc report.Document, o reportOptions, configPath string) (reportSet, error) {
	rs := reportSet{doc: doc, opts: o}
	if configPath != "" {
		if b, err := os.ReadFile(configPath); err == nil {
			rs.secrets = report.SecretValues(b)
		}
	}
	if o.redact {
		key := make([]byte, 32)
		if err := entropy.Read(key); err != nil {
			return rs, cannotRun{fmt.Errorf("redact: %w", err), ""}
		}
		rs.redactor = report.NewRedactor(key)
		rs.doc = rs.redactor.Document(doc)
		rs.doc.Notes = append(rs.doc.Notes, "redacted for a public forum: MACs, DUIDs, IAIDs, EUI-64 interface ids and global prefixes are masked consistently within this report")
	}
	return rs, nil
}

// writeBundle writes report.tar.gz into dir: the report files as written,
// the capture (unless --redact without --redact-keep-pcap, or it holds a
// secret), and network.diff and network.uci if present, scrubbed of secrets (and redacted
// with --redact). network.suggested never goes in: it is the whole config,
// passwords included. It returns notes on what was left out. The members
// are streamed from their files into the archive, which is streamed into
// its file: a 32 MB capture is never read whole into memory.
func (rs reportSet) writeBundle(dir, capturePath string, modTime time.Time) ([]string, error) {
	var notes []string
	var files []report.BundleFile
	var opened []*os.File
	defer func() {
		for _, f := range opened {
			f.Close()
		}
	}()
	// member opens a file for the bundle; its size is taken now, and
	// WriteBundle fails if the file then shrinks.
	member := func(name, path string) (report.BundleFile, error) {
		f, err := os.Open(path)
		if err != nil {
			return report.BundleFile{}, err
		}
		opened = append(opened, f)
		st, err := f.Stat()
		if err != nil {
			return report.BundleFile{}, err
		}
		return report.BundleFile{Name: name, Body: f, Size: st.Size()}, nil
	}
	for _, name := range reportFiles {
		if name == bundleName {
			continue
		}
		m, err := member(name, filepath.Join(dir, name))
		if err != nil {
			return nil, cannotRun{fmt.Errorf("bundle: %w", err), "check the output folder"}
		}
		files = append(files, m)
	}
	for _, name := range []string{diffName, batchName} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			continue
		}
		b = report.ScrubSecrets(b, rs.secrets)
		if rs.redactor != nil {
			b = []byte(rs.redactor.Text(string(b)))
		}
		files = append(files, report.BundleFile{Name: name, Data: b})
	}
	switch {
	case capturePath == "":
	case rs.opts.redact && !rs.opts.keepPcap:
		notes = append(notes, "the capture is not in "+bundleName+" (--redact); add --redact-keep-pcap to include it unredacted")
	default:
		name := "capture.pcapng"
		if strings.HasSuffix(capturePath, ".pcap") {
			name = "capture.pcap"
		}
		m, err := member(name, capturePath)
		if err == nil && m.Size > maxBundledCapture {
			err = fmt.Errorf("%s is %d MB, more than %d MB; attach it separately", capturePath, m.Size>>20, maxBundledCapture>>20)
		}
		var secret bool
		if err == nil {
			secret, err = holdsAny(capturePath, rs.secrets)
		}
		switch {
		case err != nil:
			notes = append(notes, fmt.Sprintf("the capture is not in %s: %v", bundleName, err))
		case secret:
			notes = append(notes, "the capture is not in "+bundleName+": it holds a password from the network config")
		default:
			files = append(files, m)
		}
	}
	err := writeAtomic(filepath.Join(dir, bundleName), func(w io.Writer) error {
		return report.WriteBundle(w, files, modTime)
	})
	if err != nil {
		return nil, cannotRun{err, "check free space and permissions of the output folder"}
	}
	return notes, nil
}

// holdsAny reports whether the file at path holds one of the secrets,
// reading it in pieces that overlap by the longest secret.
func holdsAny(path string, secrets []string) (bool, error) {
	longest := 0
	for _, s := range secrets {
		longest = max(longest, len(s))
	}
	if longest == 0 {
		return false, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	buf := make([]byte, 0, 64<<10+longest)
	for {
		n, err := f.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		for _, s := range secrets {
			if bytes.Contains(buf, []byte(s)) {
				return true, nil
			}
		}
		if errors.Is(err, io.EOF) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		// Keep the tail a secret may continue from.
		if keep := longest - 1; len(buf) > keep {
			buf = buf[:copy(buf, buf[len(buf)-keep:])]
		}
	}
}

// liveFacts adds what the router says about itself and its WAN device to
// a live run's report: model, release, kernel, VLAN tag, PPPoE.
func liveFacts(root fs.FS, ifc capture.Interface, run *report.Run) {
	if h, _ := hostinfo.Read(root); !h.Empty() {
		run.Host = &h
	}
	run.Built = buildTime()
	if run.Interface != nil {
		if v, ok := hostinfo.ReadVLAN(root, ifc.Name); ok {
			run.Interface.VLAN = &v
		}
		run.Interface.PPPoE = ifc.Type == capture.ARPHRDPPP && strings.HasPrefix(ifc.Name, "pppoe-")
	}
}

// buildTime is the commit time stamped into the binary by the Go
// toolchain, zero when it was built outside a checkout.
func buildTime() time.Time {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return time.Time{}
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.time" {
			// "2026-11-23T14:19:04Z", as git writes it; read by hand
			// rather than with time.Parse, whose layout machinery the
			// mips build has no room for.
			if t, ok := rfc3339UTC(s.Value); ok {
				return t
			}
		}
	}
	return time.Time{}
}

// summaryStyle colours the verdict only on a terminal that wants colour
// (https://no-color.org, TERM=dumb).
func summaryStyle(w io.Writer) report.Style {
	f, ok := w.(*os.File)
	if !ok {
		return report.Style{}
	}
	st, err := f.Stat()
	if err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return report.Style{}
	}
	if os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return report.Style{}
	}
	return report.Style{Color: true}
}

// printSummary prints the verdict line (--quiet) or the summary, from the
// document as written (redacted with --redact: the terminal is often
// pasted too), and what the bundle left out.
func (rs reportSet) printSummary(stdout io.Writer, dir string, quiet bool, bundleNotes []string) error {
	if quiet {
		_, err := fmt.Fprintf(stdout, "verdict: %s — %s\n", rs.doc.Verdict.Code, rs.doc.Verdict.Summary)
		return err
	}
	if err := report.WriteSummaryStyle(stdout, rs.doc, dir, summaryStyle(stdout)); err != nil {
		return fmt.Errorf("print summary: %w", err)
	}
	fmt.Fprintf(stdout, "attach: %s\n", filepath.Join(dir, bundleName))
	for _, n := range bundleNotes {
		fmt.Fprintf(stdout, "note: %s\n", n)
	}
	return nil
}

// rfc3339UTC reads "2026-11-23T14:19:04Z".
func rfc3339UTC(v string) (time.Time, bool) {
	if len(v) != 20 || v[4] != '-' || v[7] != '-' || v[10] != 'T' || v[13] != ':' || v[16] != ':' || v[19] != 'Z' {
		return time.Time{}, false
	}
	var n [6]int
	for i, span := range [6][2]int{{0, 4}, {5, 7}, {8, 10}, {11, 13}, {14, 16}, {17, 19}} {
		x, err := strconv.Atoi(v[span[0]:span[1]])
		if err != nil {
			return time.Time{}, false
		}
		n[i] = x
	}
	return time.Date(n[0], time.Month(n[1]), n[2], n[3], n[4], n[5], 0, time.UTC), true
}
