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

const analyzeUsage = `Usage: v6diag analyze [--out DIR] [--config FILE | --client-args ARGS] [--prefix-len N] [--redact] [--quiet] FILE

Diagnose a capture made elsewhere, e.g. on the router with
  tcpdump -i eth0.2 -w /tmp/wan.pcap icmp6 or port 546 or port 547
while 'ifup wan6' runs. Reads pcap and pcapng; link types Ethernet (with
802.1Q/802.1ad tags and PPPoE), Linux cooked (SLL, SLL2), raw IPv6 and PPP.
Writes report.txt, .json, .md, .html and report.tar.gz into the output folder. Frame numbers in
the report are the ones Wireshark shows for FILE. With the router's network
config (--config), it also writes network.suggested and network.diff.

The report says what the router's own DHCPv6 client, odhcp6c, gets from
the answers in FILE: with the arguments netifd derives from --config, or
those given with --client-args (e.g. '-Nforce -P48', as in
'odhcp6c -Nforce -P48 -t120 eth0.2'), else netifd's defaults.

Flags:
`

// analyzeFlags are the flags of `v6diag analyze`.
type analyzeFlags struct {
	out        string
	config     string
	clientArgs string
	prefixLen  int
	quiet      bool
	rep        reportOptions
}

// newAnalyzeFlags defines analyze's flags on a new FlagSet; the help text is
// generated from it, so it names every flag there is.
func newAnalyzeFlags(f *analyzeFlags) *flag.FlagSet {
	fl := flag.NewFlagSet("analyze", flag.ContinueOnError)
	fl.StringVar(&f.out, "out", "", "write the report into `DIR` (default: a new folder under /tmp)")
	fl.StringVar(&f.config, "config", defaultNetConfig, "the router's network config `FILE`, for network.suggested and network.diff (never written)")
	fl.StringVar(&f.clientArgs, "client-args", "", "the router's odhcp6c `ARGS` (e.g. '-Nforce -P48'), instead of those netifd derives from --config")
	fl.IntVar(&f.prefixLen, "prefix-len", 0, "the prefix size `N` you want from the ISP (default: the hint the capture's client sent)")
	fl.BoolVar(&f.quiet, "quiet", false, "print only the verdict line")
	addReportFlags(fl, &f.rep)
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
	if fa.prefixLen < 0 || fa.prefixLen > 128 {
		return 0, usageError{"--prefix-len must be between 0 and 128"}
	}
	nc, err := loadRouterConfig(fa.config, flagWasSet(fl, "config"))
	if err != nil {
		return 0, err
	}
	facts := diag.Facts{WantedPrefixLength: fa.prefixLen, RouterClient: routerClientFacts(nc, "", os.DirFS("/"))}
	if flagWasSet(fl, "client-args") {
		if facts.RouterClient, err = clientArgsFacts(fa.clientArgs); err != nil {
			return 0, err
		}
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
	// The link's framing is observed in the same pass: reading a large
	// capture twice doubled analyze's time (scripts/bench-analyze.sh).
	an, readErr := diag.AnalyzeFrames(rd, facts)
	res := an.Result
	if readErr != nil && res.Stats.Frames == 0 {
		return 0, cannotRun{fmt.Errorf("%s: %w", path, readErr), "the file is damaged or not a capture"}
	}
	out, err := outputDir(fa.out)
	if err != nil {
		return 0, err
	}
	run := report.Run{Tool: "v6diag", Version: version, Mode: "analyze", Started: started.UTC(), Duration: time.Since(started), Source: path}
	// A file cut short is a finding of its own (capture-cut-short); other
	// damage ends the reading with a note.
	var cut *capture.CutShortError
	if readErr != nil && !errors.As(readErr, &cut) {
		run.Notes = append(run.Notes, fmt.Sprintf("the capture ends in damage after frame %d: %v", res.Stats.Frames, readErr))
	}
	run.Framing = &an.Link
	return deliver(delivery{doc: report.NewDocument(run, res), verdict: res.Verdict, nc: nc, rep: fa.rep, config: fa.config,
		dir: out.path, capture: path, started: started, quiet: fa.quiet,
		undo: func(configWritten bool) {
			if configWritten {
				out.discard(configFiles...)
				return
			}
			out.discard()
		}}, stdout)
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
