package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

// invoke runs the command in process, as main does.
func invoke(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func sharedCapture(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join("..", "..", "..", "shared", "captures", name)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared capture not found: %v", err)
	}
	return p
}

const (
	pppoeOK  = "zeek_zeek__testing_btest_Traces_pppoe.pcap"
	iaPDNoRA = "the-tcpdump-group_tcpdump__tests_dhcpv6-ia-pd.pcap"
)

func TestVersion(t *testing.T) {
	code, out, errs := invoke("version")
	want := "v6diag dev\n" + buildArch(packageArch, debug.ReadBuildInfo).String() + "\n"
	if code != exitOK || out != want || errs != "" {
		t.Errorf("version: exit %d, stdout %q, stderr %q; want 0, %q, nothing", code, out, errs, want)
	}
}

func TestNoArguments(t *testing.T) {
	code, out, errs := invoke()
	if code != exitCannot || out != "" || errs != topUsage {
		t.Errorf("no args: exit %d, stdout %q, stderr %q; want 2 and the usage on stderr", code, out, errs)
	}
}

func TestUnknownCommand(t *testing.T) {
	for _, args := range [][]string{{"frobnicate"}, {"help", "frobnicate"}} {
		code, out, errs := invoke(args...)
		if code != exitCannot || out != "" {
			t.Errorf("%q: exit %d, stdout %q; want 2, nothing", args, code, out)
		}
		if strings.Count(errs, "\n") != 1 || !strings.HasSuffix(errs, "\n") || !strings.Contains(errs, `"frobnicate"`) {
			t.Errorf("%q: stderr %q, want one line naming the command", args, errs)
		}
	}
}

// flagNames lists every flag a command's FlagSet defines.
func flagNames(fl *flag.FlagSet) []string {
	var names []string
	fl.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	return names
}

// TestHelp: help is on stdout, exits 0, and names every flag there is — it
// is generated from the same FlagSet the command parses with.
func TestHelp(t *testing.T) {
	runFlagSet := newRunFlags(&runFlags{})
	analyzeFlagSet := newAnalyzeFlags(&analyzeFlags{})
	tests := []struct {
		args  []string
		want  string   // start of the help text
		flags []string // each must appear as -NAME
	}{
		{[]string{"help"}, "v6diag — ", nil},
		{[]string{"--help"}, "v6diag — ", nil},
		{[]string{"-h"}, "v6diag — ", nil},
		{[]string{"help", "help"}, "v6diag — ", nil}, // once recursed forever
		{[]string{"help", "version"}, "v6diag — ", nil},
		{[]string{"run", "--help"}, "Usage: v6diag run", flagNames(runFlagSet)},
		{[]string{"run", "-h"}, "Usage: v6diag run", flagNames(runFlagSet)},
		{[]string{"run", "--timeout", "5s", "--help"}, "Usage: v6diag run", flagNames(runFlagSet)},
		{[]string{"help", "run"}, "Usage: v6diag run", flagNames(runFlagSet)},
		{[]string{"analyze", "--help"}, "Usage: v6diag analyze", flagNames(analyzeFlagSet)},
		{[]string{"analyze", "FILE", "-help"}, "Usage: v6diag analyze", flagNames(analyzeFlagSet)},
		{[]string{"help", "analyze"}, "Usage: v6diag analyze", flagNames(analyzeFlagSet)},
	}
	if n := len(flagNames(runFlagSet)); n != 14 {
		t.Errorf("run defines %d flags; update README's usage line and this test if that is intended", n)
	}
	for _, tc := range tests {
		code, out, errs := invoke(tc.args...)
		if code != exitOK || errs != "" {
			t.Errorf("%q: exit %d, stderr %q; want 0, nothing", tc.args, code, errs)
		}
		if !strings.HasPrefix(out, tc.want) {
			t.Errorf("%q: stdout starts %.40q, want %q", tc.args, out, tc.want)
		}
		for _, name := range tc.flags {
			if !strings.Contains(out, "  -"+name+" ") && !strings.Contains(out, "  -"+name+"\n") {
				t.Errorf("%q: help does not mention -%s", tc.args, name)
			}
		}
		if len(tc.flags) == 0 {
			for _, cmd := range []string{"v6diag run", "v6diag analyze", "v6diag version", "v6diag help"} {
				if !strings.Contains(out, cmd) {
					t.Errorf("%q: help does not mention %q", tc.args, cmd)
				}
			}
		}
	}
}

type reportJSON struct {
	Mode    string `json:"mode"`
	Verdict struct {
		Code string `json:"code"`
	} `json:"verdict"`
	Notes    []string `json:"notes"`
	Findings []struct {
		ID      string `json:"id"`
		Summary string `json:"summary"`
		Frames  []int  `json:"frames"`
	} `json:"findings"`
}

// checkReports asserts dir is 0700 and holds the report files and the
// bundle, each 0600, and returns report.json.
func checkReports(t *testing.T, dir string) reportJSON {
	t.Helper()
	st, err := os.Stat(dir)
	if err != nil {
		t.Fatalf("output folder: %v", err)
	}
	if got := st.Mode().Perm(); got != 0o700 {
		t.Errorf("%s has mode %o, want 700", dir, got)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "report.html report.json report.md report.tar.gz report.txt" {
		t.Errorf("%s holds %q, want the four reports and report.tar.gz only", dir, names)
	}
	for _, name := range names {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Error(err)
			continue
		}
		if got := st.Mode().Perm(); got != 0o600 {
			t.Errorf("%s has mode %o, want 600", name, got)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	var r reportJSON
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("report.json: %v", err)
	}
	return r
}

func TestAnalyzeHealthy(t *testing.T) {
	file := sharedCapture(t, pppoeOK)
	tests := []struct {
		name string
		args func(out string) []string
	}{
		{"flags first", func(out string) []string { return []string{"analyze", "--out", out, file} }},
		{"flags after the file", func(out string) []string { return []string{"analyze", file, "--out", out} }},
		{"after --", func(out string) []string { return []string{"analyze", "--out", out, "--", file} }},
		{"British spelling", func(out string) []string { return []string{"analyse", "-out=" + out, file} }},
		{"new nested folder", func(out string) []string { return []string{"analyze", "--out", filepath.Join(out, "a", "b"), file} }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			args := tc.args(out)
			code, stdout, stderr := invoke(args...)
			if code != exitOK || stderr != "" {
				t.Fatalf("%q: exit %d, stderr %q; want 0, nothing", args, code, stderr)
			}
			if !strings.HasPrefix(stdout, "verdict: ok — ") {
				t.Errorf("stdout does not start with the verdict:\n%s", stdout)
			}
			dir := out
			if tc.name == "new nested folder" {
				dir = filepath.Join(out, "a", "b")
			}
			if !strings.Contains(stdout, "report: "+dir+"\n") {
				t.Errorf("stdout does not name the output folder:\n%s", stdout)
			}
			r := checkReports(t, dir)
			if r.Verdict.Code != "ok" || r.Mode != "analyze" {
				t.Errorf("report.json: verdict %q mode %q, want ok, analyze", r.Verdict.Code, r.Mode)
			}
		})
	}
}

func TestAnalyzeProblem(t *testing.T) {
	file := sharedCapture(t, iaPDNoRA)
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := invoke("analyze", "--out", out, file)
	if code != exitProblem || stderr != "" {
		t.Fatalf("exit %d, stderr %q; want 1, nothing", code, stderr)
	}
	// A working delegation in a file without RS or RA: the default route
	// cannot be told, so the capture is incomplete; exit 1 all the same.
	if !strings.HasPrefix(stdout, "verdict: capture-incomplete — DHCPv6 works: prefix 2a00:1:1:100::/56") {
		t.Errorf("stdout:\n%s", stdout)
	}
	if r := checkReports(t, out); r.Verdict.Code != "capture-incomplete" {
		t.Errorf("report.json verdict %q", r.Verdict.Code)
	}
}

func TestAnalyzeQuiet(t *testing.T) {
	for _, tc := range []struct {
		file string
		code int
	}{{pppoeOK, exitOK}, {iaPDNoRA, exitProblem}} {
		file := sharedCapture(t, tc.file)
		out := filepath.Join(t.TempDir(), "out")
		code, stdout, stderr := invoke("analyze", "--quiet", file, "--out", out)
		if code != tc.code || stderr != "" {
			t.Errorf("%s: exit %d, stderr %q; want %d, nothing", tc.file, code, stderr, tc.code)
		}
		if strings.Count(stdout, "\n") != 1 || !strings.HasPrefix(stdout, "verdict: ") || !strings.HasSuffix(stdout, "\n") {
			t.Errorf("%s: --quiet printed %q, want one verdict line", tc.file, stdout)
		}
		checkReports(t, out)
	}
}

// pcapRecords returns the offsets where the records of a classic pcap file
// start, and where the file ends.
func pcapRecords(t *testing.T, b []byte) []int {
	t.Helper()
	var order binary.ByteOrder = binary.LittleEndian
	if binary.BigEndian.Uint32(b) == 0xa1b2c3d4 || binary.BigEndian.Uint32(b) == 0xa1b23c4d {
		order = binary.BigEndian
	}
	var offs []int
	for off := 24; off+16 <= len(b); off += 16 + int(order.Uint32(b[off+8:])) {
		offs = append(offs, off)
	}
	if len(offs) < 3 {
		t.Fatalf("only %d records", len(offs))
	}
	return offs
}

// TestAnalyzeTruncated: a capture cut in the middle of a record (the
// router's /tmp filled up, the copy was interrupted) is analysed up to the
// damage, the report names the frame the cut fell in, and a Reply the cut
// may have taken is "cannot tell", never "the Request got no Reply".
func TestAnalyzeTruncated(t *testing.T) {
	b, err := os.ReadFile(sharedCapture(t, pppoeOK))
	if err != nil {
		t.Fatal(err)
	}
	recs := pcapRecords(t, b)
	// Frame 38 is the Request, 39 its Reply (zeek's pppoe.pcap, tshark).
	tests := []struct {
		name    string
		end     int // where the file is cut
		frame   int // the frame the cut falls in
		verdict string
		says    string
	}{
		{"inside the last record", recs[len(recs)-1] + 16 + 3, len(recs), "ok", "delegated"},
		{"inside the Reply's record header", recs[38] + 9, 39, "capture-incomplete", "Cannot tell: the Request in frame 38 got no answer"},
		// 70 bytes of link, PPPoE, IPv6 and UDP headers, then 20 of the Reply.
		{"inside the Reply", recs[38] + 16 + 90, 39, "capture-incomplete", "Cannot tell: the server's Reply (frame 39)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cut := filepath.Join(t.TempDir(), "cut.pcap")
			if err := os.WriteFile(cut, b[:tt.end], 0o644); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "out")
			code, stdout, stderr := invoke("analyze", "--out", out, cut)
			if code != exitOK && code != exitProblem {
				t.Fatalf("exit %d, stderr %q; want a verdict (0 or 1)", code, stderr)
			}
			if stderr != "" || !strings.HasPrefix(stdout, "verdict: "+tt.verdict+" ") || !strings.Contains(stdout, tt.says) {
				t.Errorf("stdout %q, stderr %q; want verdict %s saying %q", stdout, stderr, tt.verdict, tt.says)
			}
			r := checkReports(t, out)
			var cutFinding string
			for _, f := range r.Findings {
				if f.ID == "capture-cut-short" {
					cutFinding = f.Summary
				}
				if f.ID == "dhcpv6-request-unanswered" {
					t.Errorf("finding %s: %s", f.ID, f.Summary)
				}
			}
			if want := fmt.Sprintf("ends inside frame %d", tt.frame); !strings.Contains(cutFinding, want) {
				t.Errorf("capture-cut-short %q, want it to say %q", cutFinding, want)
			}
			txt, err := os.ReadFile(filepath.Join(out, "report.txt"))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(txt), "cut short") {
				t.Errorf("report.txt does not mention the cut")
			}
		})
	}
}

// TestCannotRun: every way the tool cannot run exits 2 with exactly one
// line on stderr that says what to do, prints nothing on stdout, and leaves
// no output folder behind.
func TestCannotRun(t *testing.T) {
	good := sharedCapture(t, pppoeOK)
	pcap, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(tmp, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	text := write("notes.txt", []byte("this is not a capture\n"))
	empty := write("empty.pcap", nil)
	firstCut := write("first-cut.pcap", pcap[:24+16+10])
	headerCut := write("header-cut.pcap", pcap[:12])
	regular := write("regular", []byte("x"))
	folder := filepath.Join(tmp, "folder")
	if err := os.Mkdir(folder, 0o755); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		args []string // --out OUT is appended
		want []string // the line contains each
	}{
		{"no such file", []string{"analyze", filepath.Join(tmp, "nope.pcap")}, []string{"nope.pcap", "no such file", "check the path"}},
		{"a folder", []string{"analyze", folder}, []string{"folder", "is a folder", "name a .pcap"}},
		{"text file", []string{"analyze", text}, []string{"notes.txt", "not a pcap or pcapng", "give a pcap or pcapng file"}},
		{"empty file", []string{"analyze", empty}, []string{"empty.pcap", "give a pcap or pcapng file"}},
		{"header cut", []string{"analyze", headerCut}, []string{"header-cut.pcap", "give a pcap or pcapng file"}},
		{"first record cut", []string{"analyze", firstCut}, []string{"first-cut.pcap", "damaged or not a capture"}},
		{"no file", []string{"analyze"}, []string{"name exactly one capture file", "--help"}},
		{"two files", []string{"analyze", good, good}, []string{"name exactly one capture file", "--help"}},
		{"bad flag", []string{"analyze", "--bogus", good}, []string{"-bogus", "'v6diag analyze --help'"}},
		{"bad run flag", []string{"run", "--bogus"}, []string{"-bogus", "'v6diag run --help'"}},
		{"run argument", []string{"run", "eth0"}, []string{`"eth0"`, "--help"}},
		{"negative timeout", []string{"run", "--timeout", "-1s"}, []string{"--timeout must be positive", "--help"}},
		{"zero timeout", []string{"run", "--timeout=0"}, []string{"--timeout must be positive"}},
		{"bad timeout", []string{"run", "--timeout", "soon"}, []string{"-timeout", "--help"}},
		{"prefix-len 129", []string{"run", "--prefix-len", "129"}, []string{"--prefix-len must be between 0 and 128", "--help"}},
		{"prefix-len -1", []string{"run", "--prefix-len=-1"}, []string{"--prefix-len must be between 0 and 128"}},
		{"passive and solicit-only", []string{"run", "--passive", "--solicit-only"}, []string{"--passive", "--solicit-only", "--help"}},
	}
	if os.Geteuid() == 0 {
		tests = append(tests, struct {
			name string
			args []string
			want []string
		}{"no such interface", []string{"run", "-i", "nosuchif0", "--config", os.DevNull},
			[]string{`"nosuchif0"`, "'ip link'"}})
	} else {
		t.Log("not root: skipping run -i nosuchif0")
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			args := append(append([]string(nil), tc.args...), "--out", out)
			code, stdout, stderr := invoke(args...)
			if code != exitCannot {
				t.Errorf("%q: exit %d, want 2", args, code)
			}
			if stdout != "" {
				t.Errorf("%q: stdout %q, want nothing", args, stdout)
			}
			if strings.Count(stderr, "\n") != 1 || !strings.HasSuffix(stderr, "\n") {
				t.Errorf("%q: stderr is not one line:\n%s", args, stderr)
			}
			prefix := "v6diag " + tc.args[0] + ": "
			if tc.args[0] == "analyze" {
				prefix = "v6diag analyze: "
			}
			if !strings.HasPrefix(stderr, prefix) {
				t.Errorf("%q: stderr %q, want it to start with %q", args, stderr, prefix)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("%q: stderr %q, want it to contain %q", args, stderr, w)
				}
			}
			if _, err := os.Lstat(out); !os.IsNotExist(err) {
				t.Errorf("%q: output folder left behind (%v)", args, err)
			}
		})
	}

	// --out under a regular file cannot be created: one line, and nothing
	// made next to the file.
	t.Run("unwritable out", func(t *testing.T) {
		before, _ := os.ReadDir(tmp)
		out := filepath.Join(regular, "out")
		code, stdout, stderr := invoke("analyze", "--out", out, good)
		if code != exitCannot || stdout != "" {
			t.Errorf("exit %d, stdout %q; want 2, nothing", code, stdout)
		}
		if strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "choose a writable folder with --out") {
			t.Errorf("stderr %q, want one line saying to choose a writable folder", stderr)
		}
		after, _ := os.ReadDir(tmp)
		if len(after) != len(before) {
			t.Errorf("folder holds %d entries after, %d before", len(after), len(before))
		}
		if b, err := os.ReadFile(regular); err != nil || string(b) != "x" {
			t.Errorf("the regular file changed: %q, %v", b, err)
		}
	})
}

// TestDiscardKeepsUserFolder: a failed run removes what it wrote and the
// folders it made — never a folder the user named that existed before (a
// failing `run --out ~` once removed the home folder).
func TestDiscardKeepsUserFolder(t *testing.T) {
	existing := t.TempDir()
	mine := filepath.Join(existing, "notes.txt")
	if err := os.WriteFile(mine, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	o, err := outputDir(existing)
	if err != nil {
		t.Fatal(err)
	}
	if len(o.made) != 0 {
		t.Errorf("made %q in an existing folder", o.made)
	}
	for _, name := range []string{"capture.pcapng", "report.txt", "report.json"} {
		if err := os.WriteFile(filepath.Join(existing, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	o.discard("capture.pcapng")
	entries, _ := os.ReadDir(existing)
	if len(entries) != 1 || entries[0].Name() != "notes.txt" {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("after discard the folder holds %q, want only notes.txt", names)
	}

	base := t.TempDir()
	nested := filepath.Join(base, "a", "b")
	o, err = outputDir(nested)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(nested, "capture.pcapng"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	o.discard("capture.pcapng")
	if _, err := os.Lstat(filepath.Join(base, "a")); !os.IsNotExist(err) {
		t.Errorf("the folders this run made are still there (%v)", err)
	}
	if _, err := os.Stat(base); err != nil {
		t.Errorf("the existing parent went away: %v", err)
	}
}
