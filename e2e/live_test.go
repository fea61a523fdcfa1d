package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/v6diag/v6diag/internal/testtools/testbed"
)

// execResult is one v6diag process, whatever it wrote.
type execResult struct {
	exit           int
	stdout, stderr string
	wall           time.Duration
}

// execV6diag runs the binary in the CPE namespace with exactly args and
// reads no report.
func execV6diag(t *testing.T, bed *testbed.Bed, args ...string) execResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	return runExec(t, bed.ExecCPE(ctx, bed.Build(t), args...))
}

// runExec runs cmd to its end and returns its exit status, output and wall
// time; it fails the test only when cmd could not run at all.
func runExec(t *testing.T, cmd *exec.Cmd) execResult {
	t.Helper()
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	start := time.Now()
	err := cmd.Run()
	return execResult{exit: exitCode(t, err), stdout: so.String(), stderr: se.String(), wall: time.Since(start)}
}

// readReport reads report.json from dir into v.
func readReport(t *testing.T, dir string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if err != nil {
		t.Fatalf("report.json: %v", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("report.json: %v", err)
	}
}

// cpeSysctl sets a sysctl inside the CPE namespace only.
func cpeSysctl(t *testing.T, bed *testbed.Bed, kv string) {
	t.Helper()
	if out, err := bed.ExecCPE(context.Background(), "sysctl", "-q", "-w", kv).CombinedOutput(); err != nil {
		t.Fatalf("sysctl -w %s in %s: %v\n%s", kv, bed.CPE, err, out)
	}
}

// noKernelRS stops the CPE kernel's own Router Solicitations (Linux keeps
// sending them with backoff while no RA came), so that every RS/RA/DHCPv6
// frame a passive capture sees comes from the ISP or from the client the
// test started.
func noKernelRS(t *testing.T, bed *testbed.Bed) {
	t.Helper()
	cpeSysctl(t, bed, "net.ipv6.conf."+bed.CPEIf+".router_solicitations=0")
}

// startV6diag starts the binary in the CPE namespace in the background and
// waits until its capture is open (the pcapng header is written right
// after the packet socket is bound).
func startV6diag(t *testing.T, bed *testbed.Bed, out string, args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	full := append([]string{"run", "-i", bed.CPEIf, "--out", out, "--config", os.DevNull}, args...)
	cmd := bed.ExecCPE(context.Background(), bed.Build(t), full...)
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	waitCaptureOpen(t, out, func() string { return "stdout:\n" + so.String() + "\nstderr:\n" + se.String() })
	return cmd, &so, &se
}

// waitCaptureOpen waits up to 5 s for a run writing to out to open its
// capture (the pcapng header is written right after the packet socket is
// bound); output tells what the run printed, for the failure message.
func waitCaptureOpen(t *testing.T, out string, output func() string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if st, err := os.Stat(filepath.Join(out, "capture.pcapng")); err == nil && st.Size() > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("v6diag did not open its capture within 5s\n%s", output())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func exitCode(t *testing.T, err error) int {
	t.Helper()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return ee.ExitCode()
	case err != nil:
		t.Fatalf("v6diag: %v", err)
	}
	return 0
}

var dhcpcdXID = regexp.MustCompile(`\(xid (0x[0-9a-f]{6})\)`)

// --passive records the router's own client (dhcpcd here) and the ISP and
// diagnoses that exchange: the client is the one in the capture, the prefix
// the one Kea gave dhcpcd, and every client message on the wire is one
// dhcpcd logged — v6diag sent nothing of its own.
func TestPassiveRecordsRouterClient(t *testing.T) {
	t.Parallel()
	bed := testbed.New(t)
	noKernelRS(t, bed)
	// RAs every 3–4 s unsolicited: nobody in this test sends an RS (dhcpcd
	// has noipv6rs, the kernel's are off, v6diag is passive), so the 6 s
	// window must see a periodic one.
	bed.StartRadvd(t, testbed.RadvdConfig{
		Managed: true, Other: true,
		Prefix: netip.MustParsePrefix("2001:db8:1::/64"), NoAutonomous: true,
	})
	kea := bed.StartKea(t, testbed.KeaConfig{
		AddressPool: "2001:db8:1::100-2001:db8:1::1ff",
		PDPrefix:    netip.MustParsePrefix("2001:db8:8000::/36"), PDDelegatedLen: 48,
		DNSServers: []netip.Addr{netip.MustParseAddr("2001:db8:1::53")},
	})
	dc := bed.NewDhcpcd(t, "")

	out := filepath.Join(bed.Dir, "out-passive")
	start := time.Now()
	cmd, so, se := startV6diag(t, bed, out, "--passive", "--timeout", "6s")

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if o, err := dc.Command(ctx, "-6", "-1", "-d", "-t", "5", bed.CPEIf).CombinedOutput(); err != nil {
		t.Fatalf("dhcpcd: %v\n%s\nlog:\n%s", err, o, dc.Log())
	}
	dhcpcdDone := time.Since(start)
	exit := exitCode(t, cmd.Wait())
	wall := time.Since(start)
	t.Logf("dhcpcd done after %s; v6diag exit %d after %s", dhcpcdDone, exit, wall)
	if dhcpcdDone > 5*time.Second {
		t.Fatalf("dhcpcd needed %s, too close to the 6 s window", dhcpcdDone)
	}

	var rep reportJSON
	readReport(t, out, &rep)
	if exit != 0 || rep.Verdict.Code != "ok" {
		t.Fatalf("exit %d verdict %q (%s); want 0 ok\nstdout:\n%s\nstderr:\n%s\ndhcpcd log:\n%s",
			exit, rep.Verdict.Code, rep.Verdict.Summary, so.String(), se.String(), dc.Log())
	}
	if wall < 5500*time.Millisecond {
		t.Errorf("--passive --timeout 6s ended after %s; it records for the whole timeout", wall)
	}

	// The client is dhcpcd: its DUID, the prefix Kea leased to it.
	raw, err := os.ReadFile(filepath.Join(dc.DBDir, "duid"))
	if err != nil {
		t.Fatal(err)
	}
	duid := strings.TrimSpace(string(raw))
	if got := colonHex(rep.DUID.Hex); got != duid {
		t.Errorf("report's DUID %s; want dhcpcd's %s", got, duid)
	}
	leases, err := kea.Leases()
	if err != nil {
		t.Fatal(err)
	}
	var keaPD netip.Prefix
	for _, l := range testbed.CurrentLeases(leases) {
		if l.Type == testbed.LeasePD && l.DUID == duid && !l.Released() {
			keaPD = l.Prefix()
		}
	}
	if !keaPD.IsValid() {
		t.Fatalf("Kea holds no prefix for dhcpcd's DUID %s", duid)
	}
	if !strings.Contains(dc.Log(), "delegated prefix "+keaPD.String()) {
		t.Errorf("dhcpcd's log does not say it got %s", keaPD)
	}
	d := rep.DHCPv6
	if len(d.DelegatedPrefixes) != 1 || d.DelegatedPrefixes[0].Prefix != keaPD.String() || !d.DelegatedPrefixes[0].Confirmed {
		t.Errorf("delegated prefixes %+v; want %s, confirmed", d.DelegatedPrefixes, keaPD)
	}

	// Nothing on the wire from v6diag: every client message is one dhcpcd
	// logged sending, with its transaction id, and there is no RS at all.
	logged := map[string]bool{}
	for _, m := range dhcpcdXID.FindAllStringSubmatch(dc.Log(), -1) {
		logged[m[1]] = true
	}
	solicits := 0
	for _, e := range rep.Timeline {
		if e.Direction != "out" {
			continue
		}
		switch e.Kind {
		case "Solicit":
			solicits++
		case "RS":
			t.Errorf("frame %d: an RS went out, but nobody in this test sends one", e.Frame)
			continue
		}
		if !logged[e.TransactionID] {
			t.Errorf("frame %d: %s with xid %q went out, and dhcpcd did not send it (dhcpcd's xids %v)", e.Frame, e.Kind, e.TransactionID, logged)
		}
	}
	if want := strings.Count(dc.Log(), "broadcasting SOLICIT6"); solicits != want || want == 0 {
		t.Errorf("%d Solicits in the timeline; dhcpcd logged sending %d", solicits, want)
	}
	if len(rep.RA.Routers) != 1 || rep.RA.Routers[0].Source != bed.ISPLinkLocal.String() {
		t.Errorf("routers %+v; want radvd's %s", rep.RA.Routers, bed.ISPLinkLocal)
	}
	if frames := tsharkFrames(t, filepath.Join(out, "capture.pcapng")); frames != nil && len(frames) != rep.Capture.Frames {
		t.Errorf("tshark reads %d frames, report says %d", len(frames), rep.Capture.Frames)
	}
}

// --passive on a line where nobody talks: no servers, no client, the
// kernel's own RS off. v6diag sends nothing, so the capture is empty, and
// the verdict is that no router advertised.
//
// The kernels on both ends send MLD Listener Reports for a second or two
// after the link comes up; they carry a Hop-by-Hop header, which v6diag's
// filter lets through (it decodes extension headers itself), so they would
// be recorded. The test waits until both kernels are quiet, and afterwards
// accounts for any report they still sent during the run: every captured
// frame must be one of those, none an RS, RA or DHCPv6 message.
func TestPassiveSendsNothing(t *testing.T) {
	t.Parallel()
	bed := testbed.New(t)
	noKernelRS(t, bed)
	quiet := waitKernelQuiet(t, bed)
	out := filepath.Join(bed.Dir, "out-passive-silent")
	r := execV6diag(t, bed, "run", "-i", bed.CPEIf, "--passive", "--timeout", "4s", "--out", out,
		"--config", os.DevNull)
	kernel := kernelChatter(t, bed) - quiet
	var rep reportJSON
	readReport(t, out, &rep)
	var counts struct {
		Capture struct {
			ControlFrames int `json:"control_frames"`
		} `json:"capture"`
	}
	readReport(t, out, &counts)
	t.Logf("exit %d after %s: %s (kernel frames during the run: %d)", r.exit, r.wall, rep.Verdict.Summary, kernel)
	if r.exit != 1 || rep.Verdict.Code != "no-router-advertisement" {
		t.Fatalf("exit %d verdict %q; want 1 no-router-advertisement\nstderr:\n%s", r.exit, rep.Verdict.Code, r.stderr)
	}
	if rep.Capture.Frames != kernel || counts.Capture.ControlFrames != 0 || len(rep.Timeline) != 0 || rep.DHCPv6.Solicits != 0 {
		t.Errorf("capture.frames %d (kernels' MLD reports meanwhile: %d), control_frames %d, timeline %v, solicits_sent %d; want nothing from v6diag",
			rep.Capture.Frames, kernel, counts.Capture.ControlFrames, rep.Timeline, rep.DHCPv6.Solicits)
	}
	if r.wall < 3500*time.Millisecond {
		t.Errorf("--passive --timeout 4s ended after %s", r.wall)
	}
	for _, f := range tsharkFrames(t, filepath.Join(out, "capture.pcapng")) {
		if f != "" && !strings.Contains(f, "Multicast Listener Report") {
			t.Errorf("captured %q; want no frame but the kernels' MLD reports", f)
		}
	}
}

// kernelChatter sums what the two kernels sent on the veth pair that
// v6diag's capture filter passes: MLD reports and done messages, RS, RA.
// v6diag's own frames go out through a packet socket and are not counted.
func kernelChatter(t *testing.T, bed *testbed.Bed) int {
	t.Helper()
	total := 0
	for _, side := range [][2]string{{bed.CPE, bed.CPEIf}, {bed.ISP, bed.ISPIf}} {
		out, err := exec.Command("ip", "netns", "exec", side[0], "cat", "/proc/net/dev_snmp6/"+side[1]).Output()
		if err != nil {
			t.Fatalf("dev_snmp6 of %s: %v", side[1], err)
		}
		for _, line := range strings.Split(string(out), "\n") {
			f := strings.Fields(line)
			if len(f) != 2 {
				continue
			}
			switch f[0] {
			case "Icmp6OutMLDv2Reports", "Icmp6OutGroupMembResponses", "Icmp6OutGroupMembReductions",
				"Icmp6OutRouterSolicits", "Icmp6OutRouterAdvertisements":
				n, err := strconv.Atoi(f[1])
				if err != nil {
					t.Fatalf("dev_snmp6 %q: %v", line, err)
				}
				total += n
			}
		}
	}
	return total
}

// waitKernelQuiet waits until kernelChatter has not changed for 2 s (MLDv2
// repeats unsolicited reports within 1 s) and returns its value.
func waitKernelQuiet(t *testing.T, bed *testbed.Bed) int {
	t.Helper()
	last, since := kernelChatter(t, bed), time.Now()
	deadline := time.Now().Add(15 * time.Second)
	for time.Since(since) < 2*time.Second {
		if time.Now().After(deadline) {
			t.Fatalf("the kernels kept sending MLD/RS/RA for 15 s")
		}
		time.Sleep(200 * time.Millisecond)
		if n := kernelChatter(t, bed); n != last {
			last, since = n, time.Now()
		}
	}
	return last
}

// An interface without carrier: verdict link-down, exit 1, at once, and
// nothing sent.
func TestLinkDown(t *testing.T) {
	t.Parallel()
	bed := testbed.New(t)
	healthyISP(t, bed, false)
	if out, err := exec.Command("ip", "-n", bed.ISP, "link", "set", bed.ISPIf, "down").CombinedOutput(); err != nil {
		t.Fatalf("ip link set down: %v\n%s", err, out)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		out, _ := exec.Command("ip", "-n", bed.CPE, "link", "show", "dev", bed.CPEIf).Output()
		if strings.Contains(string(out), "NO-CARRIER") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s still has carrier: %s", bed.CPEIf, out)
		}
		time.Sleep(20 * time.Millisecond)
	}
	r := runV6diag(t, bed, "--timeout", "10s")
	if r.exit != 1 || r.report.Verdict.Code != "link-down" {
		t.Fatalf("exit %d verdict %q; want 1 link-down\nstderr:\n%s", r.exit, r.report.Verdict.Code, r.stderr)
	}
	if r.report.Capture.Frames != 0 || len(r.report.Timeline) != 0 || r.report.DHCPv6.Solicits != 0 {
		t.Errorf("capture.frames %d, timeline %v, solicits_sent %d; want nothing sent", r.report.Capture.Frames, r.kinds(), r.report.DHCPv6.Solicits)
	}
	var extra struct {
		Interface struct {
			Carrier *bool `json:"carrier"`
		} `json:"interface"`
	}
	readReport(t, r.out, &extra)
	if extra.Interface.Carrier == nil || *extra.Interface.Carrier {
		t.Errorf("interface.carrier %v; want false", extra.Interface.Carrier)
	}
	if r.wall > 3*time.Second {
		t.Errorf("link-down run took %s; with nothing to send it should not wait for --timeout", r.wall)
	}
	if frames := tsharkFrames(t, filepath.Join(r.out, "capture.pcapng")); len(frames) > 1 || len(frames) == 1 && frames[0] != "" {
		t.Errorf("tshark reads frames %q; want none", frames)
	}
}

// Live input v6diag cannot use: exit 2, one line on stderr, and no output
// folder left at the fresh --out path.
func TestBadLiveInput(t *testing.T) {
	t.Parallel()
	bed := testbed.New(t)
	check := func(t *testing.T, iface, want string) {
		t.Helper()
		out := filepath.Join(bed.Dir, "fresh-"+strings.ReplaceAll(t.Name(), "/", "_"), "out")
		r := execV6diag(t, bed, "run", "-i", iface, "--timeout", "5s", "--out", out,
			"--config", os.DevNull)
		t.Logf("exit %d, stderr %q", r.exit, r.stderr)
		if r.exit != 2 {
			t.Errorf("exit %d; want 2", r.exit)
		}
		line := strings.TrimSuffix(r.stderr, "\n")
		if line == "" || strings.Contains(line, "\n") {
			t.Errorf("stderr %q; want exactly one line", r.stderr)
		}
		if !strings.Contains(line, want) {
			t.Errorf("stderr %q does not mention %q", line, want)
		}
		if r.stdout != "" {
			t.Errorf("stdout %q; want nothing", r.stdout)
		}
		if _, err := os.Lstat(out); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("--out %s exists after the failed run (%v)", out, err)
		}
		if _, err := os.Lstat(filepath.Dir(out)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("parent of --out %s was created", filepath.Dir(out))
		}
	}
	// Sequential: the last case changes the CPE namespace.
	t.Run("no such interface", func(t *testing.T) { check(t, "nosuchif", "nosuchif") })
	t.Run("existing out folder kept", func(t *testing.T) {
		// A folder named with --out that exists may hold the user's files:
		// a failed run leaves it, and them, alone.
		out := filepath.Join(bed.Dir, "users-folder")
		keep := filepath.Join(out, "keep.txt")
		if err := os.MkdirAll(out, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(keep, []byte("mine\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		r := execV6diag(t, bed, "run", "-i", "nosuchif", "--timeout", "5s", "--out", out,
			"--config", os.DevNull)
		if r.exit != 2 {
			t.Errorf("exit %d; want 2 (stderr %q)", r.exit, r.stderr)
		}
		entries, err := os.ReadDir(out)
		if err != nil || len(entries) != 1 || entries[0].Name() != "keep.txt" {
			t.Errorf("--out folder after the failed run: %v, %v; want just keep.txt", entries, err)
		}
	})
	t.Run("IPv6 disabled", func(t *testing.T) {
		cpeSysctl(t, bed, "net.ipv6.conf."+bed.CPEIf+".disable_ipv6=1")
		check(t, bed.CPEIf, "disable_ipv6")
	})
}
