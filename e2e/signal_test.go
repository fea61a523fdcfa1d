package e2e

import (
	"bytes"
	"errors"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/v6diag/v6diag/capture"
	"github.com/v6diag/v6diag/dhcpv6"
	"github.com/v6diag/v6diag/internal/testtools/testbed"
)

// captured reports whether the pcapng a running v6diag writes (flushed
// frame by frame) already holds a DHCPv6 message of type typ, read with
// our own reader; a block cut by the ongoing write ends the read early.
func captured(path string, typ dhcpv6.MessageType) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	rd, err := capture.NewReader(bytes.NewReader(b))
	if err != nil {
		return false
	}
	for {
		fr, err := rd.Next()
		if err != nil {
			return false
		}
		p, err := capture.Decode(fr)
		if err != nil || p.Transport != capture.TransportUDP {
			continue
		}
		if m, _ := dhcpv6.Parse(p.UDPPayload); m != nil && m.Type == typ {
			return true
		}
	}
}

func waitCaptured(t *testing.T, path string, typ dhcpv6.MessageType, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !captured(path, typ) {
		if time.Now().After(deadline) {
			t.Fatalf("no %s in %s within %s", typ, path, timeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// blockServerReplies makes the ISP namespace drop every DHCPv6 message its
// server sends to the CPE's link-local address from now on (an IPsec
// policy of action block: this kernel has netfilter and tc actions off).
// The server still receives and processes what the client sends.
func blockServerReplies(t *testing.T, bed *testbed.Bed) {
	t.Helper()
	out, err := exec.Command("ip", "-n", bed.ISP, "xfrm", "policy", "add",
		"src", "::/0", "dst", bed.CPELinkLocal.String()+"/128", "proto", "udp", "sport", "547",
		"dir", "out", "action", "block").CombinedOutput()
	if err != nil {
		t.Fatalf("ip xfrm policy add: %v\n%s", err, out)
	}
}

// readPcapng reads a whole capture with our reader and returns its frame
// count; any error but io.EOF fails the test.
func readPcapng(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd, err := capture.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	n := 0
	for {
		_, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return n
		}
		if err != nil {
			t.Fatalf("%s after frame %d: %v", path, n, err)
		}
		n++
	}
}

// SIGINT or SIGTERM while v6diag waits for the Reply to its Request — the
// moment the server has already bound a lease for it (Kea's lease file
// says so) but v6diag has not heard: it sends a Release for what was
// offered (Kea logs it released properly and records it in its lease
// file), writes a report that says it was interrupted and a pcapng that our
// reader and tshark read whole, and exits within a second of the signal.
func TestSignalMidRun(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			bed := testbed.New(t)
			kea := healthyISP(t, bed, false)
			out := filepath.Join(bed.Dir, "out")
			capPath := filepath.Join(out, "capture.pcapng")
			cmd, so, se := startV6diag(t, bed, out, "--timeout", "30s")

			// Let the Advertise through, then drop whatever Kea sends: the
			// Request is bound in Kea's lease file but never answered.
			waitCaptured(t, capPath, dhcpv6.MessageTypeAdvertise, 10*time.Second)
			blockServerReplies(t, bed)
			waitCaptured(t, capPath, dhcpv6.MessageTypeRequest, 5*time.Second)
			kea.WaitLog(t, "DHCP6_PD_LEASE_ALLOC", 5*time.Second)
			var held netip.Prefix
			leases, err := kea.Leases()
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range testbed.CurrentLeases(leases) {
				if l.Type == testbed.LeasePD && !l.Released() {
					held = l.Prefix()
				}
			}
			if !held.IsValid() {
				t.Fatalf("Kea holds no prefix before the signal; leases %+v", leases)
			}

			sent := time.Now()
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			err = cmd.Wait()
			took := time.Since(sent)
			code := exitCode(t, err)
			t.Logf("%s: exit %d %s after the signal; Kea had bound %s", sig, code, took.Round(time.Millisecond), held)
			if took > time.Second {
				t.Errorf("v6diag exited %s after %s; want within 1s", took, sig)
			}
			if code != 0 && code != 1 {
				t.Fatalf("exit %d; want a verdict (0 or 1)\nstdout:\n%s\nstderr:\n%s", code, so, se)
			}

			// Kea's own evidence that the lease was given back.
			log := kea.WaitLog(t, "DHCP6_RELEASE_PD", 3*time.Second)
			if !strings.Contains(log, "prefix "+held.String()) || !strings.Contains(log, "released properly") {
				t.Errorf("Kea log does not show %s released properly", held)
			}
			var r reportJSON
			readReport(t, out, &r)
			waitReleased(t, kea, colonHex(r.DUID.Hex), held)

			var notes struct {
				Notes []string `json:"notes"`
			}
			readReport(t, out, &notes)
			if !strings.Contains(strings.Join(notes.Notes, "\n"), "interrupted") {
				t.Errorf("report notes %q do not say the run was interrupted", notes.Notes)
			}
			kinds := runResult{report: r}.kinds()
			if indexOf(kinds, "out:Release") < 0 {
				t.Errorf("timeline %v has no Release", kinds)
			}
			n := readPcapng(t, capPath)
			if n != r.Capture.Frames {
				t.Errorf("our reader reads %d frames, report says %d", n, r.Capture.Frames)
			}
			if frames := tsharkFrames(t, capPath); frames != nil && len(frames) != n {
				t.Errorf("tshark reads %d frames, our reader %d", len(frames), n)
			}
			for _, name := range []string{"report.txt", "report.json", "capture.pcapng"} {
				st, err := os.Stat(filepath.Join(out, name))
				if err != nil {
					t.Error(err)
				} else if st.Mode().Perm() != 0o600 {
					t.Errorf("%s has mode %v; want 0600", name, st.Mode().Perm())
				}
			}
		})
	}
}
