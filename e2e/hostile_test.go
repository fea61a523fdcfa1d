package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/v6diag/v6diag/capture"
	"github.com/v6diag/v6diag/dhcpv6"
	"github.com/v6diag/v6diag/internal/testtools/testbed"
	"github.com/v6diag/v6diag/internal/testtools/testisp"
)

// cannotRunLine checks the contract for input v6diag cannot use: exit 2,
// nothing on stdout, exactly one line on stderr that contains each of want.
func cannotRunLine(t *testing.T, exit int, stdout, stderr string, want ...string) {
	t.Helper()
	t.Logf("exit %d, stderr %q", exit, stderr)
	if exit != 2 {
		t.Errorf("exit %d; want 2", exit)
	}
	if stdout != "" {
		t.Errorf("stdout %q; want nothing", stdout)
	}
	if strings.Count(stderr, "\n") != 1 || !strings.HasSuffix(stderr, "\n") {
		t.Errorf("stderr is not one line: %q", stderr)
	}
	for _, w := range want {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr %q does not contain %q", stderr, w)
		}
	}
}

// runCmd runs cmd and returns its exit status, stdout and stderr.
func runCmd(t *testing.T, cmd *exec.Cmd) (int, string, string) {
	t.Helper()
	r := runExec(t, cmd)
	return r.exit, r.stdout, r.stderr
}

// publicDir makes a folder every local user may enter and write (for the
// runs as nobody), removed when the test ends.
func publicDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "v6diag-public-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	return dir
}

// publicBinary copies the v6diag binary where nobody can run it.
func publicBinary(t *testing.T, dir string) string {
	t.Helper()
	src, err := os.Open(testbed.BuildV6diag(t))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst := filepath.Join(dir, "v6diag")
	f, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(f, src); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return dst
}

// asNobody wraps a command line so that it runs as user and group 65534
// with no capabilities.
func asNobody(args ...string) []string {
	return append([]string{"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all"}, args...)
}

// inTmpfs wraps a command line so that it runs in a private mount
// namespace where mnt is a fresh tmpfs mounted with opts; setup runs in a
// shell there first, and after the command `ls -A mnt` prints what the
// tmpfs holds after a line "--ls--". Nothing outside the namespace sees
// the mount.
func inTmpfs(mnt, opts, setup string, args ...string) []string {
	script := `mount -t tmpfs -o "$1" v6diag-test "$2" || exit 99; ` + setup + `
shift 2; "$@"; rc=$?; echo "--ls--"; ls -A "$V6DIAG_MNT"; exit $rc`
	return append([]string{"unshare", "-m", "--propagation", "private", "sh", "-c",
		"V6DIAG_MNT=\"$2\"; " + script, "sh", opts, mnt}, args...)
}

// splitLs separates the command's stdout from the listing inTmpfs adds.
func splitLs(stdout string) (string, []string) {
	before, after, _ := strings.Cut(stdout, "--ls--\n")
	return before, strings.Fields(after)
}

// Bad input to `analyze` that only the operating system can set up: a
// file the user may not read, an output folder on a read-only or a full
// file system. Each is one line naming the problem and the fix, exit 2,
// and nothing left in the output folder.
func TestBadUserInputAnalyze(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: mounts a tmpfs in a private mount namespace and runs v6diag as nobody")
	}
	pub := publicDir(t)
	bin := publicBinary(t, pub)
	capturePath := filepath.Join(pub, "wan.pcap")
	src, err := os.ReadFile(filepath.Join("..", "..", "shared", "captures", "zeek_zeek__testing_btest_Traces_pppoe.pcap"))
	if err != nil {
		t.Skipf("shared captures: %v", err)
	}
	if err := os.WriteFile(capturePath, src, 0o600); err != nil { // root's, unreadable to others
		t.Fatal(err)
	}
	mnt := filepath.Join(pub, "mnt")
	if err := os.Mkdir(mnt, 0o777); err != nil {
		t.Fatal(err)
	}

	t.Run("unreadable file", func(t *testing.T) {
		out := filepath.Join(pub, "out-unreadable")
		args := asNobody(bin, "analyze", "--out", out, capturePath)
		code, so, se := runCmd(t, exec.Command(args[0], args[1:]...))
		cannotRunLine(t, code, so, se, "wan.pcap", "permission denied", "check the path and that you may read it")
		if _, err := os.Lstat(out); !os.IsNotExist(err) {
			t.Errorf("output folder left behind (%v)", err)
		}
	})
	t.Run("read-only output folder", func(t *testing.T) {
		args := inTmpfs(mnt, "ro,size=1m", "", bin, "analyze", "--out", filepath.Join(mnt, "out"), capturePath)
		code, so, se := runCmd(t, exec.Command(args[0], args[1:]...))
		so, left := splitLs(so)
		cannotRunLine(t, code, so, se, "read-only file system", "choose a writable folder with --out")
		if len(left) != 0 {
			t.Errorf("the read-only folder holds %q", left)
		}
	})
	t.Run("full output folder", func(t *testing.T) {
		// 256 KiB, filled to the last block by a file of the user's.
		fill := `dd if=/dev/zero of="$2/users-file" bs=4096 2>/dev/null; `
		args := inTmpfs(mnt, "size=256k", fill, bin, "analyze", "--out", filepath.Join(mnt, "out"), capturePath)
		code, so, se := runCmd(t, exec.Command(args[0], args[1:]...))
		so, left := splitLs(so)
		cannotRunLine(t, code, so, se, "is full", "free some space")
		if strings.Join(left, " ") != "users-file" {
			t.Errorf("the full folder holds %q; want just the user's file", left)
		}
	})
	t.Run("output folder with little room", func(t *testing.T) {
		// Room for the probe but less than v6diag needs.
		args := inTmpfs(mnt, "size=64k", "", bin, "analyze", "--out", filepath.Join(mnt, "out"), capturePath)
		code, so, se := runCmd(t, exec.Command(args[0], args[1:]...))
		so, left := splitLs(so)
		cannotRunLine(t, code, so, se, "is full", "choose another folder with --out")
		if len(left) != 0 {
			t.Errorf("the folder holds %q after the failed run", left)
		}
	})
}

// Bad input to `run` on the router: not root, an interface without a
// link-local address, a network config with a syntax error, an output
// folder on a read-only or full file system. Exit 2, one line, nothing
// left behind, and nothing sent (the ISP namespace sees no DHCPv6).
func TestBadUserInputRun(t *testing.T) {
	bed := testbed.New(t)
	pub := publicDir(t)
	bin := publicBinary(t, pub)
	noConfig := os.DevNull
	inCPE := func(args ...string) *exec.Cmd {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		t.Cleanup(cancel)
		return bed.ExecCPE(ctx, args[0], args[1:]...)
	}

	t.Run("not root", func(t *testing.T) {
		out := filepath.Join(pub, "out-nobody")
		code, so, se := runCmd(t, inCPE(asNobody(bin, "run", "-i", bed.CPEIf, "--config", os.DevNull, "--out", out, "--timeout", "5s")...))
		cannotRunLine(t, code, so, se, "needs root", "run it as root")
		if _, err := os.Lstat(out); !os.IsNotExist(err) {
			t.Errorf("output folder left behind (%v)", err)
		}
	})
	t.Run("no link-local address", func(t *testing.T) {
		// A second link in the CPE namespace whose kernel makes no
		// link-local address (addrgenmode none), with carrier.
		for _, args := range [][]string{
			{"link", "add", "nolla0", "type", "veth", "peer", "name", "nolla1"},
			{"link", "set", "nolla0", "addrgenmode", "none"},
			{"link", "set", "nolla0", "up"},
			{"link", "set", "nolla1", "up"},
		} {
			if out, err := exec.Command("ip", append([]string{"-n", bed.CPE}, args...)...).CombinedOutput(); err != nil {
				t.Fatalf("ip %q: %v\n%s", args, err, out)
			}
		}
		out := filepath.Join(bed.Dir, "fresh-nolla", "out")
		code, so, se := runCmd(t, inCPE(bin, "run", "-i", "nolla0", "--config", noConfig, "--out", out, "--timeout", "5s"))
		cannotRunLine(t, code, so, se, "nolla0", "link-local")
		if _, err := os.Lstat(filepath.Dir(out)); !os.IsNotExist(err) {
			t.Errorf("output folder left behind (%v)", err)
		}
	})
	t.Run("network config with a syntax error", func(t *testing.T) {
		config := filepath.Join(bed.Dir, "broken-network")
		bad := "config interface 'wan6'\n\toption device '" + bed.CPEIf + "'\n\toption proto 'dhcpv6\n"
		if err := os.WriteFile(config, []byte(bad), 0o644); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(bed.Dir, "fresh-config", "out")
		code, so, se := runCmd(t, inCPE(bin, "run", "--config", config, "--out", out, "--timeout", "5s"))
		cannotRunLine(t, code, so, se, config, "line 3", "unterminated", "--config")
		if _, err := os.Lstat(filepath.Dir(out)); !os.IsNotExist(err) {
			t.Errorf("output folder left behind (%v)", err)
		}
	})
	mnt := filepath.Join(pub, "mnt-run")
	if err := os.Mkdir(mnt, 0o777); err != nil {
		t.Fatal(err)
	}
	t.Run("read-only output folder", func(t *testing.T) {
		args := inTmpfs(mnt, "ro,size=1m", "", bin, "run", "-i", bed.CPEIf, "--config", noConfig, "--out", filepath.Join(mnt, "out"), "--timeout", "5s")
		code, so, se := runCmd(t, inCPE(args...))
		so, left := splitLs(so)
		cannotRunLine(t, code, so, se, "read-only file system", "choose a writable folder with --out")
		if len(left) != 0 {
			t.Errorf("the read-only folder holds %q", left)
		}
	})
	t.Run("output folder with too little room for a run", func(t *testing.T) {
		// 4 MiB: room for any file, but not for a run's worst case at
		// the smallest capture cap (cmd/v6diag/room.go).
		args := inTmpfs(mnt, "size=4m", "", bin, "run", "-i", bed.CPEIf, "--config", noConfig, "--out", filepath.Join(mnt, "out"), "--timeout", "5s")
		code, so, se := runCmd(t, inCPE(args...))
		so, left := splitLs(so)
		cannotRunLine(t, code, so, se, "is full for a run", "a run needs", "free some space", "--out")
		if len(left) != 0 {
			t.Errorf("the folder holds %q after the refused run", left)
		}
	})
	t.Run("small output folder lowers the capture cap", func(t *testing.T) {
		// 16 MiB holds a run, but not 10,000 frames at worst: the cap
		// comes down, the report says so, and the run goes on.
		out := filepath.Join(mnt, "out")
		sh := bin + " run -i " + bed.CPEIf + " --config " + noConfig + " --out " + out + " --timeout 3s --quiet; rc=$?; cat " + filepath.Join(out, "report.json") + "; exit $rc"
		args := inTmpfs(mnt, "size=16m", "", "sh", "-c", sh)
		code, so, se := runCmd(t, inCPE(args...))
		so, _ = splitLs(so)
		if code == 2 {
			t.Fatalf("exit 2: %s", se)
		}
		js := so[strings.Index(so, "{"):]
		var r struct {
			Capture struct {
				MaxFrames int `json:"max_frames"`
			} `json:"capture"`
			Notes []string `json:"notes"`
		}
		if err := json.Unmarshal([]byte(js), &r); err != nil {
			t.Fatalf("report.json: %v\n%s", err, so)
		}
		if r.Capture.MaxFrames >= 10000 || r.Capture.MaxFrames < 500 || !strings.Contains(strings.Join(r.Notes, "\n"), "capture capped at") {
			t.Errorf("max_frames %d, notes %q; want a lowered cap and a note saying why", r.Capture.MaxFrames, r.Notes)
		}
	})
	t.Run("full output folder", func(t *testing.T) {
		fill := `dd if=/dev/zero of="$2/users-file" bs=4096 2>/dev/null; `
		args := inTmpfs(mnt, "size=256k", fill, bin, "run", "-i", bed.CPEIf, "--config", noConfig, "--out", filepath.Join(mnt, "out"), "--timeout", "5s")
		code, so, se := runCmd(t, inCPE(args...))
		so, left := splitLs(so)
		cannotRunLine(t, code, so, se, "is full", "free some space")
		if strings.Join(left, " ") != "users-file" {
			t.Errorf("the full folder holds %q; want just the user's file", left)
		}
	})
}

// measuredRun is one `v6diag run` under GNU time in the CPE namespace.
type measuredRun struct {
	exit    int
	stderr  string
	wall    time.Duration
	peakRSS int // KiB, GNU time's "Maximum resident set size"
	out     string
	report  hostileReport
}

// hostileReport is the part of report.json the hostile tests read.
type hostileReport struct {
	reportJSON
	Notes   []string `json:"notes"`
	Capture struct {
		Frames          int `json:"frames"`
		ControlFrames   int `json:"control_frames"`
		TimelineDropped int `json:"timeline_dropped"`
	} `json:"capture"`
	FindingsFull []struct {
		ID      string `json:"id"`
		Summary string `json:"summary"`
		Frames  []int  `json:"frames"`
	} `json:"findings"`
}

func (r hostileReport) finding(id string) (string, bool) {
	for _, f := range r.FindingsFull {
		if f.ID == id {
			return f.Summary, true
		}
	}
	return "", false
}

func (r hostileReport) ids() []string {
	var ids []string
	for _, f := range r.FindingsFull {
		ids = append(ids, f.ID)
	}
	return ids
}

// runMeasured runs v6diag with args under /usr/bin/time -v and reads its
// report; during, if set, runs while v6diag does (after its capture is
// open).
func runMeasured(t *testing.T, bed *testbed.Bed, name string, during func(), args ...string) measuredRun {
	t.Helper()
	gnuTime := "/usr/bin/time"
	if _, err := os.Stat(gnuTime); err != nil {
		t.Skip("GNU time not installed (.ci/run installs it)")
	}
	out := filepath.Join(bed.Dir, "out-"+name)
	timeLog := filepath.Join(bed.Dir, "time-"+name+".txt")
	full := append([]string{"-v", "-o", timeLog, bed.Build(t), "run", "-i", bed.CPEIf, "--out", out,
		"--config", os.DevNull}, args...)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := bed.ExecCPE(ctx, gnuTime, full...)
	var se bytes.Buffer
	cmd.Stderr = &se
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if during != nil {
		waitCaptureOpen(t, out, se.String)
		during()
	}
	err := cmd.Wait()
	r := measuredRun{exit: exitCode(t, err), stderr: se.String(), wall: time.Since(start), out: out}
	if tl, err := os.ReadFile(timeLog); err == nil {
		for _, line := range strings.Split(string(tl), "\n") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), "Maximum resident set size (kbytes): "); ok {
				fmt.Sscan(v, &r.peakRSS)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(out, "report.json")); err != nil {
		tl, _ := os.ReadFile(timeLog)
		t.Fatalf("no report: exit %d after %s\nstderr:\n%s\ntime:\n%s", r.exit, r.wall, r.stderr, tl)
	}
	readReport(t, out, &r.report)
	if keep := os.Getenv("V6DIAG_KEEP_CAPTURES"); keep != "" {
		if b, err := os.ReadFile(filepath.Join(out, "capture.pcapng")); err == nil {
			_ = os.WriteFile(filepath.Join(keep, name+".pcapng"), b, 0o600)
		}
	}
	t.Logf("%s: exit %d in %s, peak RSS %d KiB, %d frames (%d control, %d dropped from the timeline): %s — %s",
		name, r.exit, r.wall.Round(time.Millisecond), r.peakRSS, r.report.Capture.Frames, r.report.Capture.ControlFrames,
		r.report.Capture.TimelineDropped, r.report.Verdict.Code, r.report.Verdict.Summary)
	return r
}

// maxPeakRSS bounds v6diag's memory under every flood: live.MaxFrames caps
// the capture, diag.MaxEvents the analysed messages, dhcpv6.MaxKept the
// client's Advertises and ignored messages.
const maxPeakRSS = 150 << 10 // KiB

// The far side floods and lies: v6diag finishes on time, its memory stays
// bounded, the report counts what was capped, and the verdict is right.
func TestHostileFarSide(t *testing.T) {
	slowRequest := func(sc *testisp.Scenario, d time.Duration) {
		for i := range sc.Servers[0].Rules {
			if sc.Servers[0].Rules[i].Match.Type == "Request" {
				sc.Servers[0].Rules[i].Action.Delay = testisp.Duration(d)
			}
		}
	}
	tests := []struct {
		name     string
		scenario func() testisp.Scenario
		args     []string
		maxWall  time.Duration
		code     string
		findings []string
		check    func(t *testing.T, r measuredRun, isp *testisp.Handle)
	}{
		{
			// Thousands of RAs a second from random routers with random
			// prefixes, while the healthy server takes 6 s to answer the
			// Request: the flood fills the run.
			name: "RA flood",
			scenario: func() testisp.Scenario {
				sc := testisp.Healthy()
				slowRequest(&sc, 6*time.Second)
				sc.Routers = append(sc.Routers, testisp.Router{IgnoreRS: true, RouterLifetime: testisp.Duration(time.Hour), Managed: true, Other: true,
					Flood: &testisp.RAFlood{PerSecond: 4000, Duration: testisp.Duration(8 * time.Second), RandomRouters: true, RandomPrefixes: true}})
				return sc
			},
			args: []string{"--timeout", "15s"}, maxWall: 20 * time.Second, code: "ok",
			check: func(t *testing.T, r measuredRun, isp *testisp.Handle) {
				if r.report.Capture.Frames < 1000 {
					t.Errorf("captured %d frames; the flood did not arrive", r.report.Capture.Frames)
				}
				// diag.MaxRouters (32) listed, the rest counted.
				if s, ok := r.report.finding("ra-routers-capped"); len(r.report.RA.Routers) != 32 || !ok {
					t.Errorf("%d routers listed, ra-routers-capped %q; want 32 and the rest counted", len(r.report.RA.Routers), s)
				}
			},
		},
		{
			// Every Solicit is answered by 20000 copies of the Advertise,
			// back to back, and 30 more servers advertise too.
			name: "Advertise flood from many servers",
			scenario: func() testisp.Scenario {
				sc := testisp.Healthy()
				sc.Servers[0].Rules[0].Action.Faults.Copies = 20000
				for i := range 30 {
					s := testisp.HealthyServer()
					s.MAC = testisp.MAC{0x02, 0xad, 0, 0, 0, byte(i + 1)}
					s.Rules = s.Rules[:1] // advertise only
					sc.Servers = append(sc.Servers, s)
				}
				return sc
			},
			args: []string{"--timeout", "15s"}, maxWall: 20 * time.Second, code: "ok",
			check: func(t *testing.T, r measuredRun, isp *testisp.Handle) {
				// The timeline's cap is what the flood must reach; how many
				// of the 20000 copies arrive before the exchange ends
				// depends on the machine's load (8780 once on a busy one).
				if r.report.Capture.TimelineDropped == 0 {
					t.Errorf("%d frames, none dropped from the timeline; want the flood to reach the caps", r.report.Capture.Frames)
				}
			},
		},
		{
			// The Reply to our Request is for another client, and a Reply
			// arrives before any Request: both ignored, and said so.
			name: "replies for other clients and a Reply before any Request",
			scenario: func() testisp.Scenario {
				sc := testisp.Healthy()
				early := testisp.HealthyServer()
				early.MAC = testisp.MAC{0x02, 0xee, 0, 0, 0, 1}
				early.Rules = []testisp.Rule{{Match: testisp.Match{Type: "Solicit"}, Action: testisp.Action{Reply: "Reply",
					IANA: []testisp.IA{testisp.HealthyIANA()}, IAPD: []testisp.IA{testisp.HealthyIAPD()}}}}
				for i := range sc.Servers[0].Rules {
					if sc.Servers[0].Rules[i].Match.Type == "Request" {
						sc.Servers[0].Rules[i].Action.Faults.ForeignClientID = true
					}
				}
				sc.Servers = append(sc.Servers, early)
				return sc
			},
			args: []string{"--timeout", "8s"}, maxWall: 13 * time.Second, code: "request-unanswered",
			findings: []string{"dhcpv6-foreign-client-id", "dhcpv6-reply-without-rapid-commit"},
		},
		{
			// Giant messages: an Advertise padded to 1400 bytes with 300
			// empty filler options, and an RA with 150 unknown options.
			name: "giant messages",
			scenario: func() testisp.Scenario {
				sc := testisp.Healthy()
				sc.Servers[0].Rules[0].Action.Faults.PadTo = 1400
				sc.Servers[0].Rules[0].Action.Faults.FillerOptions = 300
				raw := bytes.Repeat([]byte{200, 1, 0, 0, 0, 0, 0, 0}, 150)
				sc.Routers[0].RawOptions = raw
				return sc
			},
			args: []string{"--timeout", "10s"}, maxWall: 15 * time.Second, code: "ok",
			check: func(t *testing.T, r measuredRun, isp *testisp.Handle) {
				// The giant Advertise is in the capture, whole.
				biggest, options := 0, 0
				forEachDHCPv6(t, filepath.Join(r.out, "capture.pcapng"), func(m *dhcpv6.Message, size int) {
					if m.Type == dhcpv6.MessageTypeAdvertise && size > biggest {
						biggest, options = size, len(m.OptionCodes)
					}
				})
				if biggest < 1400 || options < 300 {
					t.Errorf("largest Advertise captured: %d bytes, %d options; want the 1400-byte one with 300 filler options", biggest, options)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bed := testbed.New(t)
			noKernelRS(t, bed)
			isp := testisp.Start(t, bed, tc.scenario())
			r := runMeasured(t, bed, strings.ReplaceAll(tc.name, " ", "-"), nil, tc.args...)
			if r.exit != 0 && r.exit != 1 {
				t.Fatalf("exit %d; want a verdict\n%s", r.exit, r.stderr)
			}
			if r.report.Verdict.Code != tc.code {
				t.Errorf("verdict %s (%s); want %s; findings %v", r.report.Verdict.Code, r.report.Verdict.Summary, tc.code, r.report.ids())
			}
			if r.wall > tc.maxWall {
				t.Errorf("run took %s; want at most %s", r.wall, tc.maxWall)
			}
			if r.peakRSS > maxPeakRSS {
				t.Errorf("peak RSS %d KiB; want at most %d KiB", r.peakRSS, maxPeakRSS)
			}
			if r.report.Capture.TimelineDropped > 0 {
				if s, ok := r.report.finding("capture-events-capped"); !ok || !strings.Contains(s, fmt.Sprint(r.report.Capture.TimelineDropped)) {
					t.Errorf("%d messages dropped from the timeline, but no capture-events-capped finding counts them (%q)", r.report.Capture.TimelineDropped, s)
				}
			}
			for _, id := range tc.findings {
				if _, ok := r.report.finding(id); !ok {
					t.Errorf("no %s finding; have %v", id, r.report.ids())
				}
			}
			if tc.check != nil {
				tc.check(t, r, isp)
			}
			if n := readPcapng(t, filepath.Join(r.out, "capture.pcapng")); n != r.report.Capture.Frames {
				t.Errorf("pcapng holds %d frames, report says %d", n, r.report.Capture.Frames)
			}
		})
	}
}

// The link or the server goes away mid-exchange: a report is still
// written, and it says what happened.
func TestFarSideGoesAway(t *testing.T) {
	slow := func() testisp.Scenario {
		sc := testisp.Healthy()
		for i := range sc.Servers[0].Rules {
			if sc.Servers[0].Rules[i].Match.Type == "Request" {
				sc.Servers[0].Rules[i].Action.Delay = testisp.Duration(4 * time.Second)
			}
		}
		return sc
	}
	tests := []struct {
		name   string
		action func(t *testing.T, bed *testbed.Bed, isp *testisp.Handle)
		code   string
		says   []string // in report notes, findings or verdict
	}{
		{"server stops mid-exchange", func(t *testing.T, bed *testbed.Bed, isp *testisp.Handle) { isp.Stop() },
			"request-unanswered", []string{"Request"}},
		{"carrier lost", func(t *testing.T, bed *testbed.Bed, isp *testisp.Handle) {
			if out, err := exec.Command("ip", "-n", bed.ISP, "link", "set", bed.ISPIf, "down").CombinedOutput(); err != nil {
				t.Fatalf("ip link set down: %v\n%s", err, out)
			}
		}, "link-down", []string{"lost its carrier during the run"}},
		{"interface deleted", func(t *testing.T, bed *testbed.Bed, isp *testisp.Handle) {
			if out, err := exec.Command("ip", "-n", bed.CPE, "link", "del", bed.CPEIf).CombinedOutput(); err != nil {
				t.Fatalf("ip link del: %v\n%s", err, out)
			}
		}, "link-down", []string{bed0IfPlaceholder + " disappeared during the run"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bed := testbed.New(t)
			isp := testisp.Start(t, bed, slow())
			out := filepath.Join(bed.Dir, "out")
			capPath := filepath.Join(out, "capture.pcapng")
			cmd, so, se := startV6diag(t, bed, out, "--timeout", "10s")
			waitCaptured(t, capPath, dhcpv6.MessageTypeRequest, 10*time.Second)
			tc.action(t, bed, isp)
			start := time.Now()
			code := exitCode(t, cmd.Wait())
			t.Logf("exit %d %s after the fault\nstdout:\n%s\nstderr:\n%s", code, time.Since(start).Round(time.Millisecond), so, se)
			if code != 0 && code != 1 {
				t.Fatalf("exit %d; want a verdict and a report", code)
			}
			var r hostileReport
			readReport(t, out, &r)
			if r.Verdict.Code != tc.code {
				t.Errorf("verdict %s (%s); want %s", r.Verdict.Code, r.Verdict.Summary, tc.code)
			}
			all := r.Verdict.Summary + "\n" + strings.Join(r.Notes, "\n")
			for _, f := range r.FindingsFull {
				all += "\n" + f.Summary
			}
			for _, s := range tc.says {
				s = strings.ReplaceAll(s, bed0IfPlaceholder, bed.CPEIf)
				if !strings.Contains(all, s) {
					t.Errorf("the report does not mention %q:\n%s", s, all)
				}
			}
			if n := readPcapng(t, capPath); n != r.Capture.Frames {
				t.Errorf("pcapng holds %d frames, report says %d", n, r.Capture.Frames)
			}
		})
	}
}

// bed0IfPlaceholder stands for the bed's CPE interface name in a table
// written before the bed exists.
const bed0IfPlaceholder = "<cpe-if>"

// forEachDHCPv6 calls fn for every DHCPv6 message in a capture, with the
// size of its UDP payload.
func forEachDHCPv6(t *testing.T, path string, fn func(m *dhcpv6.Message, size int)) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd, err := capture.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	for {
		fr, err := rd.Next()
		if err != nil {
			return
		}
		p, err := capture.Decode(fr)
		if err != nil || p.Transport != capture.TransportUDP {
			continue
		}
		if m, _ := dhcpv6.Parse(p.UDPPayload); m != nil {
			fn(m, len(p.UDPPayload))
		}
	}
}
