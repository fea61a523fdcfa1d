package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/v6diag/v6diag/capture"
	"github.com/v6diag/v6diag/internal/testtools/testbed"
)

// decodeCounts is what a -tags v6diag_count binary wrote at exit.
type decodeCounts struct{ decodes, parses int64 }

func readDecodeCounts(t *testing.T, path string) decodeCounts {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("counts: %v", err)
	}
	var c decodeCounts
	if _, err := fmt.Sscanf(string(raw), "decodes %d\nparses %d\n", &c.decodes, &c.parses); err != nil {
		t.Fatalf("counts %q: %v", raw, err)
	}
	return c
}

// dhcpv6Frames counts the frames of a capture that carry DHCPv6 (UDP to
// or from port 546 or 547).
func dhcpv6Frames(t *testing.T, path string) int64 {
	t.Helper()
	var n int64
	for _, w := range readWire(t, path) {
		p := w.p
		if w.decErr == nil && p.Transport == capture.TransportUDP &&
			(p.SourcePort == capture.PortDHCPv6Client || p.SourcePort == capture.PortDHCPv6Server ||
				p.DestinationPort == capture.PortDHCPv6Client || p.DestinationPort == capture.PortDHCPv6Server) {
			n++
		}
	}
	return n
}

// How often a run and an analyze decode and parse each DHCPv6 frame
// (issue 12's measure): a binary built with -tags v6diag_count counts
// capture.Decode calls on DHCPv6 frames and dhcpv6.Parse/ParsePartial
// calls, and the test divides by the DHCPv6 frames in the capture the run
// wrote.
func TestDecodeCountPerFrame(t *testing.T) {
	bed := testbed.New(t)
	healthyISP(t, bed, false)
	bin := testbed.BuildV6diagCounting(t)

	out := filepath.Join(bed.Dir, "out-counting")
	counts := filepath.Join(bed.Dir, "counts-run")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := bed.ExecCPE(ctx, bin, "run", "--out", out, "-i", bed.CPEIf, "--config", os.DevNull, "--timeout", "10s")
	cmd.Env = append(os.Environ(), "V6DIAG_COUNT_FILE="+counts)
	e := runExec(t, cmd)
	if e.exit != 0 {
		t.Fatalf("run: exit %d\n%s\n%s", e.exit, e.stdout, e.stderr)
	}
	frames := dhcpv6Frames(t, filepath.Join(out, "capture.pcapng"))
	if frames == 0 {
		t.Fatal("the run's capture holds no DHCPv6 frame")
	}
	run := readDecodeCounts(t, counts)
	t.Logf("run: %d DHCPv6 frames, %d decodes (%.2f a frame), %d parses (%.2f a frame)",
		frames, run.decodes, float64(run.decodes)/float64(frames), run.parses, float64(run.parses)/float64(frames))

	counts = filepath.Join(bed.Dir, "counts-analyze")
	cmd = exec.Command(bin, "analyze", "--out", filepath.Join(bed.Dir, "out-analyze"), filepath.Join(out, "capture.pcapng"))
	cmd.Env = append(os.Environ(), "V6DIAG_COUNT_FILE="+counts)
	if e := runExec(t, cmd); e.exit != 0 {
		t.Fatalf("analyze: exit %d\n%s\n%s", e.exit, e.stdout, e.stderr)
	}
	analyze := readDecodeCounts(t, counts)
	t.Logf("analyze: %d DHCPv6 frames, %d decodes (%.2f a frame), %d parses (%.2f a frame)",
		frames, analyze.decodes, float64(analyze.decodes)/float64(frames), analyze.parses, float64(analyze.parses)/float64(frames))

	// One door (issue 12): each DHCPv6 frame is decoded once and its
	// message parsed once, by run as by analyze.
	for _, c := range []struct {
		mode string
		got  decodeCounts
	}{{"run", run}, {"analyze", analyze}} {
		if c.got.decodes != frames {
			t.Errorf("%s decoded %d times for %d DHCPv6 frames; want once each", c.mode, c.got.decodes, frames)
		}
		if c.got.parses != frames {
			t.Errorf("%s parsed %d times for %d DHCPv6 frames; want once each", c.mode, c.got.parses, frames)
		}
	}
}
