package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/v6diag/v6diag/capture"
	"github.com/v6diag/v6diag/diag"
	"github.com/v6diag/v6diag/report"
)

const analyzeUsage = `Usage: v6diag analyze [--out DIR] [--quiet] FILE

Diagnose a capture made elsewhere, e.g. on the router with
  tcpdump -i eth0.2 -w /tmp/wan.pcap icmp6 or port 546 or port 547
while 'ifup wan6' runs. Reads pcap and pcapng; link types Ethernet (with
802.1Q/802.1ad tags and PPPoE), Linux cooked (SLL, SLL2), raw IPv6 and PPP.
Writes report.txt and report.json into the output folder. Frame numbers in
the report are the ones Wireshark shows for FILE.

Flags:
`

// analyzeFlags are the flags of `v6diag analyze`.
type analyzeFlags struct {
	out   string
	quiet bool
}

// newAnalyzeFlags defines analyze's flags on a new FlagSet; the help text is
// generated from it, so it names every flag there is.
func newAnalyzeFlags(f *analyzeFlags) *flag.FlagSet {
	fl := flag.NewFlagSet("analyze", flag.ContinueOnError)
	fl.StringVar(&f.out, "out", "", "write the report into `DIR` (default: a new folder under /tmp)")
	fl.BoolVar(&f.quiet, "quiet", false, "print only the verdict line")
	fl.Usage = func() {
		fmt.Fprint(fl.Output(), analyzeUsage)
		fl.PrintDefaults()
	}
	return fl
}

func cmdAnalyze(args []string, stdout, stderr io.Writer) (int, error) {
	var fa analyzeFlags
	fl := newAnalyzeFlags(&fa)
	fl.SetOutput(stderr)
	files, err := parseFlags(fl, args, stdout)
	if err != nil {
		return 0, err
	}
	if len(files) != 1 {
		return 0, usageError{"name exactly one capture file"}
	}
	path := files[0]
	started := time.Now()
	f, err := os.Open(path)
	if err != nil {
		return 0, cannotRun{fmt.Errorf("open capture: %w", err), "check the path and that you may read it"}
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return 0, cannotRun{fmt.Errorf("%s is a folder", path), "name a .pcap or .pcapng file, not a folder"}
	}
	rd, err := capture.NewReader(f)
	if err != nil {
		return 0, cannotRun{fmt.Errorf("%s: %w", path, err), "give a pcap or pcapng file, as written by tcpdump -w"}
	}
	res, readErr := analyzeFrames(rd, diag.Facts{})
	if readErr != nil && res.Stats.Frames == 0 {
		return 0, cannotRun{fmt.Errorf("%s: %w", path, readErr), "the file is damaged or not a capture"}
	}
	out, err := outputDir(fa.out)
	if err != nil {
		return 0, err
	}
	dir := out.path
	run := report.Run{Tool: "v6diag", Version: version, Mode: "analyze", Started: started.UTC(), Duration: time.Since(started), Source: path}
	if readErr != nil {
		run.Notes = append(run.Notes, fmt.Sprintf("the capture ends in damage after frame %d: %v", res.Stats.Frames, readErr))
	}
	doc := report.NewDocument(run, res)
	if err := writeReports(dir, doc); err != nil {
		out.discard()
		return 0, err
	}
	if fa.quiet {
		fmt.Fprintf(stdout, "verdict: %s — %s\n", doc.Verdict.Code, doc.Verdict.Summary)
	} else if err := report.WriteSummary(stdout, doc, dir); err != nil {
		return 0, fmt.Errorf("print summary: %w", err)
	}
	return exitFor(res.Verdict), nil
}

// errHelp marks a --help request, which exits 0 after printing usage.
var errHelp = errors.New("help requested")

// parseFlags parses flags wherever they stand among the arguments (so
// `analyze FILE --out DIR` works) and returns the positional arguments.
// Help goes to stdout and exits 0; a bad flag is one line on stderr.
func parseFlags(fl *flag.FlagSet, args []string, stdout io.Writer) ([]string, error) {
	for _, a := range args {
		if a == "--" {
			break
		}
		if a == "-h" || a == "-help" || a == "--help" {
			fl.SetOutput(stdout)
			fl.Usage()
			return nil, errHelp
		}
	}
	fl.SetOutput(io.Discard)
	var positional []string
	for {
		if err := fl.Parse(args); err != nil {
			return nil, usageError{err.Error()}
		}
		rest := fl.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		// Parse consumed a "--": everything after it is positional.
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// analyzeFrames feeds every frame of rd to one analysis, the pipeline that
// `run` and `analyze` share. It returns the result of what was read, and
// the error that ended reading early, if any: frames before damage count.
func analyzeFrames(rd *capture.Reader, facts diag.Facts) (*diag.Result, error) {
	a := diag.NewAnalyzer(facts)
	for {
		fr, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return a.Finish(), nil
		}
		if err != nil {
			return a.Finish(), err
		}
		a.Add(fr)
	}
}
