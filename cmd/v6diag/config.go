package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/v6diag/v6diag/report"
	"github.com/v6diag/v6diag/uciconfig"
)

// defaultNetConfig is where OpenWrt keeps the network config.
const defaultNetConfig = "/etc/config/network"

// maxNetConfig bounds the network config read: a real one is a few KiB,
// and the suggestion's diff grows with the square of the lines changed.
const maxNetConfig = 1 << 20

// Files a suggestion writes into the output folder. network.suggested is
// the whole file, secrets included, for the router; network.diff shows
// the change with secrets masked, and is the one to share; network.uci is
// the change as `uci batch` commands, which name only what changes.
const (
	suggestedName = "network.suggested"
	diffName      = "network.diff"
	batchName     = "network.uci"
)

// configFiles are what discard removes when a run fails after writing them.
var configFiles = []string{suggestedName, diffName, batchName}

// flagWasSet reports whether the command line named flag name.
func flagWasSet(fl *flag.FlagSet, name string) bool {
	set := false
	fl.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// loadNetConfig reads and parses the network config at path. A missing
// file is fine when the path is the default (v6diag may run on a machine
// that is not OpenWrt): the config is then empty, with a note. A missing
// file named with --config, an unreadable one or a syntax error stop the
// command before it creates anything.
// errConfigSyntax marks a network config that does not parse.
var errConfigSyntax = errors.New("not valid UCI")

// loadRouterConfig is loadNetConfig for analyze: a config that does not
// parse does not stop it (issue 10: a note, and netifd's defaults for the
// router's client); it only leaves it without a file to suggest changes
// to. run stays strict: on the router the file is also where the router's
// own DUID is configured, which v6diag must know to never send it.
func loadRouterConfig(path string, explicit bool) (netConfig, error) {
	nc, err := loadNetConfig(path, explicit)
	if errors.Is(err, errConfigSyntax) {
		nc.file = nil
		nc.note = fmt.Sprintf("%v: v6diag assumes netifd's defaults for wan6 and suggests no config", errors.Unwrap(err))
		nc.unreadable = true
		return nc, nil
	}
	return nc, err
}

func loadNetConfig(path string, explicit bool) (netConfig, error) {
	return loadNetConfigIn(path, explicit, openwrtUCIDirs())
}

// uciDirs are where uci(1) keeps a config by name (libuci's confdir), an
// override of it (conf2dir, uci 2024 and later) and the changes not yet
// committed (savedir).
type uciDirs struct {
	conf, override, save string
}

// openwrtUCIDirs are libuci's defaults on OpenWrt (uci_config.h).
func openwrtUCIDirs() uciDirs {
	return uciDirs{conf: "/etc/config", override: "/var/run/uci", save: "/tmp/.uci"}
}

// loadNetConfigIn is loadNetConfig with uci's folders named. When path is
// the network config in dirs.conf — the default, or named so with
// --config — v6diag reads it as `uci show network` does: from the
// override folder when a file is there (uci_file_load in libuci's file.c),
// with the uncommitted changes in dirs.save/network applied (delta.c,
// uci_load_delta), and says so in a note. A --config file anywhere else is
// read as it is: uci, too, applies no change file to a config it is given
// by path.
func loadNetConfigIn(path string, explicit bool, dirs uciDirs) (netConfig, error) {
	nc := netConfig{path: path}
	byName := filepath.Clean(path) == filepath.Join(dirs.conf, "network")
	if byName {
		override := filepath.Join(dirs.override, "network")
		if st, err := os.Stat(override); err == nil && st.Mode().IsRegular() {
			nc.notes = append(nc.notes, fmt.Sprintf("network config: read %s, which overrides %s for uci", override, path))
			path = override
		}
	}
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && !explicit:
		nc.note = fmt.Sprintf("no network config at %s: no suggested network config (name one with --config)", path)
		return nc, nil
	case errors.Is(err, fs.ErrNotExist):
		return nc, cannotRun{fmt.Errorf("--config %s: no such file", path), "name the router's network config, e.g. --config /etc/config/network, or a copy of it"}
	case err != nil:
		return nc, cannotRun{fmt.Errorf("--config %s: %w", path, err), "check the path and that you may read it"}
	case st.IsDir():
		return nc, cannotRun{fmt.Errorf("--config %s is a folder", path), "name the file itself, e.g. --config /etc/config/network"}
	case st.Size() > maxNetConfig:
		return nc, cannotRun{fmt.Errorf("--config %s is %d KiB, too large for a network config", path, st.Size()>>10), "name the router's /etc/config/network"}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nc, cannotRun{fmt.Errorf("--config %s: %w", path, err), "check the path and that you may read it"}
	}
	file, err := uciconfig.Parse(b)
	if err != nil {
		var se *uciconfig.SyntaxError
		if errors.As(err, &se) {
			return nc, cannotRun{fmt.Errorf("%s line %d: %s: %w", path, se.Line, se.Msg, errConfigSyntax),
				"fix that line (check with 'uci show network'), or name another file with --config"}
		}
		return nc, cannotRun{fmt.Errorf("%s: %w", path, err), "fix the file, or name another file with --config"}
	}
	nc.file, nc.raw = file, b
	if byName {
		nc.applyChanges(filepath.Join(dirs.save, "network"))
	}
	return nc, nil
}

// applyChanges applies uci's uncommitted changes in deltaPath, when there
// are any, to the config, and notes it: the config v6diag reads, suggests
// for and diffs against is then the one uci shows, and network.uci, which
// uci batch applies on top of the same changes, stays true.
func (nc *netConfig) applyChanges(deltaPath string) {
	st, err := os.Stat(deltaPath)
	if err != nil || !st.Mode().IsRegular() || st.Size() == 0 {
		return
	}
	if st.Size() > maxNetConfig {
		nc.notes = append(nc.notes, fmt.Sprintf("network config: %s (uncommitted uci changes) is %d KiB, too large: not applied", deltaPath, st.Size()>>10))
		return
	}
	b, err := os.ReadFile(deltaPath)
	if err != nil {
		nc.notes = append(nc.notes, fmt.Sprintf("network config: uncommitted uci changes in %s not read: %v", deltaPath, err))
		return
	}
	d := uciconfig.ParseDelta(b, "network")
	applied, skipped := nc.file.ApplyDelta(d)
	if applied == 0 && d.Ignored == 0 && len(skipped) == 0 {
		return
	}
	raw := nc.file.Bytes()
	file, err := uciconfig.Parse(raw)
	if err != nil {
		// ApplyDelta renders what it edits canonically; this cannot happen.
		nc.notes = append(nc.notes, fmt.Sprintf("network config: uncommitted uci changes in %s not applied: %v", deltaPath, err))
		file, _ = uciconfig.Parse(nc.raw)
		nc.file = file
		return
	}
	nc.file, nc.raw = file, raw
	nc.notes = append(nc.notes, fmt.Sprintf("network config: %s has %d uncommitted uci change(s) in %s (uci set without uci commit); v6diag reads the config with them applied, as uci does, and its suggestion builds on them. netifd runs without them until 'uci commit network' and a reload.", nc.path, applied, deltaPath))
	if d.Ignored > 0 {
		nc.notes = append(nc.notes, fmt.Sprintf("network config: %d line(s) of %s ignored, as uci ignores them", d.Ignored, deltaPath))
	}
	for _, n := range skipped {
		nc.notes = append(nc.notes, "network config: "+n)
	}
}

// configSuggestion is the suggestion of one run, ready to write.
type configSuggestion struct {
	path string // the config it changes
	sg   *uciconfig.Suggestion
}

// suggestConfig computes the suggested config for a report and adds
// what it found to the report's notes, so report.txt says it too.
func suggestConfig(nc netConfig, doc *report.Document) (configSuggestion, error) {
	cs := configSuggestion{path: nc.path}
	doc.Notes = append(doc.Notes, nc.notes...)
	if nc.file == nil {
		if nc.note != "" {
			doc.Notes = append(doc.Notes, nc.note)
		}
		return cs, nil
	}
	if len(nc.file.Sections()) == 0 {
		// An empty file (/dev/null in tests, a wiped config) has nothing
		// to change and nothing to say on the terminal.
		doc.Notes = append(doc.Notes, fmt.Sprintf("the network config %s is empty: no suggested network config", nc.path))
		return cs, nil
	}
	adv, err := doc.Advice()
	if err != nil {
		return cs, fmt.Errorf("suggest a config: %w", err)
	}
	cs.sg, err = uciconfig.Suggest(nc.raw, adv)
	if err != nil {
		return cs, fmt.Errorf("suggest a config: %w", err)
	}
	doc.Notes = append(doc.Notes, cs.notes()...)
	return cs, nil
}

// notes say in the report what the suggestion is, or why there is none.
func (cs configSuggestion) notes() []string {
	var out []string
	if cs.sg.Changed() {
		var what []string
		for _, c := range cs.sg.Changes {
			if c.Option == "" {
				what = append(what, "adds interface "+c.Section)
				continue
			}
			what = append(what, fmt.Sprintf("%s.%s '%s'", c.Section, c.Option, c.New))
		}
		out = append(out, fmt.Sprintf("network config: v6diag suggests a change to %s in %s, %s and %s: %s", cs.path, suggestedName, diffName, batchName, strings.Join(what, ", ")))
		out = append(out, fmt.Sprintf("network config: apply it on the router with: %s", cs.sg.ApplyCommand(batchName)))
	}
	for _, n := range cs.sg.Notes {
		out = append(out, "network config: "+n)
	}
	return out
}

// write puts network.suggested, network.diff and network.uci into dir,
// mode 0600, when there is a change; nothing otherwise.
func (cs configSuggestion) write(dir string) error {
	if cs.sg == nil || !cs.sg.Changed() {
		return nil
	}
	for _, f := range []struct {
		name string
		data []byte
	}{
		{suggestedName, cs.sg.Bytes()},
		{diffName, cs.sg.Diff(cs.path, suggestedName)},
		{batchName, cs.sg.UCIBatch("network")},
	} {
		if err := writeFileAtomic(filepath.Join(dir, f.name), f.data); err != nil {
			return cannotRun{err, "check free space and permissions of the output folder"}
		}
	}
	return nil
}

// print says on the terminal where the suggestion is, or why there is
// none.
func (cs configSuggestion) print(w io.Writer, dir string, quiet bool) {
	if quiet || cs.sg == nil {
		return
	}
	if cs.sg.Changed() {
		fmt.Fprintf(w, "suggested network config: %s (what changes: %s)\n", filepath.Join(dir, suggestedName), filepath.Join(dir, diffName))
		fmt.Fprintf(w, "  apply on the router: %s\n", cs.sg.ApplyCommand(filepath.Join(dir, batchName)))
		return
	}
	for _, n := range cs.sg.Notes {
		fmt.Fprintf(w, "network config: %s\n", n)
	}
}

const configUsage = `Usage: v6diag config --from report.json [--config FILE] [--full] [--write FILE]

Prints the change v6diag suggests for a network config, from the
report.json of an earlier run (made on this router or elsewhere): a
unified diff against the config, each changed line with a comment saying
why. Notes go to stderr, so stdout is the diff alone.

Passwords, keys and other secrets are masked in everything printed. To
get the suggested file with them, use --write FILE (mode 0600, never an
existing file). v6diag never writes the config itself.

Exit status: 0 the suggestion was printed (or there is nothing to
change), 2 v6diag could not run.

Flags:
`

type configFlags struct {
	from   string
	config string
	full   bool
	write  string
}

func newConfigFlags(f *configFlags) *flag.FlagSet {
	fl := flag.NewFlagSet("config", flag.ContinueOnError)
	fl.StringVar(&f.from, "from", "", "the report.json (`FILE`) a run wrote")
	fl.StringVar(&f.config, "config", defaultNetConfig, "the network config `FILE` to suggest a change for (never written)")
	fl.BoolVar(&f.full, "full", false, "print the whole suggested file (secrets masked) instead of the diff")
	fl.StringVar(&f.write, "write", "", "also write the suggested file, secrets included, to the new `FILE` (mode 0600)")
	fl.Usage = func() {
		fmt.Fprint(fl.Output(), configUsage)
		fl.PrintDefaults()
	}
	return fl
}

func cmdConfig(args []string, stdout, stderr io.Writer) (int, error) {
	var f configFlags
	fl := newConfigFlags(&f)
	fl.SetOutput(stderr)
	rest, err := parseFlags(fl, args, stdout)
	if err != nil {
		return 0, err
	}
	if len(rest) > 0 {
		return 0, usageError{fmt.Sprintf("unexpected argument %q", rest[0])}
	}
	if f.from == "" {
		return 0, usageError{"name the report with --from, e.g. --from /tmp/v6diag-123/report.json"}
	}
	js, err := os.ReadFile(f.from)
	if err != nil {
		return 0, cannotRun{fmt.Errorf("--from: %w", err), "name the report.json a run wrote"}
	}
	adv, err := report.ReadAdvice(js)
	if err != nil {
		return 0, cannotRun{fmt.Errorf("%s: %w", f.from, err), "name the report.json a run wrote"}
	}
	// The config is needed here, so a missing default is an error too.
	nc, err := loadNetConfig(f.config, true)
	if err != nil {
		return 0, err
	}
	for _, n := range nc.notes {
		fmt.Fprintf(stderr, "note: %s\n", n)
	}
	sg, err := uciconfig.Suggest(nc.raw, adv)
	if err != nil {
		return 0, cannotRun{err, ""}
	}
	for _, n := range sg.Notes {
		fmt.Fprintf(stderr, "note: %s\n", n)
	}
	if !sg.Changed() {
		fmt.Fprintf(stderr, "nothing to change in %s\n", f.config)
		return exitOK, nil
	}
	if f.write != "" {
		if err := writeNewFile(f.write, sg.Bytes()); err != nil {
			return 0, err
		}
		fmt.Fprintf(stderr, "wrote %s\n", f.write)
	}
	out := sg.Diff(f.config, suggestedName)
	if f.full {
		out = sg.Masked()
	}
	if _, err := stdout.Write(out); err != nil {
		return 0, fmt.Errorf("print: %w", err)
	}
	return exitOK, nil
}

// writeNewFile creates path, which must not exist, with mode 0600: the
// suggested file holds the config's passwords, and --write must never
// replace the config or anything else.
func writeNewFile(path string, b []byte) error {
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return cannotRun{fmt.Errorf("--write %s: the file exists", path), "name a new file; v6diag never overwrites one"}
	}
	if err != nil {
		return cannotRun{fmt.Errorf("--write %s: %w", path, err), "name a new file in a writable folder"}
	}
	if _, err := fh.Write(b); err != nil {
		fh.Close()
		os.Remove(path)
		return cannotRun{fmt.Errorf("--write %s: %w", path, err), "check free space"}
	}
	if err := fh.Close(); err != nil {
		os.Remove(path)
		return cannotRun{fmt.Errorf("--write %s: %w", path, err), "check free space"}
	}
	return nil
}
